"""Agenda items from Slack, chairs' cancellations, markdown export, and reminders that go out once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slackbot.commands import Actor, Commands
from slackbot.core.notes import parse
from slackbot.core.schedule import Weekly
from slackbot.groups import Group, load_groups
from slackbot.index.ingest import ingest_source
from slackbot.index.store import ScheduleStore, Store
from slackbot.reminders import due, run_once
from tests.conftest import ROOT
from tests.slack_client import BOT_TOKEN
from tests.slack_peer import SlackPeer

NODE = Group("sig-node", "SIG Node", Weekly(1, dt.time(10), "America/Los_Angeles"), channel="C0NODE",
             chairs=("U0CHAIR",))
ALICE = Actor("U0ALICE", "alice", "Europe/Berlin")
CHAIR = Actor("U0CHAIR", "chair", "America/Los_Angeles")
NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)  # Saturday; next meeting Tue 2026-12-01 18:00Z


@pytest.fixture
def commands(store: Store) -> Commands:
    return Commands(store, group=NODE)


def test_add_list_remove(commands: Commands) -> None:
    added = commands.handle("add Pod overhead KEP review", NOW, actor=ALICE)
    assert added.kind == "added" and added.entries[0].date == "2026-12-01"
    later = commands.handle("add Swap beta for 2026-12-08", NOW, actor=ALICE)
    assert later.entries[0].date == "2026-12-08"
    agenda = commands.handle("agenda", NOW, actor=ALICE)
    assert [e.text for e in agenda.entries] == ["Pod overhead KEP review"]
    assert "Tue Dec 1, 10:00 PST (Tue 19:00 CET your time)" in agenda.headline_text()
    item = added.data["item_id"]
    assert "Only the person" in commands.handle(f"remove {item}", NOW, actor=CHAIR).headline_text()
    assert commands.handle(f"remove {item}", NOW, actor=ALICE).kind == "removed"
    assert commands.handle("agenda", NOW, actor=ALICE).entries == []


def test_add_refuses_bad_input(commands: Commands) -> None:
    assert "What should go" in commands.handle("add", NOW, actor=ALICE).headline_text()
    assert "at most 1000" in commands.handle("add " + "x" * 1001, NOW, actor=ALICE).headline_text()
    assert "not one of the next meetings" in commands.handle("add x for 2027-06-01", NOW, actor=ALICE).headline_text()


def test_retry_of_the_same_request_adds_once(commands: Commands) -> None:
    first = commands.handle("add Item once", NOW, actor=ALICE, request_key="trigger-1")
    second = commands.handle("add Item once", NOW, actor=ALICE, request_key="trigger-1")
    assert first.data["created"] and not second.data["created"]
    assert commands.agenda.count() == 1


def test_cancel_is_for_chairs_and_moves_the_next_meeting(commands: Commands) -> None:
    refused = commands.handle("cancel 2026-12-01 holiday", NOW, actor=ALICE)
    assert "Only the SIG Node chairs" in refused.headline_text()
    assert commands.upcoming(NOW, 1)[0].date() == dt.date(2026, 12, 1)
    done = commands.handle("cancel 2026-12-01 holiday", NOW, actor=CHAIR)
    assert done.kind == "cancelled"
    assert commands.upcoming(NOW, 1)[0].date() == dt.date(2026, 12, 8)
    assert commands.handle("add After the holiday", NOW, actor=ALICE).entries[0].date == "2026-12-08"
    assert "not one of the next" in commands.handle("cancel 2026-12-02", NOW, actor=CHAIR).headline_text()
    assert "back on" in commands.handle("uncancel 2026-12-01", NOW, actor=CHAIR).headline_text()
    assert commands.upcoming(NOW, 1)[0].date() == dt.date(2026, 12, 1)


def test_markdown_export_reads_back_as_the_same_items(commands: Commands) -> None:
    commands.handle("add [draft] Pod overhead KEP review", NOW, actor=ALICE)
    commands.add("Swap beta graduation", NOW, Actor("U0BOB", "bob"), None, "https://github.com/k/k/pull/1")
    text = commands.markdown(dt.date(2026, 12, 1))
    assert text.splitlines()[0] == "## Dec 1, 2026"
    doc = parse("# SIG Node Meeting Notes\n\n" + text, "live.md")
    (meeting,) = doc.dated
    assert meeting.date == dt.date(2026, 12, 1)
    assert [(i.owners, i.text) for i in meeting.items] == [
        (["alice"], "[alice] [draft] Pod overhead KEP review"), (["bob"], "[bob] Swap beta graduation link")]
    assert meeting.items[1].links[0].url == "https://github.com/k/k/pull/1"


HOSTILE_ITEMS = [
    "Swap follow-up\n## Mar 3, 2020\nCancelled",
    "Review <!-- hidden --> the <b>KEP</b> & notes",
    "Cancelled pods after eviction",
    "* not a bullet # not a heading [not](a link) `code` _under_ ~strike~ | pipe \\ backslash",
    "line\u2028separator\r\nand CRLF",
]


@pytest.mark.parametrize("text", HOSTILE_ITEMS)
def test_markdown_export_is_inert_when_read_back(store: Store, text: str) -> None:
    """Whatever a person typed, the exported agenda reads back as the same meeting, item and owner."""
    commands = Commands(store, group=NODE)
    typed = " ".join(text.split())
    author = Actor("U0EVE", "Eve ]\n## Mar 3 <!--", "UTC")
    assert commands.add(text, NOW, author, None).kind == "added"
    exported = commands.markdown(dt.date(2026, 12, 1))
    assert exported.count("\n") == 3  # heading, blank line, one bullet
    doc = parse("# SIG Node Meeting Notes\n\n" + exported, "live.md")
    assert [m.date for m in doc.meetings] == [dt.date(2026, 12, 1)]
    (meeting,) = doc.meetings
    assert not meeting.cancelled
    (item,) = meeting.items
    assert item.text.endswith(typed) and item.children == []
    assert item.owners and item.owners[0].startswith("eve")


def test_item_found_in_the_doc_is_shown_once(commands: Commands, store: Store, tmp_path: Path) -> None:
    commands.handle("add Pod overhead KEP review", NOW, actor=ALICE)
    notes = tmp_path / "live-notes.md"
    notes.write_text("# SIG Node Meeting Notes\n\n## Dec 1, 2026\n\n* [alice] Pod overhead KEP review (slides)\n"
                     "* [dawn] Something else\n")
    ingest_source(store, str(notes))
    entries = commands.agenda_entries(dt.date(2026, 12, 1))
    assert [(e.text, e.meeting) for e in entries] == [
        ("[dawn] Something else", "Dec 1, 2026"), ("Pod overhead KEP review", "in the doc")]


# -- reminders ---------------------------------------------------------------------------------------

def at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_due_offsets_and_grace() -> None:
    # meeting Tue 2026-12-01 10:00 PST = 18:00Z; reminders 24h and 1h before
    assert due(NODE, at("2026-11-30T17:59:00Z"), set()) == []
    (day_before,) = due(NODE, at("2026-11-30T18:05:00Z"), set())
    assert day_before.action == "send" and day_before.offset == dt.timedelta(hours=24)
    late = due(NODE, at("2026-12-01T17:10:00Z"), set())  # the 1h reminder is 10 minutes late: within grace
    assert [(d.offset.total_seconds(), d.action) for d in late] == [(86400, "missed"), (3600, "send")]
    assert [d.action for d in due(NODE, at("2026-12-01T17:20:00Z"), set())] == ["missed", "missed"]
    assert [d.action for d in due(NODE, at("2026-12-01T17:30:00Z"), {dt.date(2026, 12, 1)})] == ["cancelled"] * 2


@pytest.mark.parametrize("meeting_utc", ["2026-03-10T17:00:00Z", "2026-11-03T18:00:00Z", "2026-03-03T18:00:00Z",
                                         "2026-10-27T17:00:00Z"])
def test_reminders_follow_the_wall_clock_across_us_dst(meeting_utc: str) -> None:
    start = at(meeting_utc)
    hour = due(NODE, start - dt.timedelta(minutes=59), set())
    assert [d.start.astimezone(dt.UTC) for d in hour if d.offset == dt.timedelta(hours=1)] == [start]
    assert hour[-1].start.strftime("%H:%M") == "10:00"


class Posts:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, channel: str, message: dict[str, Any]) -> str:
        self.calls.append((channel, message))
        return f"17000000{len(self.calls):02d}.000100"


def test_run_once_sends_each_reminder_once_with_the_agenda(store: Store, commands: Commands) -> None:
    from slackbot.config import Settings
    from slackbot.slack.app import make_client

    commands.handle("add Pod overhead KEP review", NOW, actor=ALICE)
    with SlackPeer() as peer:
        client = make_client(Settings(bot_token=BOT_TOKEN, api_url=peer.api_url))

        def post(channel: str, message: dict[str, Any]) -> str:
            return str(client.chat_postMessage(channel=channel, **message)["ts"])

        sent = run_once(store, [NODE], post, at("2026-11-30T18:02:00Z"))
        again = run_once(store, [NODE], post, at("2026-11-30T18:03:00Z"))
        calls = peer.of("chat.postMessage")
    assert [o.status for o in sent] == ["sent"] and again == [] and len(calls) == 1
    message = calls[0].body
    assert message["channel"] == "C0NODE" and "SIG Node* meets in 24 hours" in message["blocks"][0]["text"]["text"]
    assert "Tue Dec 1, 10:00 PST (18:00 UTC)" in message["text"]
    assert "Pod overhead KEP review" in message["blocks"][1]["text"]["text"]
    assert message["blocks"][2]["elements"][0]["action_id"] == "open_add_item"
    rows = ScheduleStore(store).reminders("sig-node")
    assert [(r["status"], r["ts"]) for r in rows] == [("sent", sent[0].detail)] and sent[0].detail


def test_no_reminder_for_cancelled_or_missed_meetings(store: Store) -> None:
    ScheduleStore(store).cancel("sig-node", dt.date(2026, 12, 1), "holiday", "U0CHAIR")
    posts = Posts()
    outcomes = run_once(store, [NODE], posts, at("2026-12-01T17:30:00Z"))
    assert [o.status for o in outcomes] == ["cancelled", "cancelled"] and posts.calls == []
    outcomes = run_once(store, [NODE], posts, at("2026-12-07T18:30:00Z"))  # 24h reminder 30 min late
    assert [o.status for o in outcomes] == ["missed"] and posts.calls == []
    assert run_once(store, [NODE], posts, at("2026-12-08T17:01:00Z"))[0].status == "sent"


def test_dry_run_records_nothing(store: Store) -> None:
    posts = Posts()
    outcomes = run_once(store, [NODE], posts, at("2026-11-30T18:02:00Z"), dry_run=True)
    assert [o.status for o in outcomes] == ["dry-run"] and posts.calls == []
    assert ScheduleStore(store).reminders() == []


@pytest.fixture
def groups_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "signode.toml"
    path.write_text('[[group]]\nname = "sig-node"\ntitle = "SIG Node"\nchannel = "C0NODE"\nchairs = ["U0CHAIR"]\n'
                    '[group.schedule]\nday = "Tuesday"\ntime = "10:00"\ntz = "PT (Pacific Time)"\n'
                    'frequency = "weekly"\n')
    yield path


def test_two_processes_started_together_send_one_message(tmp_path: Path, groups_file: Path) -> None:
    assert load_groups(groups_file)[0].channel == "C0NODE"
    db = tmp_path / "r.db"
    Store(db).close()
    with SlackPeer() as peer:
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": peer.api_url}
        args = [sys.executable, "-m", "slackbot", "--db", str(db), "--groups", str(groups_file), "remind", "--once"]
        moments = ["2026-11-30T18:01:00Z", "2026-12-01T17:00:30Z", "2026-12-07T18:00:10Z"]
        for moment in moments:
            procs = [subprocess.Popen([*args, "--now", moment], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
            outs = [p.communicate(timeout=60) for p in procs]
            assert all(p.returncode == 0 for p in procs), outs
        posted = peer.of("chat.postMessage")
    assert len(posted) == 3
    assert [c.body["channel"] for c in posted] == ["C0NODE"] * 3
    statuses = [r["status"] for r in ScheduleStore(Store(db)).reminders()]
    assert statuses == ["sent", "sent", "sent"]
