"""Load, faults and hostile input: nothing lost, nothing broken, nothing pinged."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackbot.commands import Actor, Commands
from slackbot.core.schedule import Weekly
from slackbot.groups import Group
from slackbot.index.store import AgendaStore, Store
from slackbot.slack.blocks import MAX_BLOCKS, MAX_BUTTON_VALUE, MAX_SECTION
from slackbot.sync import sync_once
from tests.conftest import NOTES, Running
from tests.notes_server import NotesServer, Response
from tests.slack_client import command

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def dated_meetings(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM meetings WHERE date IS NOT NULL").fetchone()[0])


def test_sync_keeps_last_good_index_through_six_kinds_of_fetch(store: Store) -> None:
    good = (NOTES / "meeting-notes-2018.md").read_bytes()
    edited = good.replace(b"Sandboxes API Decision", b"Sandboxes API Decision (final)")
    half = good[: good.index(b"# June 26")]  # the newest half of 2018's meetings only
    sequence = [("good doc", Response(good)),
                ("sign-in page", Response(b"<!DOCTYPE html><html><head><title>Sign in</title></head>",
                                          content_type="text/html")),
                ("empty body", Response(b"")),
                ("timeout", Response(good, delay=1.5)),
                ("half the meetings cut", Response(half)),
                ("edited good doc", Response(edited))]
    with NotesServer() as server:
        url = server.serve("/sig-node/archive/meeting-notes-2018.md", *[r for _, r in sequence])
        group = Group("sig-node", "SIG Node", Weekly(1, dt.time(10), "America/Los_Angeles"), sources=(url,))
        commands = Commands(store, group=group)
        agenda = AgendaStore(store)
        statuses = []
        for i, (label, _) in enumerate(sequence):
            commands.handle(f"add item number {i} added before the {label}", NOW, actor=Actor("U1", "alice"))
            (result,) = sync_once(store, [group], timeout=0.5)
            statuses.append(result.status)
            assert dated_meetings(store) == 48, label
            assert agenda.count() == i + 1, label  # nothing added in Slack is ever lost by a sync
            texts = [r["text"] for r in store.query("SELECT text FROM items WHERE parent_id IS NULL")]
            final = "Sandboxes API Decision (final) (@tallclair)" in texts
            assert final == (label == "edited good doc"), label
    assert statuses == ["updated", "failed", "failed", "failed", "failed", "updated"]


def test_unchanged_live_doc_costs_one_conditional_request(store: Store) -> None:
    good = (NOTES / "meeting-notes-2018.md").read_bytes()
    with NotesServer() as server:
        url = server.serve("/live/meeting-notes-2018.md", Response(good))
        group = Group("g", "G", Weekly(1, dt.time(10), "UTC"), sources=(url,))
        assert sync_once(store, [group])[0].status == "updated"
        again = sync_once(store, [group])[0]
        assert (again.status, again.detail) == ("unchanged", "304")
        assert server.requests[-1][1]["If-None-Match"]


def test_fifty_concurrent_adds_all_stored_and_retries_add_none(server: Running) -> None:
    agenda = AgendaStore(Store(server.db))
    before = agenda.count()
    stamp = time.monotonic_ns()

    def add(i: int) -> int:
        return command(server.url, f"add concurrent item {i}", server.peer.response_url(f"c{stamp}-{i}"),
                       trigger=f"conc-{stamp}-{i}").status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(add, range(50)))
    assert statuses == [200] * 50
    server.peer.wait_for(lambda: all(server.peer.responses(f"c{stamp}-{i}") for i in range(50)), timeout=30)
    assert agenda.count() == before + 50

    def retry(i: int) -> int:
        return command(server.url, f"add concurrent item {i}", server.peer.response_url(f"r{stamp}-{i}"),
                       trigger=f"conc-{stamp}-{i}", headers={"X-Slack-Retry-Num": "1"}).status

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert list(pool.map(retry, range(50))) == [200] * 50
    server.peer.wait_for(lambda: all(server.peer.responses(f"r{stamp}-{i}") for i in range(50)), timeout=30)
    assert agenda.count() == before + 50
    replies = [json.dumps(server.peer.responses(f"c{stamp}-{i}")[0].body) for i in range(50)]
    assert all("Added to the SIG Node agenda" in r for r in replies)


def test_writers_in_threads_never_see_database_is_locked(tmp_path: Path) -> None:
    store = Store(tmp_path / "locks.db")
    agenda = AgendaStore(store)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                agenda.add("sig-node", dt.date(2026, 12, 1), f"w{n}-{i}", "", f"U{n}", "x", f"k{n}-{i}")
                store.db.execute("SELECT COUNT(*) FROM added_items").fetchone()
        except BaseException as exc:  # recorded and re-raised by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and agenda.count() == 320


# -- hostile input through the real app, in process ---------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(list("<>&!@|#*_~`\"'\\:()[]{}^-") + ["<!channel>", "<!here>", "<@U1>",
                                                                   "<https://evil|x>", "add ", "search ", "when ",
                                                                   "meeting ", "remove ", "cancel ", "NEAR(",
                                                                   " AND ", "🎉", "\u202e", "\x00", "swap "]),
             max_size=40).map("".join),
    st.sampled_from(["x" * 3000, "add " + "y" * 1500, "add <!channel> please", "search <@U123>",
                     "meeting 2019-02-30", "remove 99999999999999999999", "add x for 2099-01-01"]),
)


@pytest.fixture(scope="module")
def app_under_test(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real Bolt app, built by build_app against the local peer, fed signed requests in process."""
    from slackbot.config import Settings
    from slackbot.slack.app import build_app
    from tests.slack_client import BOT_TOKEN, SECRET
    from tests.slack_peer import SlackPeer

    db = tmp_path_factory.mktemp("hostile") / "h.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as peer:
        settings = Settings(db_path=str(db), bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=peer.api_url)
        store = Store(db)
        yield build_app(settings, store, clock=lambda: NOW), peer, store


def dispatch(app: Any, form: dict[str, str]) -> Any:
    import urllib.parse

    from slack_bolt.request import BoltRequest

    from tests.slack_client import sign

    body = urllib.parse.urlencode(form)
    ts = str(int(time.time()))
    return app.dispatch(BoltRequest(body=body, headers={
        "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts,
        "x-slack-signature": sign(body, ts)}))


def check_message(payload: dict[str, Any], typed: str) -> None:
    blocks = payload.get("blocks") or []
    assert len(blocks) <= MAX_BLOCKS
    shown: list[str] = [str(payload.get("text", ""))]
    for block in blocks:
        assert block["type"] in {"section", "context", "actions", "header", "divider"}
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION
            shown.append(block["text"]["text"])
        for element in block.get("elements", []):
            assert len(element.get("value", "")) <= MAX_BUTTON_VALUE
            shown.append(str(element.get("text", "")))
    text = "\n".join(shown)
    for marker in ("<!", "<@", "<http"):
        if marker in typed:
            # anything of that shape in the reply must be ours: a link we built to the notes, never the input's
            for found in [text[i:i + 60] for i in range(len(text)) if text.startswith(marker, i)]:
                assert marker == "<http" and found.split("|")[0][1:] not in typed, found


counter = iter(range(10**9))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(text=HOSTILE_TEXT)
def test_two_thousand_hostile_commands(app_under_test: Any, text: str) -> None:
    app, peer, _store = app_under_test
    name = f"h{next(counter)}"
    response = dispatch(app, {"token": "x", "team_id": "T1", "channel_id": "C1", "user_id": "U0001",
                              "user_name": "alice", "command": "/signode", "text": text,
                              "response_url": peer.response_url(name), "trigger_id": name})
    assert response.status == 200
    reply = peer.wait_for(lambda: peer.responses(name), timeout=15)[0].body
    check_message(reply, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE_TEXT, link=st.one_of(st.just(""), st.text(max_size=80), st.just("javascript:alert(1)"),
                                          st.just("https://ok.example/x")))
def test_hostile_modal_inputs(app_under_test: Any, text: str, link: str) -> None:
    app, peer, store = app_under_test
    name = f"v{next(counter)}"
    dates = [d.date().isoformat() for d in Commands(store).upcoming(NOW)]
    state = {"values": {"text": {"text": {"type": "plain_text_input", "value": text}},
                        "link": {"link": {"type": "url_text_input", "value": link}},
                        "meeting": {"date": {"type": "static_select", "selected_option": {"value": dates[0]}}}}}
    payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U0001", "name": "alice"},
               "view": {"id": name, "type": "modal", "callback_id": "add_item_modal", "state": state,
                        "private_metadata": "", "hash": "h"}}
    response = dispatch(app, {"payload": json.dumps(payload)})
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_action"] in ("update", "errors")
    if answer["response_action"] == "update":
        assert " ".join(text.split()) and (not link or link.startswith(("http://", "https://")))
        check_message({"blocks": answer["view"]["blocks"]}, text)
    else:
        assert all(len(v) <= 150 for v in answer["errors"].values())


# -- operations --------------------------------------------------------------------------------------

def test_doctor_reports_each_check(tmp_path: Path, corpus_db: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.slack_client import BOT_TOKEN
    from tests.slack_peer import SlackPeer

    db = tmp_path / "doc.db"
    shutil.copy(corpus_db, db)
    groups = tmp_path / "signode.toml"
    with NotesServer() as notes, SlackPeer() as peer:
        good = notes.serve("/meeting-notes-2018.md", Response((NOTES / "meeting-notes-2018.md").read_bytes()))
        groups.write_text(
            f'[[group]]\nname = "sig-node"\nchannel = "COUT1"\nsources = ["{good}", "{notes.base}/gone.md"]\n'
            '[group.schedule]\nday = "Tuesday"\ntime = "10:00"\ntz = "PT (Pacific Time)"\nfrequency = "weekly"\n')
        result = subprocess.run([sys.executable, "-m", "slackbot", "--db", str(db), "--groups", str(groups),
                                 "doctor"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                                env={**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": peer.api_url})
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and "2 checks failed" in result.stderr
    assert lines[0].startswith("ok   database: ") and "integrity ok, journal wal" in lines[0]
    assert lines[1] == "ok   notes: 11 sources, 460 meetings, 2373 agenda items"
    assert lines[2].startswith("ok   group sig-node: Tuesdays 10:00 America/Los_Angeles")
    assert lines[3] == f"ok   slack token: bot signode in team Example ({peer.api_url})"
    assert lines[4] == "FAIL channel COUT1: the bot is not in the channel: /invite @signode"
    assert lines[5].startswith("ok   source: http://") and lines[6].startswith("FAIL source: ") and "404" in lines[6]


def test_backup_is_a_complete_database(tmp_path: Path, corpus_db: Path) -> None:
    from click.testing import CliRunner

    from slackbot.cli import cli

    target = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["--db", str(corpus_db), "backup", str(target)])
    assert result.exit_code == 0 and result.output == f"backed up to {target}: 460 meetings, 2373 agenda items\n"
    again = CliRunner().invoke(cli, ["--db", str(corpus_db), "backup", str(target)])
    assert again.exit_code == 1 and "exists" in again.output


def test_request_log_lines_carry_no_text_or_tokens(corpus_db: Path, tmp_path: Path) -> None:
    import re

    from tests.conftest import start_server
    from tests.slack_peer import SlackPeer

    db = tmp_path / "log.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as peer:
        process = start_server(peer, db)
        assert process.stdout is not None
        port = re.search(r":(\d+)/slack/events", process.stdout.readline())
        assert port
        url = f"http://127.0.0.1:{port.group(1)}/slack/events"
        command(url, "add secret plans for the meeting", peer.response_url("log1"))
        peer.wait_for(lambda: peer.responses("log1"))
        process.terminate()
        _, err = process.communicate(timeout=10)
    lines = [ln for ln in err.splitlines() if "slack request" in ln]
    assert any("kind=command name=/signode:add user=U0001 status=200 retry=0 ms=" in ln for ln in lines), err[-2000:]
    assert "secret plans" not in err and "xoxb-" not in err and "8f742231" not in err


def test_a_failing_handler_tells_the_user_without_a_traceback(app_under_test: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app, peer, _store = app_under_test

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Commands, "handle", broken)
    response = dispatch(app, {"token": "x", "team_id": "T1", "channel_id": "C1", "user_id": "U0001",
                              "user_name": "alice", "command": "/signode", "text": "search swap",
                              "response_url": peer.response_url("boom"), "trigger_id": "boom"})
    assert response.status == 200  # acked before the failure
    reply = peer.wait_for(lambda: peer.responses("boom"))[0].body
    assert reply["text"].startswith("Sorry, something went wrong") and "disk on fire" not in json.dumps(reply)
    assert "Traceback" not in json.dumps(reply)
