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
# The schedule field of a group that has none (`scheduled=False`): never read, no agenda, no reminders.
NO_SCHEDULE = Weekly(weekday=0, time=dt.time(0, 0), tz="UTC")


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
    channels: tuple[str, ...] = ()  # more Slack channel IDs / Zoom channel JIDs whose questions are about it
    scheduled: bool = True  # False: sigs.yaml does not say when it meets (searchable, no agenda or reminders)

    def reminder_targets(self) -> list[tuple[str, str]]:
        """(platform, channel) pairs this group's reminders go to."""
        if not self.scheduled:
            return []
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


Anchor = Callable[[tuple[str, ...], str], dt.date | None]  # (sources, group name) -> its latest meeting


def load_groups(path: str | Path | None, anchor: Anchor | None = None, lenient: bool = False) -> list[Group]:
    """Groups from a signode.toml file, or SIG Node alone when there is no file.

    `lenient` (for ingest, which needs only names): a schedule that cannot be worked out yet (a
    biweekly meeting waits for its notes to anchor it) makes the group unscheduled instead of an error.

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
    return [_group(file, entry, anchor, lenient) for entry in entries]


def _group(file: Path, entry: dict[str, Any], anchor: Anchor | None, lenient: bool = False) -> Group:
    name = str(entry.get("name") or "")
    if not valid_name(name):
        raise ConfigError(f"{file}: group name {name!r} should be lower-case letters, digits and hyphens")
    schedule = entry.get("schedule") or {}
    parsed = parse_meeting(schedule)
    if parsed.rule is None and anchor is not None and "anchor" in parsed.reason:  # only then can notes help
        parsed = with_anchor(parsed, schedule, anchor(tuple(entry.get("sources", ())), name))
    scheduled = parsed.rule is not None
    if not scheduled and not entry.get("unscheduled") and not lenient:
        raise ConfigError(f"{file}: group {name}: cannot work out the meeting dates: {parsed.reason}"
                          " (set unscheduled = true to serve its notes without agenda or reminders)")
    offsets = tuple(parse_offset(o) for o in entry.get("reminders", ["24h", "1h"]))
    zoom_channel, zoom_account = str(entry.get("zoom_channel") or ""), str(entry.get("zoom_account") or "")
    if zoom_channel and not zoom_account:
        raise ConfigError(f"{file}: group {name}: zoom_channel needs zoom_account (the channel's Zoom account ID)")
    channels = entry.get("channels", [])
    if not isinstance(channels, list):
        raise ConfigError(f"{file}: group {name}: channels should be a list of channel IDs")
    rule = parsed.rule or NO_SCHEDULE
    return Group(name, str(entry.get("title") or name), rule, tuple(entry.get("sources", ())),
                 str(entry.get("channel") or ""), tuple(str(c) for c in entry.get("chairs", ())), offsets,
                 zoom_channel, zoom_account, tuple(str(c) for c in channels), scheduled)


GROUP_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
GROUP_DIR = re.compile(r"(?:sig|wg|ug|committee)-[a-z0-9-]+")  # kubernetes/community's group folders


def valid_name(name: str) -> bool:
    return bool(GROUP_NAME.fullmatch(name))


def group_of_path(path: str, known: set[str], folder: str | None = None) -> str | None:
    """The group a notes file belongs to, from its folder: `sig-auth/notes.md`, a folder named in the
    groups file, or the sub-folder it was found in when a parent folder was ingested."""
    parent = Path(path).parent.name.lower()
    if parent in known or GROUP_DIR.fullmatch(parent):
        return parent
    if folder:
        name = re.sub(r"[^a-z0-9-]+", "-", folder.lower()).strip("-")
        return name if valid_name(name) else None
    return None


def find(groups: list[Group], name: str | None) -> Group:
    if name is None:
        return groups[0]
    for group in groups:
        if group.name == name:
            return group
    raise ConfigError(f"no group {name!r}; known: {', '.join(g.name for g in groups)}")


KINDS = {"sigs": "SIG {}", "workinggroups": "WG {}", "usergroups": "UG {}", "committees": "{} Committee"}


def _sigs(sigs_yaml: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(sigs_yaml).read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{sigs_yaml}: cannot read ({exc})") from None
    if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in KINDS):
        raise ConfigError(f"{sigs_yaml}: not a sigs.yaml file (no sigs, workinggroups or committees)")
    return data


def sigs_groups(sigs_yaml: str | Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, group entry) for every group of sigs.yaml, in file order."""
    data = _sigs(sigs_yaml)
    for kind in KINDS:
        for group in data.get(kind) or []:
            if isinstance(group, dict) and group.get("dir"):
                yield kind, group


def sigs_meetings(sigs_yaml: str | Path) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
    """(group dir, subproject name or None, meeting entry) for every meeting in sigs.yaml."""
    for _, group in sigs_groups(sigs_yaml):
        for meeting in group.get("meetings") or []:
            yield group["dir"], None, meeting
        for sub in group.get("subprojects") or []:
            for meeting in sub.get("meetings") or []:
                yield group["dir"], sub.get("name"), meeting


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def import_groups(sigs_yaml: str | Path, names: list[str] | None, channels: dict[str, str] | None = None,
                  chairs: dict[str, tuple[str, ...]] | None = None) -> str:
    """signode.toml [[group]] tables for the named groups of sigs.yaml (None: every group), each with its
    main meeting's schedule and notes doc; Slack channel IDs and chairs where the caller gives them.
    A group whose schedule sigs.yaml does not pin down is written `unscheduled` (searchable only)."""
    channels, chairs = channels or {}, chairs or {}
    groups = {g["dir"]: (kind, g) for kind, g in sigs_groups(sigs_yaml)}
    wanted = list(groups) if names is None else names
    unknown = [n for n in wanted if n not in groups]
    if unknown:
        raise ConfigError(f"{sigs_yaml}: no group {', '.join(map(repr, unknown))}; "
                          f"groups are named by their dir, such as sig-node or wg-batch")
    for name in [*channels, *chairs]:
        if name not in wanted:
            raise ConfigError(f"a channel or chair is given for {name!r}, which is not being imported")
    return "\n".join(_group_toml(name, *groups[name], channels.get(name, ""), chairs.get(name, ()))
                     for name in wanted)


def _group_toml(name: str, kind: str, group: dict[str, Any], channel: str, chairs: tuple[str, ...]) -> str:
    meetings = [m for m in group.get("meetings") or [] if isinstance(m, dict)]
    main = next((m for m in meetings if "main" in str(m.get("description", "")).lower()),
                meetings[0] if meetings else {})
    parsed = parse_meeting(main)
    title = KINDS[kind].format(group.get("name") or name)
    sources = [str(m["archive_url"]) for m in [main] if m.get("archive_url")]
    slack = (group.get("contact") or {}).get("slack") or ""
    lines = ["[[group]]", f"name = {_toml(name)}", f"title = {_toml(title)}",
             f"channel = {_toml(channel)}" + (f"  # Slack #{slack}: put its channel ID here" if slack and not channel
                                             else ""),
             "chairs = [" + ", ".join(_toml(c) for c in chairs) + "]",
             "sources = [" + ", ".join(_toml(s) for s in sources) + "]", 'reminders = ["24h", "1h"]']
    if parsed.rule is None:
        lines += [f"# NOT DETERMINED: {parsed.reason or 'no meeting listed'}; notes are searchable, no reminders",
                  "unscheduled = true"]
    else:
        lines.append(f"# {parsed.rule.describe()}")
    lines.append("[group.schedule]")
    for key in ("day", "time", "tz", "frequency"):
        lines.append(f"{key} = {_toml(str(main.get(key, '')))}")
    return "\n".join(lines) + "\n"


def import_group(sigs_yaml: str | Path, name: str, channel: str = "", chairs: tuple[str, ...] = ()) -> str:
    """A signode.toml [[group]] for one group of sigs.yaml: its main meeting, zone and notes doc."""
    return import_groups(sigs_yaml, [name], {name: channel} if channel else {}, {name: chairs} if chairs else {})
