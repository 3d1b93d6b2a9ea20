"""The groups signode serves. With no configuration file, SIG Node out of the box.

A group is a name, its notes sources, its Slack channel and chairs, its reminder offsets and its
meeting schedule. Reading a groups file and `sigs.yaml` comes with the schedules issue; today the
built-in SIG Node group is what every command uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from slackbot.schedule import Weekly
from slackbot.sources import archive_urls


@dataclass(frozen=True)
class Group:
    name: str
    title: str
    schedule: Weekly
    sources: tuple[str, ...] = ()
    channel: str = ""
    chairs: tuple[str, ...] = ()
    reminder_offsets: tuple[dt.timedelta, ...] = field(
        default=(dt.timedelta(hours=24), dt.timedelta(hours=1)))


SIG_NODE = Group(
    name="sig-node",
    title="SIG Node",
    schedule=Weekly(weekday=1, time=dt.time(10, 0), tz="America/Los_Angeles"),
    sources=tuple(archive_urls()),
)


def default_group() -> Group:
    return SIG_NODE
