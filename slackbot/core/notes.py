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

from slackbot.core.dates import SENTENCE_WORDS, VERSION, WORD, DateMark, Rejection, read_date_line
from slackbot.core.links import Link, extract_links
from slackbot.core.owners import extract_owners
from slackbot.errors import NotesError

MAX_BYTES = 20 * 1024 * 1024
YEAR_ROLLBACK_DAYS = 180


# A meeting did not happen: `Cancelled`, `CANCELED FOR KubeCon`, `No meeting`, `Postponed`, `Skipped`;
# but `postponed from Nov 14` says this meeting is the one that did.
CANCELLED = re.compile(r"\bcancel+ed\b|\bno (?:meeting|call)\b|\bpostponed\b|\bskipped\b", re.I)
REPLACES_ANOTHER = re.compile(r"\b(?:postponed|rescheduled|moved)\s{1,3}from\b", re.I)
# An item that says the meeting itself did not happen (`Meeting canceled due to lack of attendance.`).
CANCEL_NOTE = re.compile(r"^(?:the\s{1,3})?(?:meeting|call)\s{1,3}(?:is\s{1,3}|was\s{1,3}|has been\s{1,3})?"
                         r"(?:cancel+ed|postponed)\b|^cancel+ed\s{1,3}(?:to|due|because|as|for)\b", re.I)
TEMPLATE = re.compile(r"\btemplate\b", re.I)
YEAR_HEADING = re.compile(r"^\W{0,3}(?:(?:meetings?|notes|minutes|archive)(?: in| of| from)? )?((?:19|20)\d{2})"
                          r"(?: (?:meetings?|notes|minutes|archive))?\W{0,3}$", re.I)
STRAY_TICK = re.compile(r"^\\?`\d?")  # the `\`1` that once stood before `Oct 29, 2024`
LEADING_OWNER = re.compile(r"\[[^\[\]]{1,80}\]")  # `[dawnchen] …`: an agenda item that someone owns
CONTENT_HEADINGS = re.compile(r"^(recording|attendees|notes|agenda|minutes|action items)\b", re.I)
BULLET = re.compile(r"^(?P<indent>\s*)(?:[*+\-]|\d{1,3}[.)])(?:\s+(?P<text>.*))?$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})(?:\s+(?P<text>.*))?$")
ANCHOR = re.compile(r"\{#[^{}\s]{0,200}\}")
TABLE_RULE = re.compile(r"\s*(?:\|\s*)?:?-{3,}")
YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\d{2})?(?!\d)")  # `2016`, `201801-201807_…`
DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")  # one file per meeting
BOLD_LINE = re.compile(r"^\s{0,3}(?:\*\*|__)(?!\s)")


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
    series: str = ""  # `Triage`, `APAC`: which of a doc's meeting series this one belongs to


@dataclass
class Decision:
    """One date-like line and what the parser made of it (for `signode check-notes`)."""

    line: int
    text: str
    accepted: bool
    reason: str
    dates: tuple[dt.date, ...] = ()


@dataclass
class Document:
    title: str
    year: int | None
    meetings: list[Meeting]
    warnings: list[str] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

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
    if "{#" in text:  # each step runs only when its pattern could match: most lines need none
        text = ANCHOR.sub("", text)
    if "](" in text:
        text = MD_LINK_TEXT.sub(r"\1", text)
    if "<" in text:
        text = HTML_A.sub(r"\1", text)
        text = CELL_TAG.sub(" | ", text)
        text = ANY_TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = ESCAPED.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = " ".join(text.split())
    if "|" in text:
        text = PIPES.sub(" | ", text).strip(" |")
    return text.rstrip("\\").strip()


def parse_date_heading(text: str, year: int | None) -> tuple[list[dt.date], str] | None:
    """Dates at the start of a heading and the rest of the heading, or None if it is not dated."""
    mark = read_date_line(STRAY_TICK.sub("", text.strip()))
    y = mark.year or year if isinstance(mark, DateMark) else None
    if not isinstance(mark, DateMark) or y is None:
        return None
    try:
        return mark.dates(y), mark.rest.strip()
    except ValueError:
        return None


def _cancel_reason(rest: str) -> str:
    reason = rest.replace("~~", "").lstrip(" \t-–—:([\\").rstrip(" \t])\\.")
    return " ".join(reason.replace("\\", "").split())


def _says_cancelled(text: str) -> bool | None:
    """True if `text` says the meeting did not happen, None if only maybe (`Cancelled?`), else False."""
    m = CANCELLED.search(text)
    if m is None or REPLACES_ANOTHER.search(text):
        return False
    return None if text[m.end():m.end() + 3].lstrip().startswith("?") else True


SERIES_NOISE = re.compile(r"\[[^\[\]]{0,40}\]|\([^()]{0,80}\)|https?://\S+|[^\w\s]", re.UNICODE)
GENERIC_WORDS = frozenset(
    "agenda meeting meetings notes note minutes next upcoming past today this week weekly biweekly monthly "
    "call sync session recording public private open closed canceled cancelled postponed skipped no "
    "proposed draft tentative special regular".split())


TIME_AND_ZONE = re.compile(r"(?:\b\d{1,2}:\d{2}|\b\d{1,2}\s?[AaPp]\.?[Mm]\b\.?)(?:\s?[AaPp]\.?[Mm]\b\.?)?"
                           r"(?:\s?(?:[A-Z]{2,5}\b|Pacific|Eastern|Central|Mountain))?")
SERIES_IN_PARENS = re.compile(r"^[\s\-–—:]{0,4}[(\[]([A-Z][\w-]{1,20}(?: [A-Z][\w-]{1,20})?)[)\]]")


def _series(label: str, rest: str) -> str:
    """The series a dated heading names: its label (`[NEXT] Triage (`), else a short capitalised tail
    (`- APAC`, `(EMEA)`)."""
    rest = TIME_AND_ZONE.sub(" ", rest)  # `16:00 UTC`, `10am Pacific`: when, not which series
    tagged = SERIES_IN_PARENS.match(rest)
    if tagged and not any(w.lower() in GENERIC_WORDS for w in tagged.group(1).split()):
        rest = tagged.group(1)
    for part, limit in ((label, 4), (rest, 2)):
        all_words = SERIES_NOISE.sub(" ", part.replace("~~", " ")).split()
        if part is rest and any(w.lower() in SENTENCE_WORDS for w in all_words):
            continue  # `- at KubeCon`: a phrase about the meeting, not the name of a series
        words = [w for w in all_words
                 if w.lower() not in GENERIC_WORDS and w.lower() not in SENTENCE_WORDS and not w.isdigit()]
        if words and len(words) <= limit and (part is label or all(w[:1].isupper() for w in words)):
            return " ".join(words)
    return ""


LINE_BREAK = re.compile(r"\r\n?|\n")


def note_lines(text: str) -> list[str]:
    """The file's lines as GitHub numbers them: `\\u2028`, `\\u2029` and form feeds inside a line are
    spaces there, not line ends (`str.splitlines` would shift every later line number and link)."""
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    if not INLINE_BREAK_CHARS.search(text):
        return lines
    return [line.translate(INLINE_BREAKS) for line in lines]


INLINE_BREAKS = {ord(c): " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
INLINE_BREAK_CHARS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


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


@dataclass
class _Candidate:
    """A line that may start a meeting: a heading, or a bold or plain line standing alone."""

    kind: str  # "heading", "bold" or "plain"
    level: int
    text: str
    mark: DateMark | Rejection | None


DIGIT = re.compile(r"\d")
MAX_LINE_DATE = {"plain": 60, "bold": 90}  # a longer stand-alone line is a sentence, not a date
MAX_TAIL_WORDS = {"plain": 3, "bold": 6}


def _candidates(lines: list[str]) -> dict[int, _Candidate]:
    """Every line that could start a meeting, read once (headings always; other lines only if dated)."""
    found: dict[int, _Candidate] = {}
    previous_blank = True
    for index, raw in enumerate(lines):
        heading = HEADING.match(raw)
        if heading:
            text = clean_text(heading.group("text") or "")
            found[index] = _Candidate("heading", len(heading.group("hashes")), text,
                                      read_date_line(STRAY_TICK.sub("", text)) if DIGIT.search(text) else None)
        elif (raw and not raw[:1].isspace() and len(raw) <= 240 and DIGIT.search(raw)
              and not BULLET.match(raw)):
            kind = "bold" if BOLD_LINE.match(raw) else "plain"
            if kind == "bold" or previous_blank:
                text = clean_text(raw)
                mark = read_date_line(STRAY_TICK.sub("", text))
                if isinstance(mark, DateMark) or (mark is not None and mark.reason != VERSION):
                    found[index] = _Candidate(kind, 0, text, mark)  # `0.png` in a body line is not news
        previous_blank = not raw.strip()
    if any(isinstance(c.mark, DateMark) and c.mark.day_first for c in found.values()):
        for c in found.values():  # one `28/11/2023` makes the doc's `05/06/2023` the 5th of June
            if isinstance(c.mark, DateMark) and c.mark.form == "numeric":
                c.mark = read_date_line(STRAY_TICK.sub("", c.text), dayfirst=True)
    return found


def _last_years(dates: list[dt.date], previous: dt.date | None) -> list[dt.date]:
    """Year-less dates read below `previous` in a newest-first doc: a December below January is last
    year's December; a heading merely out of order (Sept below Aug) keeps the year."""
    if previous is None or (dates[0] - previous).days <= YEAR_ROLLBACK_DAYS:
        return dates
    try:
        earlier = [d.replace(year=d.year - 1) for d in dates]
    except ValueError:  # Feb 29 has no last year
        return dates
    return earlier if earlier[0] <= previous else dates


def _in_templates(candidates: dict[int, _Candidate]) -> set[int]:
    """Candidate lines inside a `# Meeting Template` section (up to the next heading of its level)."""
    inside: set[int] = set()
    level: int | None = None
    for index, c in sorted(candidates.items()):
        if c.kind == "heading" and c.text and level is not None and c.level <= level:
            level = None
        if level is not None:
            inside.add(index)
        elif c.kind == "heading" and c.text and TEMPLATE.search(c.text):
            level = c.level
    return inside


class _Parser:
    def __init__(self, year: int | None, lines: list[str]) -> None:
        self.year = year
        self.meetings: list[Meeting] = []
        self.warnings: list[str] = []
        self.decisions: list[Decision] = []
        self.title = ""
        self.descending = True
        self.last_date: dt.date | None = None
        self.heading_level: int | None = None
        self.maybe_cancelled = False
        self.body: list[tuple[int, str]] = []
        self.candidates = _candidates(lines)
        self._neighbours()

    def _neighbours(self) -> None:
        """What the dated headings say about the doc: its direction, and each line's next heading date/year."""
        dated = [(i, c.mark) for i, c in sorted(self.candidates.items()) if isinstance(c.mark, DateMark)]
        self.next_year: dict[int, int] = {}
        year = None
        for i, mark in reversed(dated):
            year = mark.year or year
            if year:
                self.next_year[i] = year
        self.section_years: dict[int, int] = {}
        current: int | None = None
        for i, c in sorted(self.candidates.items()):
            found = YEAR_HEADING.match(c.text) if c.kind == "heading" else None
            current = int(found.group(1)) if found else current
            if current:
                self.section_years[i] = current
        self.templated = _in_templates(self.candidates)
        strong = self._estimated([(i, m) for i, m in dated
                                  if self.candidates[i].kind == "heading" and i not in self.templated])
        # With no dated headings, the bold and plain date lines say which way the doc runs.
        ordered = strong if len(strong) >= 2 else self._estimated(dated)
        ups = sum(b[1] > a[1] for a, b in zip(ordered, ordered[1:], strict=False))
        downs = sum(b[1] < a[1] for a, b in zip(ordered, ordered[1:], strict=False))
        self.ascending = ups > downs
        self.strong = strong

    def _estimated(self, marks: list[tuple[int, DateMark]]) -> list[tuple[int, dt.date]]:
        """The dates these lines will most likely get in the main pass: a year from the line, its
        section (`## 2022`), the doc or the next dated line, and last year's December below January."""
        out: list[tuple[int, dt.date]] = []
        year = self.year
        for i, mark in marks:
            section = self.section_years.get(i)
            y = mark.year or section or year or self.next_year.get(i)
            if not y:
                continue
            try:
                date = mark.dates(y)[0]
            except ValueError:
                continue
            if not mark.year and not section:
                date = _last_years([date], out[-1][1] if out else None)[0]
            year = mark.year or year
            out.append((i, date))
        return out

    def _next_strong(self, index: int) -> dt.date | None:
        for i, date in self.strong:  # few headings per doc; a scan is cheap and simple
            if i > index:
                return date
        return None

    # -- meetings -------------------------------------------------------------------------------
    def dates_for(self, mark: DateMark, index: int) -> list[dt.date] | None:
        """The dates a line names, its year from the line, the doc, or the next dated line."""
        y = mark.year or self.year or self.next_year.get(index)
        if y is None:
            return None
        try:
            dates = mark.dates(y)
        except ValueError:
            return None
        return _last_years(dates, self.last_date) if not mark.year and self.descending else dates

    def commit(self, dates: list[dt.date], has_year: bool) -> None:
        if has_year:
            self.year = dates[0].year
        if self.last_date and dates[0] > self.last_date:
            self.descending = False
        self.last_date = min(dates)

    def consistent(self, date: dt.date, index: int) -> bool:
        """A stand-alone dated line must sit between the meetings around it in the doc's order."""
        before, after = self.last_date, self._next_strong(index)
        if self.ascending:
            before, after = after, before
        return (before is None or date <= before) and (after is None or date >= after)

    def start(self, dates: list[dt.date | None], title: str, heading: str, line: int,
              is_heading: bool, rest: str, label: str = "", struck: bool = False) -> None:
        self.flush()
        said = _says_cancelled(f"{label} {rest}")
        cancelled = struck or said is True
        self.maybe_cancelled = said is None
        series = _series(label, rest) if dates[0] is not None else ""
        for date in dates:
            self.meetings.append(Meeting(date, title, heading, line, is_heading, cancelled,
                                         (_cancel_reason(rest) or "struck through") if cancelled else "",
                                         series=series))

    def flush(self) -> None:
        if not self.meetings:
            self.body = []
            return
        current = [m for m in self.meetings if m.line == self.meetings[-1].line]
        items = parse_items(self.body) if self.body else []
        self.body = []
        reason = "" if current[0].cancelled else _cancel_note(items, self.maybe_cancelled)
        for meeting in current:
            meeting.items = items or meeting.items
            if reason:
                meeting.cancelled, meeting.cancel_reason = True, reason

    def meeting_time(self, raw: str) -> bool:
        """A time line first under a dated meeting (`10:30am Pacific`) says when, not what: not an item."""
        return bool(self.meetings[-1].date) and _is_time_line(raw) and not any(t.strip() for _, t in self.body)

    def decide(self, line: int, text: str, accepted: bool, reason: str, dates: list[dt.date] | None = None) -> None:
        self.decisions.append(Decision(line, text, accepted, reason, tuple(dates or ())))

    # -- lines ----------------------------------------------------------------------------------
    def heading(self, index: int, level: int, raw: str, next_line: str | None) -> bool:
        """Handle a markdown heading; True if it consumed the following line."""
        line = index + 1
        candidate = self.candidates[index]
        text, mark = candidate.text, candidate.mark
        consumed = False
        if not text and next_line is not None:  # `#  \` + `Sept 18`
            following = clean_text(next_line)
            next_mark = read_date_line(STRAY_TICK.sub("", following))
            if isinstance(next_mark, DateMark) and self.dates_for(next_mark, index):
                text, raw, consumed, mark = following, next_line.strip(), True, next_mark
        if not text:
            return consumed  # an empty `## ` inside a meeting: ignore it
        if index in self.templated:
            if isinstance(mark, DateMark):
                self.decide(line, text, False, "inside a template section")
            self.body.append((line, raw))
            return consumed
        dates = self.dates_for(mark, index) if isinstance(mark, DateMark) else None
        if dates and self.heading_level and level > self.heading_level and not self.consistent(dates[0], index):
            self.decide(line, text, False, "a deeper heading out of order with the meetings around it")
            self.body.append((line, raw))  # `### Jan 10 demo` inside a meeting of Dec 5 is a topic
            return consumed
        if isinstance(mark, DateMark) and dates:
            self.commit(dates, mark.year is not None)
            self.heading_level = self.heading_level or level
            self.decide(line, text, True, f"a dated heading (level {level})", dates)
            self.start(list(dates), text.replace("~~", "").strip(), raw, line, True, mark.rest, mark.label,
                       mark.label.count("~~") % 2 == 1)
            return consumed
        if isinstance(mark, DateMark):
            self.decide(line, text, False, "no year in the line, the file name or the meetings around it")
        elif isinstance(mark, Rejection):
            self.decide(line, text, False, mark.reason)
        year_heading = YEAR_HEADING.match(text)
        if year_heading:  # `## 2022`, `# Meetings in 2021`: the year of the dates below it
            self.year = int(year_heading.group(1))
            self.last_date = None
        if TEMPLATE.search(text):
            self.heading_level = self.heading_level or level
            self.start([None], text, raw, line, True, "")
        elif not self.meetings and not self.title and self.heading_level is None:
            self.title = text
        elif CONTENT_HEADINGS.match(text) or (self.heading_level and level > self.heading_level):
            self.body.append((line, raw))  # `## Recording: ...` is part of the meeting
        else:
            if isinstance(mark, Rejection) and mark.reason == "not a real day":
                self.warnings.append(f"line {line}: {text!r} is not a real date; kept as an undated section")
            self.heading_level = self.heading_level or level
            self.start([None], text, raw, line, True, text)
        return consumed

    def standalone(self, index: int, raw: str) -> bool:
        """A bold line, or a plain line after a blank one, whose content is a date starts a meeting."""
        candidate = self.candidates.get(index)
        if candidate is None or candidate.kind == "heading" or index in self.templated:
            return False
        line, text, mark = index + 1, candidate.text, candidate.mark
        if isinstance(mark, Rejection):
            self.decide(line, text, False, mark.reason)
            return False
        assert mark is not None
        tail = WORD.findall(SERIES_NOISE.sub(" ", mark.rest.replace("~~", " ")))
        head = WORD.findall(SERIES_NOISE.sub(" ", mark.label))
        if (len(text) > MAX_LINE_DATE[candidate.kind] or len(tail) > MAX_TAIL_WORDS[candidate.kind]
                or len(head) > MAX_TAIL_WORDS[candidate.kind]
                or any(w.lower() in SENTENCE_WORDS for w in tail)):
            self.decide(line, text, False, "a sentence that begins with a date")
            return False
        dates = self.dates_for(mark, index)
        if not dates:
            self.decide(line, text, False, "no year in the line, the file name or the meetings around it")
            return False
        if self.meetings and self.meetings[-1].date in dates:
            self.decide(line, text, False, "repeats the date of the meeting it is in")
            return False
        if not self.consistent(dates[0], index):
            self.decide(line, text, False, "out of order with the meetings around it (a date in the notes?)")
            return False
        self.commit(dates, mark.year is not None)
        self.decide(line, text, True, f"a {candidate.kind} line that is a date", dates)
        self.start(list(dates), text.replace("~~", "").strip(), raw, line, False, mark.rest, mark.label,
                   mark.label.count("~~") % 2 == 1)
        return True


TIME_LINE = re.compile(r"\s{0,3}(?:\*\*|__)?\s{0,3}\d{1,2}(?::\d{2})?\s{0,2}(?:[AaPp]\.?[Mm]\.?|UTC|GMT)")


def _is_time_line(raw: str) -> bool:
    """A short line that starts with a time of day: `**10:30am Pacific**`, `21:00 UTC (1:00 PM PDT on …)`."""
    return len(raw) <= 200 and TIME_LINE.match(raw) is not None


def _cancel_note(items: list[Item], maybe: bool) -> str:
    """Why the body says the meeting did not happen, or "" (`Cancelled?` counts only over an empty body)."""
    if not items:
        return "Cancelled?" if maybe else ""
    first = items[0].text  # "No meeting", "Cancelled due to KubeCon": a note, not "[bob] Cancelled pods"
    if len(items) <= 2 and len(first) < 160 and _says_cancelled(first) and not items[0].children \
            and not LEADING_OWNER.match(first):
        return first
    for root in items:
        for item in [root, *root.children]:
            if len(item.text) < 160 and CANCEL_NOTE.match(item.text) and not LEADING_OWNER.match(item.text):
                return item.text
    return ""


def parse(text: str, source_name: str = "notes.md", year: int | None = None) -> Document:
    """Parse one notes document. Raises NotesError if it holds no dated meeting at all."""
    doc_year = document_year(text, source_name, year)
    lines = note_lines(text)
    p = _Parser(doc_year, lines)
    skip = False
    for index, raw in enumerate(lines):
        if skip:
            skip = False
            continue
        number = index + 1
        heading = HEADING.match(raw)
        if heading:
            nxt = lines[index + 1] if index + 1 < len(lines) else None
            skip = p.heading(index, len(heading.group("hashes")), heading.group("text") or "", nxt)
        elif not p.standalone(index, raw):
            if p.meetings and not p.meeting_time(raw):
                p.body.append((number, raw))
            elif raw.strip() and not p.title:
                p.title = clean_text(raw)
    p.flush()
    if not any(m.date for m in p.meetings):
        named = _meeting_named_by_file(lines, source_name, p.title)
        if named is None:
            hint = "" if doc_year else " (and no year in its name: pass --year?)"
            raise NotesError(f"{source_name}: no dated meeting found; is this a meeting-notes file?{hint}")
        p.meetings = [named]
    return Document(p.title, doc_year, p.meetings, p.warnings, p.decisions)


def _meeting_named_by_file(lines: list[str], source_name: str, title: str) -> Meeting | None:
    """One file per meeting, dated only by its name (`2016-05-18.md`): the whole file is that meeting."""
    m = DATE_IN_NAME.search(source_name.rsplit("/", 1)[-1])
    if not m:
        return None
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    body = [(i + 1, raw) for i, raw in enumerate(lines)
            if not (HEADING.match(raw) and clean_text(raw.lstrip("#")) == title)]
    return Meeting(date, title or date.isoformat(), "", 1, False, items=parse_items(body))


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
