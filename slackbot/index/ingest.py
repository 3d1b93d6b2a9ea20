"""Read a source, parse it, and replace what the store holds for it: the one ingest path.

The CLI, the sync loop and the tests all come through `ingest_source`, so a bad document is
refused the same way everywhere: parsed completely before the store is touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from slackbot.core.notes import check_is_text, parse
from slackbot.errors import NotesError
from slackbot.index.sources import Fetched, heading_anchors, is_url, meeting_url, read_source, web_url
from slackbot.index.store import IngestStats, SourceRecord, Store

# A new copy of a source that loses more than this share of its dated meetings is taken to be
# truncated (a half-saved export, a cut-off download) and refused; --force overrides (for the yearly
# move of old notes out of the live doc into the archive).
MAX_MEETING_LOSS = 0.4
DEFAULT_GROUP = "sig-node"


@dataclass
class IngestResult:
    uri: str
    stats: IngestStats
    unchanged_remote: bool = False  # the server answered 304


def ingest_fetched(store: Store, fetched: Fetched, year: int | None = None, source_url: str = "",
                   force: bool = False, group: str = DEFAULT_GROUP) -> IngestResult:
    """Parse fetched bytes and store them under `group`; raises NotesError and leaves the store as it was."""
    text = check_is_text(fetched.data, fetched.name)
    previous = store.source(fetched.uri)
    if previous and previous["sha256"] == fetched.sha256 and not source_url and year is None \
            and previous["group_name"] == group:
        store.touch_source(fetched.uri, fetched.etag, fetched.last_modified)
        return IngestResult(fetched.uri, IngestStats(changed=False))
    doc = parse(text, fetched.name, year)
    base = web_url(fetched.uri, fetched.name, source_url)
    anchors = heading_anchors(text)
    urls = [meeting_url(base, m, anchors) for m in doc.meetings]
    if previous and not force:
        _refuse_truncation(store, fetched.uri, previous["id"], len(doc.dated))
    record = SourceRecord(fetched.uri, fetched.name, doc.title, doc.year, base, fetched.sha256,
                          fetched.etag, fetched.last_modified, group)
    return IngestResult(fetched.uri, store.replace_source(record, doc, urls))


def ingest_source(store: Store, source: str, year: int | None = None, source_url: str = "",
                  timeout: float = 30.0, force: bool = False, group: str = DEFAULT_GROUP) -> IngestResult:
    """Fetch one file or URL (conditionally, if we have its ETag) and ingest it."""
    known = store.source(source) if is_url(source) else None
    fetched = read_source(source, timeout, known["etag"] if known else "", known["last_modified"] if known else "")
    if fetched is None:
        return IngestResult(source, IngestStats(changed=False), unchanged_remote=True)
    return ingest_fetched(store, fetched, year, source_url, force, group)


def _refuse_truncation(store: Store, uri: str, source_id: int, new_count: int) -> None:
    old_count = store.dated_meeting_count(source_id)
    if old_count >= 4 and new_count < old_count * (1 - MAX_MEETING_LOSS):
        raise NotesError(
            f"{uri}: the new copy has {new_count} dated meetings where the stored one has {old_count};"
            " it looks truncated, so the stored notes were kept (use --force to replace them)")
