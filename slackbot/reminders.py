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

from slackbot.commands import Commands, Entry
from slackbot.errors import SignodeError
from slackbot.groups import Group
from slackbot.index.store import ScheduleStore, Store
from slackbot.slack.blocks import reminder_message

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
    platform: str = "slack"


@dataclass(frozen=True)
class Reminder:
    """What a reminder says, whatever the platform: the meeting, how soon, the agenda so far."""

    group: Group
    start: dt.datetime
    offset: dt.timedelta
    entries: list[Entry]


Poster = Callable[[str, dict[str, Any]], str]  # Slack: (channel, message payload) -> message ts
Sender = Callable[[str, Reminder], str]  # any platform: (channel, reminder) -> message id


def run_once(store: Store, groups: list[Group], post: Poster | None, now: dt.datetime, dry_run: bool = False,
             grace: dt.timedelta = GRACE, others: dict[str, Sender] | None = None) -> list[Outcome]:
    """One pass: every due reminder of every group is claimed per platform (Slack `channel`, Zoom
    `zoom_channel`), then posted once there. `post` sends to Slack, `others` to other platforms."""
    senders: dict[str, Sender] = dict(others or {})
    if post is not None:
        senders["slack"] = lambda channel, r: post(channel, reminder_message(r.group.title, r.start, r.offset,
                                                                                r.entries))
    schedule = ScheduleStore(store)
    outcomes: list[Outcome] = []
    for group in groups:
        targets = [(p, c) for p, c in group.reminder_targets() if p in senders or dry_run]
        if not targets:
            continue
        cancelled = schedule.cancelled_dates(group.name, (now - dt.timedelta(days=1)).date())
        for item in due(group, now, cancelled, grace):
            for platform, channel in targets:
                outcome = _one(store, schedule, group, item, platform, channel, senders, now, dry_run)
                if outcome:
                    outcomes.append(outcome)
    return outcomes


def _one(store: Store, schedule: ScheduleStore, group: Group, item: Due, platform: str, channel: str,
         senders: dict[str, Sender], now: dt.datetime, dry_run: bool) -> Outcome | None:
    offset_s = int(item.offset.total_seconds())
    if dry_run:
        return Outcome(item, "dry-run", item.action, platform)
    status = "claimed" if item.action == "send" else item.action
    if not schedule.claim(group.name, item.start_utc, offset_s, status, channel, platform=platform):
        return None  # already sent, skipped or being sent by another process
    if item.action == "missed":
        late = int((now - item.fire_at).total_seconds() // 60)
        log.warning("reminder missed: group=%s meeting=%s offset=%s platform=%s late_min=%d (bot was down?)",
                    group.name, item.start_utc, item.offset, platform, late)
        return Outcome(item, "missed", f"{late} min late", platform)
    if item.action == "cancelled":
        log.info("reminder skipped: group=%s meeting=%s is cancelled", group.name, item.start_utc)
        return Outcome(item, "cancelled", "", platform)
    entries = Commands(store, group=group).agenda_entries(item.start.date())
    reminder = Reminder(group, item.start, item.offset, entries)
    try:
        ts = senders[platform](channel, reminder)
    except (SlackApiError, SignodeError) as exc:
        error = str(exc.response.get("error", "error")) if isinstance(exc, SlackApiError) else str(exc)
        schedule.finish(group.name, item.start_utc, offset_s, "failed", detail=error[:500], platform=platform)
        log.error("reminder failed: group=%s meeting=%s platform=%s error=%s", group.name, item.start_utc,
                  platform, error)
        return Outcome(item, "failed", error, platform)
    schedule.finish(group.name, item.start_utc, offset_s, "sent", ts=ts, platform=platform)
    log.info("reminder sent: group=%s meeting=%s offset=%s platform=%s ts=%s", group.name, item.start_utc,
             item.offset, platform, ts)
    return Outcome(item, "sent", ts, platform)
