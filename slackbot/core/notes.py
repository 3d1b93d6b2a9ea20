"""Parse a SIG's meeting notes (every year's Google-Docs markdown dialect) into meetings and items.

Pure: text in, dataclasses out. The dialects this reads are listed in ../shared/design.md; in short a
meeting starts at a heading (`# Dec 13 {#dec-13}`, `## Nov 24th, 2020 [Canceled]`) or, in the oldest
notes, at a plain line that is only a date (`Dec. 9`). Everything up to the next meeting is its body,
read as a tree of bullets: a top-level bullet or paragraph is an agenda item, deeper bullets are its
discussion.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from slackbot.core.links import Link, extract_links
from slackbot.core.owners import extract_owners
from slackbot.core.text import MONTHS
from slackbot.errors import NotesError

MAX_BYTES = 20 * 1024 * 1024
YEAR_ROLLBACK_DAYS = 180


# `Dec 13`, `Dec. 9`, `Feb7`, `Nov 24th, 2020`, `February 25,2020`, `Dec 22 & 29, 2020 Cancelled`,
# and the stray `\`1` that once stood before `Oct 29, 2024`.
DATE_HEAD = re.compile(
    r"^(?:\\?`\d?)?\s*(?P<month>[A-Za-z]{3,9})\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
    r"(?:\s*(?:&|and)\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?\b)?"
    r"(?:\s*(?:,\s*)?(?P<year>(?:19|20)\d{2})\b)?\s*,?(?P<rest>.*)$"
)
CANCELLED = re.compile(r"\bcancel+ed\b|\bno (?:meeting|call)\b", re.I)
LEADING_OWNER = re.compile(r"\[[^\[\]]{1,80}\]")  # `[dawnchen] …`: an agenda item that someone owns
PLAIN_DATE_REST = re.compile(r"^[\s\-–—:(\[\\]*(?:(?:proposed\s+)?agenda|cancel+ed|no meeting)?[\s\])\\.]*$", re.I)
CONTENT_HEADINGS = re.compile(r"^(recording|attendees|notes|agenda|minutes|action items)\b", re.I)
BULLET = re.compile(r"^(?P<indent>\s*)(?:[*+\-]|\d{1,3}[.)])(?:\s+(?P<text>.*))?$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:\s+(?P<text>.*))?$")
ANCHOR = re.compile(r"\{#[^{}\s]{0,200}\}")
TABLE_RULE = re.compile(r"\s*(?:\|\s*)?:?-{3,}")
YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass
class Item:
    """One bullet or paragraph of notes; `children` are the bullets nested under it."""

    text: str
    line: int
    owners: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)

    def walk(self) -> list[Item]:
        """This item and everything under it, depth first (iteratively: notes may nest thousands deep)."""
        out: list[Item] = []
        stack = [self]
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(reversed(item.children))
        return out


@dataclass
class Meeting:
    """A dated meeting, or an undated section such as `Future` (date None)."""

    date: dt.date | None
    title: str
    heading: str
    line: int
    is_heading: bool
    cancelled: bool = False
    cancel_reason: str = ""
    items: list[Item] = field(default_factory=list)


@dataclass
class Document:
    title: str
    year: int | None
    meetings: list[Meeting]
    warnings: list[str] = field(default_factory=list)

    @property
    def dated(self) -> list[Meeting]:
        return [m for m in self.meetings if m.date is not None]


# Every pattern below is linear in its input: no two adjacent unbounded runs can share characters,
# a match cannot start at an escaped bracket, and tag bodies stop at the next `<`.
MD_LINK_TEXT = re.compile(r"(?<!\\)\[((?:\\.|[^\[\]\\])*)\]\((https?://[^)\s]+)\)")
HTML_A = re.compile(r"<a\s[^<>]{0,1000}>([^<]{0,1000})</a>", re.I)
CELL_TAG = re.compile(r"</?(?:td|tr|th)\b[^<>]{0,500}>", re.I)
ANY_TAG = re.compile(r"<[^<>\s][^<>]{0,1000}>")
ESCAPED = re.compile(r"\\(.)")
PIPES = re.compile(r"(?: ?\| ?)+")


def clean_text(text: str) -> str:
    """Plain text for display and search: gd2md escapes, anchors, markup and HTML removed."""
    text = ANCHOR.sub("", text)
    text = MD_LINK_TEXT.sub(r"\1", text)
    if "<" in text:
        text = HTML_A.sub(r"\1", text)
        text = CELL_TAG.sub(" | ", text)
        text = ANY_TAG.sub(" ", text)
    text = html.unescape(text)
    text = ESCAPED.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = " ".join(text.split())
    if "|" in text:
        text = PIPES.sub(" | ", text).strip(" |")
    return text.rstrip("\\").strip()


def parse_date_heading(text: str, year: int | None) -> tuple[list[dt.date], str] | None:
    """Dates at the start of a heading and the rest of the heading, or None if it is not dated."""
    m = DATE_HEAD.match(text.strip())
    if not m:
        return None
    month = MONTHS.get(m.group("month").lower())
    if month is None:
        return None
    y = int(m.group("year")) if m.group("year") else year
    if y is None:
        return None
    days = [int(m.group("day"))] + ([int(m.group("day2"))] if m.group("day2") else [])
    try:
        dates = [dt.date(y, month, d) for d in days]
    except ValueError:
        return None
    return dates, m.group("rest").strip()


def _cancel_reason(rest: str) -> str:
    reason = rest.lstrip(" \t-–—:([\\").rstrip(" \t])\\.")
    return " ".join(reason.replace("\\", "").split())


def document_year(text: str, source_name: str, year: int | None) -> int | None:
    """The year a heading without one belongs to: explicit, else the file name, else the title."""
    if year is not None:
        return year
    m = YEAR_IN_NAME.search(source_name.rsplit("/", 1)[-1])
    if m:
        return int(m.group(1))
    for line in text.splitlines()[:5]:
        if line.startswith("#"):
            m = YEAR_IN_NAME.search(line)
            if m:
                return int(m.group(1))
    return None


def check_is_text(data: bytes, name: str) -> str:
    """Decode a notes file, refusing what is clearly not notes before parsing starts."""
    if len(data) > MAX_BYTES:
        raise NotesError(f"{name}: {len(data) / (1024 * 1024):.1f} MB is too large for a notes file "
                         f"(limit {MAX_BYTES // (1024 * 1024)} MB)")
    if not data.strip():
        raise NotesError(f"{name}: the file is empty")
    if b"\x00" in data[:65536]:
        raise NotesError(f"{name}: this is a binary file, not markdown notes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or "<head>" in head:
        raise NotesError(f"{name}: this is an HTML page (a sign-in page?), not markdown notes")
    return text


class _Parser:
    def __init__(self, year: int | None) -> None:
        self.year = year
        self.meetings: list[Meeting] = []
        self.warnings: list[str] = []
        self.title = ""
        self.descending = True
        self.last_date: dt.date | None = None
        self.heading_level: int | None = None
        self.body: list[tuple[int, str]] = []

    # -- meetings -------------------------------------------------------------------------------
    def resolve_dates(self, text: str) -> tuple[list[dt.date], str] | None:
        parsed = parse_date_heading(text, self.year)
        if parsed is None:
            return None
        dates, rest = parsed
        has_year = bool(DATE_HEAD.match(text.strip()).group("year"))  # type: ignore[union-attr]
        if (not has_year and self.last_date and self.descending
                and (dates[0] - self.last_date).days > YEAR_ROLLBACK_DAYS):
            # A year-less December below January in a newest-first doc is last year's December;
            # a heading merely out of order (Sept below Aug) keeps the year.
            try:
                earlier = [d.replace(year=d.year - 1) for d in dates]
            except ValueError:
                earlier = dates
            if earlier[0] <= self.last_date:
                dates = earlier
        if has_year:
            self.year = dates[0].year
        if self.last_date and dates[0] > self.last_date:
            self.descending = False
        self.last_date = min(dates)
        return dates, rest

    def start(self, dates: list[dt.date | None], title: str, heading: str, line: int,
              is_heading: bool, rest: str) -> None:
        self.flush()
        cancelled = bool(CANCELLED.search(rest))
        for date in dates:
            self.meetings.append(Meeting(date, title, heading, line, is_heading, cancelled,
                                         _cancel_reason(rest) if cancelled else ""))

    def flush(self) -> None:
        if not self.meetings or not self.body:
            self.body = []
            return
        current = [m for m in self.meetings if m.line == self.meetings[-1].line]
        items = parse_items(self.body)
        self.body = []
        for meeting in current:
            meeting.items = items
            if not meeting.cancelled and items and len(items) <= 2:
                first = items[0].text  # "No meeting", "Cancelled due to KubeCon": a note, not "[bob] Cancelled pods"
                if len(first) < 160 and CANCELLED.search(first) and not items[0].children \
                        and not LEADING_OWNER.match(first):
                    meeting.cancelled = True
                    meeting.cancel_reason = first

    # -- lines ----------------------------------------------------------------------------------
    def heading(self, level: int, raw: str, line: int, next_line: str | None) -> bool:
        """Handle a markdown heading; True if it consumed the following line."""
        text = clean_text(raw)
        consumed = False
        if not text and next_line is not None and parse_date_heading(next_line.strip(), self.year):
            text, raw, consumed = clean_text(next_line), next_line.strip(), True  # `#  \` + `Sept 18`
        if not text:
            return consumed  # an empty `## ` inside a meeting: ignore it
        resolved = self.resolve_dates(text)
        if resolved:
            dates, rest = resolved
            self.heading_level = self.heading_level or level
            self.start(list(dates), text, raw, line, True, rest)
        elif not self.meetings and not self.title and self.heading_level is None:
            self.title = text
        elif CONTENT_HEADINGS.match(text) or (self.heading_level and level > self.heading_level):
            self.body.append((line, raw))  # `## Recording: ...` is part of the meeting
        else:
            if DATE_HEAD.match(text) and MONTHS.get(DATE_HEAD.match(text).group("month").lower()):  # type: ignore[union-attr]
                self.warnings.append(f"line {line}: {text!r} is not a real date; kept as an undated section")
            self.heading_level = self.heading_level or level
            self.start([None], text, raw, line, True, text)
        return consumed

    def plain(self, raw: str, line: int, previous_blank: bool) -> bool:
        """A column-0 line that is only a date starts a meeting (2015, early 2016, once in 2022)."""
        if not previous_blank or raw[:1].isspace():
            return False
        text = clean_text(raw)
        if len(text) > 60:
            return False
        m = DATE_HEAD.match(text)
        if not m or not PLAIN_DATE_REST.match(m.group("rest") or ""):
            return False
        resolved = self.resolve_dates(text)
        if not resolved:
            return False
        dates, rest = resolved
        self.start(list(dates), text, raw, line, False, rest)
        return True


def parse(text: str, source_name: str = "notes.md", year: int | None = None) -> Document:
    """Parse one notes document. Raises NotesError if it holds no dated meeting at all."""
    doc_year = document_year(text, source_name, year)
    p = _Parser(doc_year)
    lines = text.splitlines()
    previous_blank = True
    skip = False
    for index, raw in enumerate(lines):
        if skip:
            skip = False
            continue
        number = index + 1
        heading = HEADING.match(raw)
        if heading:
            nxt = lines[index + 1] if index + 1 < len(lines) else None
            skip = p.heading(len(heading.group("hashes")), heading.group("text") or "", number, nxt)
        elif not p.plain(raw, number, previous_blank):
            if p.meetings:
                p.body.append((number, raw))
            elif raw.strip() and not p.title:
                p.title = clean_text(raw)
        previous_blank = not raw.strip()
    p.flush()
    if not any(m.date for m in p.meetings):
        hint = "" if doc_year else " (and no year in its name: pass --year?)"
        raise NotesError(f"{source_name}: no dated meeting found; is this a meeting-notes file?{hint}")
    return Document(p.title, doc_year, p.meetings, p.warnings)


# -- the body of a meeting: a tree of items --------------------------------------------------------

def _table_text(lines: list[str]) -> str:
    rows = re.split(r"<tr[^>]*>", " ".join(lines), flags=re.I)
    out = []
    for row in rows:
        cells = [clean_text(c) for c in re.split(r"<td[^>]*>|<th[^>]*>", row, flags=re.I)]
        cells = [c for c in cells if c]
        if cells:
            out.append(" | ".join(cells))
    return "; ".join(out)


def _new_item(raw: str, line: int, text: str) -> Item:
    """An item from its raw line and that line's clean text (cleaned once by the caller)."""
    return Item(text, line, extract_owners(raw), extract_links(raw))


def _extend(item: Item, raw: str) -> None:
    extra = clean_text(raw)
    if extra:
        item.text = f"{item.text} {extra}".strip()
    for owner in extract_owners(raw) if not item.owners else []:
        item.owners.append(owner)
    known = {link.url for link in item.links}
    item.links += [link for link in extract_links(raw) if link.url not in known]


def parse_items(body: list[tuple[int, str]]) -> list[Item]:
    """Turn a meeting's lines into top-level items with nested discussion."""
    roots: list[Item] = []
    stack: list[tuple[int, Item]] = []  # (indent, item) of the open bullets
    last: Item | None = None
    table: list[str] = []
    table_line = 0
    blank_before = True
    for line, raw in body:
        if table or raw.lstrip().lower().startswith("<table"):
            table.append(raw)
            if table_line == 0:
                table_line = line
            if "</table>" in raw.lower():
                item = Item(_table_text(table), table_line, [], extract_links(" ".join(table)))
                if item.text:
                    roots.append(item)
                table, table_line, stack, last = [], 0, [], None
            continue
        if not raw.strip():
            blank_before = True
            continue
        if TABLE_RULE.match(raw):  # markdown table separator row
            continue
        bullet = BULLET.match(raw)
        if bullet:
            indent = len(bullet.group("indent").expandtabs(4))
            content = bullet.group("text") or ""
            cleaned = clean_text(content)
            if not cleaned:
                continue
            item = _new_item(content, line, cleaned)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            (stack[-1][1].children if stack else roots).append(item)
            stack.append((indent, item))
            last = item
        elif last is not None and (raw[:1].isspace() or not blank_before or _continues(last)):
            _extend(last, raw)
        else:
            cleaned = clean_text(raw)
            if not cleaned:
                continue
            item = _new_item(raw, line, cleaned)
            roots.append(item)
            stack, last = [], item
        blank_before = False
    if table:
        roots.append(Item(_table_text(table), table_line, [], extract_links(" ".join(table))))
    return roots


def _continues(item: Item) -> bool:
    return item.text.endswith(":") and not item.children
