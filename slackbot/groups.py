"""The groups signode serves, from a `signode.toml` file; with no file, SIG Node out of the box.

    [[group]]
    name = "sig-node"                       # the id used in the database
    title = "SIG Node"
    channel = "C0123456789"                 # Slack channel for reminders (empty: none in Slack)
    zoom_channel = "…@conference.xmpp.zoom.us"  # Zoom channel JID for reminders (empty: none in Zoom)
    zoom_account = "…"                      # the Zoom account ID that channel belongs to
    chairs = ["U0123", "U0456"]             # Slack user IDs allowed to cancel meetings
    sources = ["https://docs.google.com/document/d/…/edit"]
    reminders = ["24h", "1h"]               # before each meeting
    [group.schedule]                        # sigs.yaml's own words, read by schedule.parse_meeting
    day = "Tuesday"
    time = "10:00"
    tz = "PT (Pacific Time)"
    frequency = "weekly"

`signode groups import sigs.yaml --group sig-node` writes such a file from kubernetes/community's list.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from slackbot.core.schedule import MonthlyNth, Weekly, parse_meeting, with_anchor
from slackbot.errors import ConfigError
from slackbot.index.sources import archive_urls

DEFAULT_OFFSETS = (dt.timedelta(hours=24), dt.timedelta(hours=1))


@dataclass(frozen=True)
class Group:
    name: str
    title: str
    schedule: Weekly | MonthlyNth
    sources: tuple[str, ...] = ()
    channel: str = ""
    chairs: tuple[str, ...] = ()
    reminder_offsets: tuple[dt.timedelta, ...] = field(default=DEFAULT_OFFSETS)
    zoom_channel: str = ""
    zoom_account: str = ""

    def reminder_targets(self) -> list[tuple[str, str]]:
        """(platform, channel) pairs this group's reminders go to."""
        return ([("slack", self.channel)] if self.channel else []) + \
            ([("zoom", self.zoom_channel)] if self.zoom_channel else [])


# SIG Node's live notes doc (sigs.yaml's archive_url), read through Google Docs' markdown export.
SIG_NODE_LIVE_DOC = "https://docs.google.com/document/d/1Ne57gvidMEWXR70OxxnRkYquAoMpt56o75oZtg-OeBg/edit"

SIG_NODE = Group(
    name="sig-node",
    title="SIG Node",
    schedule=Weekly(weekday=1, time=dt.time(10, 0), tz="America/Los_Angeles"),
    sources=(*archive_urls(), SIG_NODE_LIVE_DOC),
)


def default_group() -> Group:
    return SIG_NODE


def parse_offset(text: str) -> dt.timedelta:
    """`24h`, `1h`, `30m`, `2d` as a duration."""
    m = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", str(text))
    if not m:
        raise ConfigError(f"reminder offset {text!r} should look like 24h, 1h, 30m or 2d")
    n, unit = int(m.group(1)), m.group(2)
    return {"d": dt.timedelta(days=n), "h": dt.timedelta(hours=n), "m": dt.timedelta(minutes=n)}[unit]


Anchor = Callable[[tuple[str, ...]], dt.date | None]


def load_groups(path: str | Path | None, anchor: Anchor | None = None) -> list[Group]:
    """Groups from a signode.toml file, or SIG Node alone when there is no file.

    `anchor` finds the latest meeting date in a group's ingested notes: it completes a biweekly
    schedule that sigs.yaml gives without a start date.
    """
    if not path:
        return [SIG_NODE]
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"groups file {file} does not exist")
    try:
        data = tomllib.loads(file.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    entries = data.get("group")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{file}: no [[group]] tables")
    return [_group(file, entry, anchor) for entry in entries]


def _group(file: Path, entry: dict[str, Any], anchor: Anchor | None) -> Group:
    name = str(entry.get("name") or "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ConfigError(f"{file}: group name {name!r} should be lower-case letters, digits and hyphens")
    schedule = entry.get("schedule") or {}
    parsed = parse_meeting(schedule)
    if parsed.rule is None and anchor is not None:
        parsed = with_anchor(parsed, schedule, anchor(tuple(entry.get("sources", ()))))
    if parsed.rule is None:
        raise ConfigError(f"{file}: group {name}: cannot work out the meeting dates: {parsed.reason}")
    offsets = tuple(parse_offset(o) for o in entry.get("reminders", ["24h", "1h"]))
    zoom_channel, zoom_account = str(entry.get("zoom_channel") or ""), str(entry.get("zoom_account") or "")
    if zoom_channel and not zoom_account:
        raise ConfigError(f"{file}: group {name}: zoom_channel needs zoom_account (the channel's Zoom account ID)")
    return Group(name, str(entry.get("title") or name), parsed.rule, tuple(entry.get("sources", ())),
                 str(entry.get("channel") or ""), tuple(str(c) for c in entry.get("chairs", ())), offsets,
                 zoom_channel, zoom_account)


def find(groups: list[Group], name: str | None) -> Group:
    if name is None:
        return groups[0]
    for group in groups:
        if group.name == name:
            return group
    raise ConfigError(f"no group {name!r}; known: {', '.join(g.name for g in groups)}")


def sigs_meetings(sigs_yaml: str | Path) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
    """(group dir, subproject name or None, meeting entry) for every meeting in sigs.yaml."""
    try:
        data = yaml.safe_load(Path(sigs_yaml).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{sigs_yaml}: cannot read ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{sigs_yaml}: not a sigs.yaml file")
    for kind in ("sigs", "workinggroups", "usergroups", "committees"):
        for group in data.get(kind) or []:
            for meeting in group.get("meetings") or []:
                yield group["dir"], None, meeting
            for sub in group.get("subprojects") or []:
                for meeting in sub.get("meetings") or []:
                    yield group["dir"], sub.get("name"), meeting


def import_group(sigs_yaml: str | Path, name: str, channel: str = "", chairs: tuple[str, ...] = ()) -> str:
    """A signode.toml [[group]] for one group of sigs.yaml: its main meeting, zone and notes doc."""
    entries = [m for g, sub, m in sigs_meetings(sigs_yaml) if g == name and sub is None]
    if not entries:
        raise ConfigError(f"{sigs_yaml}: no meetings for group {name!r}")
    main = next((m for m in entries if "main" in str(m.get("description", "")).lower()), entries[0])
    parsed = parse_meeting(main)
    title = name.replace("sig-", "SIG ").replace("wg-", "WG ").replace("-", " ").title().replace("Sig ", "SIG ")
    sources = [main["archive_url"]] if main.get("archive_url") else []
    lines = ["[[group]]", f'name = "{name}"', f'title = "{title}"', f'channel = "{channel}"',
             "chairs = [" + ", ".join(f'"{c}"' for c in chairs) + "]",
             "sources = [" + ", ".join(f'"{s}"' for s in sources) + "]", 'reminders = ["24h", "1h"]',
             f"# {parsed.rule.describe() if parsed.rule else 'NOT DETERMINED: ' + parsed.reason}",
             "[group.schedule]"]
    for key in ("day", "time", "tz", "frequency"):
        value = str(main.get(key, "")).replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'{key} = "{value}"')
    return "\n".join(lines) + "\n"
