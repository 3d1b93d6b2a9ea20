"""Who owns an agenda item, read from the marks each year's notes used.

`(@tallclair)`, `@dashpole`, a leading `[dawnchen]` / `\\[name\\]` / `[pohly, klueska]`,
a closing `(Derek Carr)`, `Owner: @x`, `**Owner:** @x` and e-mail addresses. Names come back
normalised: lower case, no `@`, single spaces.
"""

from __future__ import annotations

import re

from slackbot.core.links import MARKDOWN_LINK
from slackbot.core.text import URL

# Linear on any input: an address starts at a word boundary and its local part has at most 64 characters.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w.@/\\])@([A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9_]|[A-Za-z0-9])")
LEADING = re.compile(r"^\s*(?:\*\*)?\\?\[((?:\\[^\[\]]|[^\[\]\\]){1,80})\\?\](?!\()\s*:?")
CLOSING_PARENS = re.compile(r"\(([A-Za-z@][\w.@' -]{0,40})\)\Z")
OWNER_LABEL = re.compile(
    r"\*{0,2}(?:[Oo]wners?|OWNERS?)\s*:\s*(?:\*{1,2}\s*)?((?:@[\w-]+|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})"
    r"(?:\s*(?:,|/|&|\band\b)\s*(?:@[\w-]+|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}))*)")
SPLIT = re.compile(r"\s*(?:,|/|&|\band\b|\+)\s*")

# Words that appear in brackets or parentheses but are not people.
NOT_PEOPLE = {
    "wip", "tbd", "draft", "public", "proposal", "optional", "cont", "continued", "deferred", "done",
    "cancelled", "canceled", "update", "updates", "followup", "follow up", "slides", "doc", "link",
    "pr", "issue", "kep", "demo", "discussion", "question", "questions", "fyi", "urgent", "beta",
    "alpha", "ga", "postponed", "carried over", "moved", "recording", "notes", "thanks", "again", "yet",
    "yes", "no", "merged", "linux", "windows", "tmpfs", "etc", "tentative", "maybe",
}


def normalise(name: str) -> str:
    if "\\" in name:
        name = re.sub(r"\\(.)", r"\1", name)
    name = name.strip().strip("*_`'\" :.").lstrip("@")
    return " ".join(name.lower().split())


def _names(chunk: str) -> list[str]:
    out = []
    for part in SPLIT.split(chunk):
        name = normalise(part)
        if not name or name in NOT_PEOPLE or len(name) > 40 or len(name.split()) > 4:
            continue
        if not re.match(r"^[a-z@][\w.' -]*$", name) or re.search(r"\d{3,}", name):
            continue
        out.append(name)
    return out


def _looks_like_names(chunk: str) -> bool:
    """`(Derek Carr)`, `(vikasc)`, `(Dawn, Vish)` but not `(in-place resize)` or `(ehashman OOO)`."""
    for part in SPLIT.split(chunk.strip()):
        words = part.split()
        if len(words) > 1 and not all(w[:1].isupper() and not w.isupper() for w in words):
            return False
        if len(words) == 1 and "-" in words[0] and words[0].islower():
            return False
    return True


def _without_closing_marks(text: str) -> str:
    """`… (Derek Carr) : **` -> `… (Derek Carr)`: what may follow a closing owner, stripped without a regex."""
    text = text.rstrip()
    if text.endswith("**"):
        text = text[:-2].rstrip()
    if text.endswith((":", ".")):
        text = text[:-1].rstrip()
    return text


def extract_owners(line: str) -> list[str]:
    """The owners named on one line of notes, in order of appearance, without duplicates."""
    if "@" not in line and "[" not in line and ")" not in line and "wner" not in line and "WNER" not in line:
        return []  # no pattern below can match: most discussion lines, skipped at the cost of five scans
    found: list[str] = []
    text = URL.sub(" ", MARKDOWN_LINK.sub(lambda m: m.group(1), line))  # keep labels, drop targets
    emails = EMAIL.findall(text)
    without_emails = EMAIL.sub(" ", text)
    m = LEADING.match(without_emails)
    if m:
        found += _names(m.group(1))
    for m in OWNER_LABEL.finditer(without_emails):
        found += _names(m.group(1))
    found += [normalise(h) for h in HANDLE.findall(without_emails)]
    m = CLOSING_PARENS.search(_without_closing_marks(without_emails))
    if m and "@" not in m.group(1) and _looks_like_names(m.group(1)):
        found += _names(m.group(1))
    found += [e.lower() for e in emails]
    unique: list[str] = []
    for name in found:
        if name and name not in unique:
            unique.append(name)
    return unique
