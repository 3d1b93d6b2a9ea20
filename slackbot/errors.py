"""One exception root, so the CLI and the Slack app can tell user errors from bugs.

    SignodeError
    ├── NotesError        a document is not meeting notes, or cannot be parsed
    ├── SourceError       a file, folder or URL could not be read
    ├── QueryError        a question the grammar cannot answer (bad date, empty text)
    ├── AgendaError       an agenda change that is not allowed or names nothing
    └── ConfigError       missing or malformed settings (tokens, paths, group files)

Anything else that escapes is a bug and should show its traceback in tests.
"""


class SignodeError(Exception):
    """Base class for errors a user can act on; the message is shown as is."""


class NotesError(SignodeError):
    """The text is not meeting notes, or no meeting could be read from it."""


class SourceError(SignodeError):
    """A notes source could not be read (missing file, HTTP error, timeout)."""


class QueryError(SignodeError):
    """A query the grammar understood but cannot answer (e.g. an impossible date)."""


class AgendaError(SignodeError):
    """An agenda change that is refused (not the author, unknown item, bad date)."""


class ConfigError(SignodeError):
    """Settings are missing or malformed."""
