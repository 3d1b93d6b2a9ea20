"""Is this line a meeting's date? Any common written form, with the guards that keep dates in prose out.

Notes written by hundreds of people date a meeting in many ways: `Dec 13`, `Nov 24th, 2020`,
`2021-12-09`, `12/18/2018`, `3/7/19`, `28 Nov 2023`, `Tuesday, March 5`, wrapped in words
(`Agenda (2019-12-12)`, `[NEXT] Triage (…)`, `APAC: Nov 3`). A line is a meeting start when such a
date is its main content: at its start, or after a short label. A date after a preposition or deep in
a sentence, a range (`May 20 - 23`), a version (`1.24`, `v1.16.0`) or a time (`10:30am`) is not.

`read_date_line` answers with a `DateMark` (the date's parts, the label before it and the text after
it), a `Rejection` (date-like, but not a meeting start, and why), or None (nothing date-like). Years
are left to the caller, who knows the file name and the neighbouring meetings. Every pattern is
bounded, so a hostile line costs time linear in its length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

from slackbot.core.text import MONTHS

_ORD = r"(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?,?\s{1,3})?"
# `Dec 13`, `Dec. 9`, `Feb7`, `Nov 24th, 2020`, `February 25,2020`, `Dec 22 & 29, 2020`
MONTH_FIRST = re.compile(
    _WEEKDAY + r"(?P<month>[A-Za-z]{3,9})\.?\s{0,3}(?P<day>\d{1,2})" + _ORD + r"\b"
    r"(?:\s{0,3}(?:&|and)\s{0,3}(?P<day2>\d{1,2})" + _ORD + r"\b)?"
    r"(?:\s{0,3},?\s{0,3}(?P<year>(?:19|20)\d{2})\b)?", re.I)
# `28 Nov 2023`, `5th of March, 2024`
DAY_FIRST = re.compile(
    _WEEKDAY + r"(?P<day>\d{1,2})" + _ORD + r"\s{0,3}(?:of\s{1,3})?(?P<month>[A-Za-z]{3,9})\b\.?"
    r"(?:\s{0,3},?\s{0,3}(?P<year>(?:19|20)\d{2})\b)?", re.I)
# `2021-12-09`, `2021/12/09`
ISO = re.compile(_WEEKDAY + r"(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})\b", re.I)
# `12/18/2018`, `3/7/19`, `12/13`, `28.11.2023`
NUMERIC = re.compile(_WEEKDAY + r"(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})"
                     r"(?:/(?P<year>(?:19|20)?\d{2})|\.(?P<dotyear>(?:19|20)\d{2}))?\b", re.I)

FORMS = (ISO, MONTH_FIRST, DAY_FIRST, NUMERIC)
# Where a date may start: the line's start or after a space or an opening mark (never inside a word
# or a number, which is how `v1.16.0` and `1/17.alpha` stay out).
START = re.compile(r"(?:^|(?<=[\s(\[–—:,*_~|-]))(?=\d|[A-Za-z])")
RANGE_AFTER = re.compile(r"\s{0,3}(?:-|–|—|to\b|through\b|thru\b|until\b|till\b)\s{0,3}"
                         r"(?:(?:[A-Za-z]{3,9}\.?\s{0,3})?\d{1,2}(?:st|nd|rd|th)?\b(?![:.]?\d)"  # not `- 1.28`
                         r"|(?:19|20)\d{2}-\d)", re.I)
VERSION_AFTER = re.compile(r"[.\-]\d|\.[a-z]", re.I)
TIME_START = re.compile(r"\d{1,2}(?::\d{2})\s{0,2}(?:am|pm|utc|[a-z]{2,4}\b)?|\d{1,2}\s{0,2}(?:am|pm)\b", re.I)
WORD = re.compile(r"[^\W\d_][\w'’]*")
# A label before a date ends where a sentence would: `Release on Dec 3` is about a date, not dated.
SENTENCE_WORDS = frozenset(
    "on at by until till from since before after to in of due is was will be are the a an "
    "and or than next last this every each starting ending until around about".split())
VERSION = "a version number, not a date"
MAX_LABEL_WORDS = 5
MAX_LABEL_CHARS = 48


@dataclass(frozen=True)
class DateMark:
    """A meeting's date as written: parts (year may be missing), the label before it, the text after."""

    year: int | None
    month: int
    day: int
    extra_days: tuple[int, ...]
    label: str
    rest: str
    form: str
    day_first: bool = False  # a numeric date whose first number cannot be a month (`28/11/2023`)

    def dates(self, year: int) -> list[dt.date]:
        """The dates this line names in `year` (ValueError if one is not a real day)."""
        return [dt.date(year, self.month, d) for d in (self.day, *self.extra_days)]


@dataclass(frozen=True)
class Rejection:
    """A date-like line that is not a meeting start, and why (shown by `signode check-notes`)."""

    reason: str


def _month(name: str) -> int | None:
    key = name.lower()
    if key in MONTHS:
        return MONTHS[key]
    return MONTHS.get(key[:3]) if len(key) > 3 and key[:3] in MONTHS and _is_month_spelling(key) else None


def _is_month_spelling(key: str) -> bool:
    """`Sept`, `Febuary`, `Septmber`: a month's first three letters and a month-like ending."""
    return key.endswith(("ber", "ary", "ch", "il", "ne", "ly", "ust")) and len(key) <= 9


def _numeric(m: re.Match[str], dayfirst: bool) -> tuple[int | None, int, int] | None:
    """`12/18/2018`, `3/7/19`, `12/13`, `28.11.2023` through dateutil (month first unless the doc is not)."""
    a, b = int(m.group("a")), int(m.group("b"))
    year = m.group("year") or m.group("dotyear")
    if m.group("sep") == "." and not year:
        return None  # `1.24` is a version
    try:
        parsed = dateutil_parser.parse(f"{a}/{b}/{year or 2000}", dayfirst=dayfirst or a > 12)
    except (ValueError, OverflowError):
        return None
    return (parsed.year if year else None), parsed.month, parsed.day


def _parts(form: re.Pattern[str], m: re.Match[str], dayfirst: bool) -> tuple[int | None, int, int] | None:
    if form is NUMERIC:
        return _numeric(m, dayfirst)
    month_text = m.group("month")
    month = int(month_text) if month_text.isdigit() else _month(month_text)
    if month is None or not 1 <= month <= 12:
        return None
    year = int(m.group("year")) if m.group("year") else None
    day = int(m.group("day"))
    try:
        dt.date(year or 2000, month, day)
    except ValueError:
        return None
    return year, month, day


# `Meeting of 10 January`, `Minutes of 2024-03-12`, `Week of Jan 3`, `Agenda for Dec 5`: a label that
# names the record itself may end in a preposition; `Release on Dec 3` may not.
RECORD_WORDS = frozenset("meeting meetings notes minutes agenda week call sync session summary recap".split())
RECORD_PREPOSITIONS = frozenset({"of", "for", "on"})


def _label_ok(label: str) -> bool:
    words = [w.lower() for w in WORD.findall(label)]
    if len(label) > MAX_LABEL_CHARS or len(words) > MAX_LABEL_WORDS:
        return False
    if not words or words[-1] not in SENTENCE_WORDS:
        return True
    return words[-1] in RECORD_PREPOSITIONS and 1 < len(words) <= 3 and all(w in RECORD_WORDS for w in words[:-1])


def find_date(text: str, dayfirst: bool = False) -> tuple[DateMark | None, str]:
    """The first date in `text` that could head a meeting, or None and what was wrong with the nearest."""
    reason = ""
    for checked, start in enumerate(START.finditer(text)):
        pos = start.start()
        if pos > MAX_LABEL_CHARS + 12 or checked > 24:
            break
        for form in FORMS:
            m = form.match(text, pos)
            if not m or (form is DAY_FIRST and _month(m.group("month")) is None):
                continue
            after = text[m.end():]
            label = text[:pos]
            if RANGE_AFTER.match(after):
                return None, "a range of dates"
            if VERSION_AFTER.match(after) or label.endswith(("v", "V", ".")):
                reason = reason or VERSION
                continue
            parts = _parts(form, m, dayfirst)
            if parts is None:
                if form is NUMERIC and m.group("sep") == ".":
                    reason = reason or VERSION
                elif form is not NUMERIC and _month(m.group("month")):
                    reason = reason or "not a real day"
                continue
            if not _label_ok(label):
                return None, "a date inside a sentence"
            year, month, day = parts
            extra: tuple[int, ...] = ()
            if form is MONTH_FIRST and m.group("day2"):
                try:
                    extra = (dt.date(year or 2000, month, int(m.group("day2"))).day,)
                except ValueError:
                    extra = ()
            numeric_dayfirst = form is NUMERIC and int(m.group("a")) > 12
            return DateMark(year, month, day, extra, label, after, _form_name(form), numeric_dayfirst), ""
    return None, reason


def _form_name(form: re.Pattern[str]) -> str:
    return {ISO: "iso", MONTH_FIRST: "month-first", DAY_FIRST: "day-first", NUMERIC: "numeric"}[form]


def read_date_line(text: str, dayfirst: bool = False) -> DateMark | Rejection | None:
    """A cleaned heading or line as a meeting date, a rejection with its reason, or None (no date)."""
    mark, reason = find_date(text, dayfirst)
    if TIME_START.match(text):
        return Rejection("a time line, not a meeting start") if mark or reason else None
    if mark is not None:
        return mark
    return Rejection(reason) if reason else None
