"""When a group meets: recurrence rules in the meeting's own time zone, read from sigs.yaml's free text.

Pure: the rule and `now` in, aware datetimes out. Occurrences are computed on the wall clock of the
meeting's zone (10:00 Pacific stays 10:00 across daylight-saving changes) and converted to UTC last.
`parse_meeting` turns a sigs.yaml meeting entry (`day`, `time`, `tz`, `frequency`) into a rule, or
says why it cannot (`biweekly` with no anchor date, bare `monthly`, ...): it never guesses silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "last": -1}
# Time-zone labels seen in sigs.yaml, mapped to IANA zones.
ZONES = {
    "pt": "America/Los_Angeles", "pacific": "America/Los_Angeles", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "utc": "UTC", "gmt": "UTC", "cet": "Europe/Berlin", "cest": "Europe/Berlin",
    "central european": "Europe/Berlin", "et": "America/New_York", "eastern": "America/New_York",
    "est": "America/New_York", "edt": "America/New_York", "poland": "Europe/Warsaw", "ist": "Asia/Kolkata",
    "india": "Asia/Kolkata", "bst": "Europe/London", "jst": "Asia/Tokyo", "china": "Asia/Shanghai",
}


class Recurrence:
    """What every rule shares: wall-clock times in the meeting's zone, and the next occurrences."""

    tz: str
    time: dt.time

    def dates(self, start: dt.date) -> Iterator[dt.date]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def at(self, day: dt.date) -> dt.datetime:
        """The meeting on `day` as an aware datetime in the meeting's zone."""
        return dt.datetime.combine(day, self.time, tzinfo=ZoneInfo(self.tz))

    def occurrences(self, after: dt.datetime, count: int, cancelled: Iterable[dt.date] = ()) -> list[dt.datetime]:
        """The next `count` meetings that start after `after`, skipping cancelled dates."""
        skip = set(cancelled)
        local = after.astimezone(ZoneInfo(self.tz))
        out: list[dt.datetime] = []
        for day in self.dates(local.date() - dt.timedelta(days=1)):
            start = self.at(day)
            if start <= after or day in skip:
                continue
            out.append(start)
            if len(out) == count:
                break
        return out


@dataclass(frozen=True)
class Weekly(Recurrence):
    """Every `interval` weeks on `weekday` (0 = Monday) at `time` in `tz`, counted from `anchor`."""

    weekday: int
    time: dt.time
    tz: str
    interval: int = 1
    anchor: dt.date | None = None

    def describe(self) -> str:
        every = "every week" if self.interval == 1 else f"every {self.interval} weeks"
        return f"{WEEKDAYS[self.weekday].title()}s {self.time.strftime('%H:%M')} {self.tz}, {every}"

    def dates(self, start: dt.date) -> Iterator[dt.date]:
        """Meeting dates on or after `start`, forever."""
        day = start + dt.timedelta(days=(self.weekday - start.weekday()) % 7)
        if self.interval > 1 and self.anchor is not None:
            weeks = (day - self.anchor).days // 7
            day += dt.timedelta(weeks=(-weeks) % self.interval)
        while True:
            yield day
            day += dt.timedelta(weeks=self.interval)


@dataclass(frozen=True)
class MonthlyNth(Recurrence):
    """The n-th (or last, n = -1) `weekday` of every month, plus `shift` days ("Wednesday after the 4th Tuesday")."""

    weekday: int
    n: int
    time: dt.time
    tz: str
    shift: int = 0

    def describe(self) -> str:
        nth = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}[self.n]
        after = f" + {self.shift} day" if self.shift else ""
        return f"the {nth} {WEEKDAYS[self.weekday].title()} of each month{after}, {self.time:%H:%M} {self.tz}"

    def day_in(self, year: int, month: int) -> dt.date:
        days = [d for d in calendar.Calendar().itermonthdates(year, month)
                if d.month == month and d.weekday() == self.weekday]
        return days[self.n - 1 if self.n > 0 else -1] + dt.timedelta(days=self.shift)

    def dates(self, start: dt.date) -> Iterator[dt.date]:
        year, month = start.year, start.month
        while True:
            day = self.day_in(year, month)
            if day >= start:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass
class Parsed:
    """One sigs.yaml meeting entry, read: a rule, or the reason there is none."""

    rule: Weekly | MonthlyNth | None
    reason: str


def _is_iana(name: str) -> bool:
    if "/" not in name and name.upper() != "UTC":
        return False
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


def zone(label: str) -> str | None:
    """An IANA zone for a sigs.yaml `tz` label such as `PT (Pacific Time)` or `Poland`."""
    text = label.strip()
    if _is_iana(text):
        return "UTC" if text.upper() == "UTC" else text
    lowered = text.lower()
    first = re.split(r"[\s(]", lowered, maxsplit=1)[0]
    if first in ZONES:
        return ZONES[first]
    for key, name in ZONES.items():
        if len(key) > 3 and key in lowered:
            return name
    inner = re.search(r"\(([^)]+)\)", lowered)
    return zone(inner.group(1)) if inner and inner.group(1) != lowered else None


def clock_time(text: str) -> dt.time | None:
    """`9:00`, `09:00`, `2PM`, `2:30 pm`, `14:30` as a time of day."""
    m = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*", text.lower())
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        hour = hour % 12 + (12 if m.group(3).startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def _weekday(text: str) -> int | None:
    for i, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name[:3]}(?:{name[3:]})?s?\b", text.lower()):
            return i
    return None


def _anchor(text: str) -> dt.date | None:
    """The date after `starting` (or `YYYY start date: Mon. Dth`) in a frequency or day field."""
    m = re.search(r"start(?:ing|s)?\s+(?:on\s+)?(?:[a-z]+day\s+)?([A-Za-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})",
                  text, re.I)
    if m:
        return _date(m.group(1))
    m = re.search(r"(\d{4})\s+start date:\s*([A-Za-z]+\.?\s+\d{1,2})", text, re.I)
    if m:
        return _date(f"{m.group(2)} {m.group(1)}")
    return None


def _date(text: str) -> dt.date | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(".", ""))
    try:
        return dateparser.parse(cleaned, default=dt.datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def _nth_weekday(text: str) -> tuple[int, int] | None:
    m = re.search(r"\b(first|second|third|fourth|last|1st|2nd|3rd|4th)\s+([a-z]+day)s?\b", text.lower())
    if not m:
        return None
    day = _weekday(m.group(2))
    return (ORDINALS[m.group(1)], day) if day is not None else None


def parse_meeting(entry: Mapping[str, Any]) -> Parsed:
    """Read a sigs.yaml meeting entry into a rule; where the text does not fix the dates, say what is missing."""
    day_text = str(entry.get("day") or "")
    freq = " ".join(str(entry.get("frequency") or "").split())
    tz_label = str(entry.get("tz") or "")
    time_text = str(entry.get("time") or "")
    tz = zone(tz_label)
    if tz is None:
        return Parsed(None, f"unknown time zone {tz_label!r}")
    at = clock_time(time_text)
    if at is None:
        return Parsed(None, f"unreadable time {time_text!r}")
    both = f"{day_text} {freq}"
    lowered = freq.lower()
    after = re.search(r"([a-z]+day),?\s+after the\s+(first|second|third|fourth|last)\s+([a-z]+day)", both.lower())
    if after:
        target, base = _weekday(after.group(1)), _weekday(after.group(3))
        if target is not None and base is not None:
            shift = (target - base) % 7 or 7
            return Parsed(MonthlyNth(base, ORDINALS[after.group(2)], at, tz, shift),
                          f"the {after.group(1)} after the {after.group(2)} {after.group(3)} of each month")
    nth = _nth_weekday(both)
    if nth and ("month" in both.lower() or "monthly" in lowered or not lowered or nth[0] != 1 or
                "of the" in both.lower()):
        n, day = nth
        return Parsed(MonthlyNth(day, n, at, tz), "monthly on an n-th weekday")
    weekday = _weekday(day_text)
    anchor = _anchor(both)
    if weekday is None and anchor is not None:
        weekday = anchor.weekday()
    if weekday is None:
        return Parsed(None, f"no weekday in day {day_text!r}")
    if re.search(r"\bbi-?weekly\b|every (two|2|other) weeks", lowered):
        if anchor is None:
            return Parsed(None, "biweekly without a start date: needs an anchor date (a known meeting day)")
        if anchor.weekday() != weekday:
            return Parsed(None, f"start date {anchor} is not a {WEEKDAYS[weekday].title()}")
        return Parsed(Weekly(weekday, at, tz, 2, anchor), f"every two weeks from {anchor}")
    if re.search(r"every (four|4|three|3) weeks", lowered):
        n = 4 if re.search(r"four|4", lowered) else 3
        if anchor is None:
            return Parsed(None, f"every {n} weeks without a start date: needs an anchor date")
        return Parsed(Weekly(weekday, at, tz, n, anchor), f"every {n} weeks from {anchor}")
    if "monthly" in lowered:
        if anchor is not None:
            n = (anchor.day - 1) // 7 + 1
            return Parsed(MonthlyNth(anchor.weekday(), n, at, tz),
                          f"monthly: the weekday and week of the start date {anchor}")
        return Parsed(None, "monthly without which week of the month: needs e.g. 'third Tuesday'")
    if "weekly" in lowered or not lowered:
        return Parsed(Weekly(weekday, at, tz, 1, anchor), "weekly")
    return Parsed(None, f"unrecognised frequency {freq!r}")


def with_anchor(parsed: Parsed, entry: Mapping[str, Any], anchor: dt.date | None) -> Parsed:
    """Complete a biweekly/4-weekly entry that lacked a start date with a known meeting date (from the notes)."""
    if parsed.rule is not None or anchor is None or "anchor" not in parsed.reason:
        return parsed
    freq = str(entry.get("frequency") or "")
    return parse_meeting({**entry, "frequency": f"{freq} starting {anchor:%B %d, %Y}"})
