"""Reminders before each meeting: due now, sent exactly once, never for a cancelled or long-missed one.

`due` is pure (the schedule, cancellations and `now` in, what to do out). `run_once` claims each due
reminder in SQLite (a row keyed by group, meeting start and offset, inserted in a BEGIN IMMEDIATE
transaction) before it posts, so two processes, or a cron job beside `signode serve`, send one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from slackbot.blocks import reminder_message
from slackbot.commands import Commands
from slackbot.groups import Group
from slackbot.store import ScheduleStore, Store

log = logging.getLogger("signode.reminders")
GRACE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Due:
    group: str
    start: dt.datetime  # aware, in the meeting's zone
    offset: dt.timedelta
    action: str  # send | missed | cancelled

    @property
    def start_utc(self) -> str:
        return self.start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def fire_at(self) -> dt.datetime:
        return self.start - self.offset


def due(group: Group, now: dt.datetime, cancelled: set[dt.date], grace: dt.timedelta = GRACE) -> list[Due]:
    """Reminders whose moment has come for meetings that have not started yet."""
    horizon = max(group.reminder_offsets, default=dt.timedelta(0))
    out: list[Due] = []
    for start in group.schedule.occurrences(now, 64):
        if start - horizon > now:
            break
        for offset in group.reminder_offsets:
            fire_at = start - offset
            if fire_at > now:
                continue
            action = "cancelled" if start.date() in cancelled else "missed" if now - fire_at > grace else "send"
            out.append(Due(group.name, start, offset, action))
    return out


@dataclass
class Outcome:
    due: Due
    status: str  # sent | failed | missed | cancelled | taken (another process had it) | dry-run
    detail: str = ""


Poster = Callable[[str, dict[str, Any]], str]  # (channel, message payload) -> message ts


def run_once(store: Store, groups: list[Group], post: Poster, now: dt.datetime, dry_run: bool = False,
             grace: dt.timedelta = GRACE) -> list[Outcome]:
    """One pass: every due reminder of every group with a channel is claimed, then posted once."""
    schedule = ScheduleStore(store)
    outcomes: list[Outcome] = []
    for group in groups:
        if not group.channel:
            continue
        cancelled = schedule.cancelled_dates(group.name, (now - dt.timedelta(days=1)).date())
        for item in due(group, now, cancelled, grace):
            offset_s = int(item.offset.total_seconds())
            if dry_run:
                outcomes.append(Outcome(item, "dry-run", item.action))
                continue
            status = "claimed" if item.action == "send" else item.action
            if not schedule.claim(group.name, item.start_utc, offset_s, status, group.channel):
                continue  # already sent, skipped or being sent by another process
            if item.action == "missed":
                late = int((now - item.fire_at).total_seconds() // 60)
                log.warning("reminder missed: group=%s meeting=%s offset=%s late_min=%d (bot was down?)",
                            group.name, item.start_utc, item.offset, late)
                outcomes.append(Outcome(item, "missed", f"{late} min late"))
                continue
            if item.action == "cancelled":
                log.info("reminder skipped: group=%s meeting=%s is cancelled", group.name, item.start_utc)
                outcomes.append(Outcome(item, "cancelled"))
                continue
            entries = Commands(store, group=group).agenda_entries(item.start.date())
            message = reminder_message(group.title, item.start, item.offset, entries)
            outcomes.append(_send(schedule, group, item, offset_s, post, message))
    return outcomes


def _send(schedule: ScheduleStore, group: Group, item: Due, offset_s: int, post: Poster,
          message: dict[str, Any]) -> Outcome:
    try:
        ts = post(group.channel, message)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "error"))
        schedule.finish(group.name, item.start_utc, offset_s, "failed", detail=error)
        log.error("reminder failed: group=%s meeting=%s error=%s", group.name, item.start_utc, error)
        return Outcome(item, "failed", error)
    schedule.finish(group.name, item.start_utc, offset_s, "sent", ts=ts)
    log.info("reminder sent: group=%s meeting=%s offset=%s ts=%s", group.name, item.start_utc, item.offset, ts)
    return Outcome(item, "sent", ts)
