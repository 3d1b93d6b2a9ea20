"""`signode doctor`: what an operator checks first when something is off, one line per check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from slackbot.config import Settings
from slackbot.errors import SignodeError
from slackbot.groups import load_groups
from slackbot.index.sources import read_source
from slackbot.index.store import Store


@dataclass
class Check:
    name: str
    status: str  # ok | WARN | FAIL
    detail: str


def run_checks(settings: Settings, store: Store, groups_file: str, timeout: float) -> Iterator[Check]:
    health = store.health()
    counts = store.counts()
    yield Check("database", "ok" if health["integrity"] == "ok" else "FAIL",
                f"{settings.db_path}: integrity {health['integrity']}, journal {health['journal_mode']}, "
                f"migrations {', '.join(health['migrations'])}")
    yield Check("notes", "ok" if counts["meetings"] else "WARN",
                f"{counts['sources']} sources, {counts['meetings']} meetings, {counts['items']} agenda items"
                + ("" if counts["meetings"] else " (run `signode ingest`)"))
    try:
        groups = load_groups(groups_file, store.latest_meeting)
    except SignodeError as exc:
        yield Check("groups", "FAIL", str(exc))
        return
    now = dt.datetime.now(dt.UTC)
    for g in groups:
        nxt = g.schedule.occurrences(now, 1)[0]
        yield Check(f"group {g.name}", "ok" if g.channel else "WARN",
                    f"{g.schedule.describe()}; next {nxt.isoformat()}; "
                    + (f"reminders to {g.channel}" if g.channel else "no channel: no reminders"))
    yield from _slack(settings, [g.channel for g in groups if g.channel])
    yield from _zoom(settings)
    for source in dict.fromkeys(s for g in groups for s in g.sources):
        try:
            fetched = read_source(source, timeout)
        except SignodeError as exc:
            yield Check("source", "FAIL", str(exc))
            continue
        size = len(fetched.data) if fetched else 0
        yield Check("source", "ok", f"{source}: {size} bytes")


def _slack(settings: Settings, channels: list[str]) -> Iterator[Check]:
    if not settings.bot_token:
        yield Check("slack", "WARN", "SLACK_BOT_TOKEN not set: only the terminal commands will work")
        return
    from slack_sdk.errors import SlackApiError

    from slackbot.slack.app import make_client

    try:
        client = make_client(settings)
        auth = client.auth_test()
    except (SignodeError, SlackApiError) as exc:
        detail = exc.response.get("error") if isinstance(exc, SlackApiError) else str(exc)
        yield Check("slack token", "FAIL", f"auth.test: {detail}")
        return
    yield Check("slack token", "ok", f"bot {auth.get('user')} in team {auth.get('team')} ({settings.api_url})")
    for channel in channels:
        try:
            info = client.conversations_info(channel=channel)
            member = info["channel"].get("is_member")
            yield Check(f"channel {channel}", "ok" if member else "FAIL",
                        "the bot is a member" if member else "the bot is not in the channel: /invite @signode")
        except SlackApiError as exc:
            error = exc.response.get("error")
            status = "WARN" if error == "missing_scope" else "FAIL"
            yield Check(f"channel {channel}", status, f"conversations.info: {error}"
                        + (" (add channels:read to check membership)" if error == "missing_scope" else ""))


def _zoom(settings: Settings) -> Iterator[Check]:
    """With ZOOM_* set: all four there, and Zoom grants the chatbot token."""
    if not settings.zoom_configured():
        return
    try:
        zoom = settings.require_zoom()
    except SignodeError as exc:
        yield Check("zoom", "FAIL", str(exc))
        return
    from slackbot.zoom.client import ZoomClient

    try:
        ZoomClient(zoom).token()
    except SignodeError as exc:
        yield Check("zoom token", "FAIL", str(exc))
        return
    yield Check("zoom token", "ok", f"chatbot token granted for bot {zoom.bot_jid} ({zoom.oauth_url})")
