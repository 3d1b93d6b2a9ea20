"""When a group meets: a recurrence rule in the meeting's own time zone, minus cancellations.

Pure: the rule and `now` in, aware datetimes out. Occurrences are computed on the wall clock of the
meeting's zone (10:00 Pacific stays 10:00 across daylight-saving changes) and converted to UTC last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class Weekly:
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

    def at(self, day: dt.date) -> dt.datetime:
        """The meeting on `day` as an aware datetime in the meeting's zone."""
        return dt.datetime.combine(day, self.time, tzinfo=ZoneInfo(self.tz))

    def occurrences(self, after: dt.datetime, count: int, cancelled: Iterable[dt.date] = ()) -> list[dt.datetime]:
        """The next `count` meetings that start after `after`, skipping cancelled dates."""
        skip = set(cancelled)
        local = after.astimezone(ZoneInfo(self.tz))
        out: list[dt.datetime] = []
        for day in self.dates(local.date()):
            start = self.at(day)
            if start <= after or day in skip:
                continue
            out.append(start)
            if len(out) == count:
                return out
        return out  # pragma: no cover - the generator is infinite
