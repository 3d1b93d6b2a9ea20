"""Many groups in one install: the whole shared corpus ingested, answers per group and across groups in
the terminal and from Slack (the real server, signed requests, the strict local Slack peer)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slackbot.cli import cli
from slackbot.groups import load_groups
from slackbot.index.store import Store
from tests.conftest import CORPUS, Running, listening_base, start_server
from tests.slack_client import button, command, interactive
from tests.slack_peer import SlackPeer

GROUPS_TOML = """
[[group]]
name = "sig-node"
title = "SIG Node"
channel = "C0NODE"
[group.schedule]
day = "Tuesday"
time = "10:00"
tz = "PT (Pacific Time)"
frequency = "weekly"

[[group]]
name = "committee-steering"
title = "Steering Committee"
channel = "C0STEER"
[group.schedule]
day = "Monday"
time = "9:30"
tz = "PT (Pacific Time)"
frequency = "biweekly"

[[group]]
name = "sig-apps"
title = "SIG Apps"
channels = ["C0APPS"]
unscheduled = true

[[group]]
name = "communication"
title = "Community Meeting"
unscheduled = true
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The whole shared corpus (SIG Node and the sample groups) in one database, and a groups file."""
    folder = tmp_path_factory.mktemp("groups")
    db, groups = folder / "all.db", folder / "signode.toml"
    groups.write_text(GROUPS_TOML)
    code, out = run("--db", str(db), "--groups", str(groups), "ingest", str(CORPUS))
    assert code == 0, out
    return db, groups


def test_ingest_of_the_whole_shared_corpus_files_each_folder_under_its_group(shared: tuple[Path, Path]) -> None:
    db, _ = shared
    store = Store(db)
    assert store.group_names() == ["cncf-mentoring", "committee-steering", "communication", "sig-apps", "sig-node"]
    assert store.group_meetings() == {"cncf-mentoring": 37, "committee-steering": 121, "communication": 105,
                                   "sig-apps": 11, "sig-node": 460}
    names = [r["name"] for r in store.query("SELECT name FROM sources")]
    assert len(names) == 36 and not any(n.lower().startswith("readme") for n in names)
    series = store.query("SELECT COUNT(*) AS n FROM meetings WHERE series != ''")[0]["n"]
    assert series == 0  # the sample groups name no series; the fixtures in test_other_groups.py do


def test_terminal_search_per_group_and_across_groups(shared: tuple[Path, Path]) -> None:
    db, groups = shared
    code, out = run("--db", str(db), "search", "--json", "--limit", "50", "charter")
    across = json.loads(out)["hits"]
    assert code == 0 and {"sig-node", "committee-steering"} <= {h["group"] for h in across}
    code, out = run("--db", str(db), "search", "--json", "--limit", "50", "--group", "committee-steering", "charter")
    steering = json.loads(out)["hits"]
    assert steering and {h["group"] for h in steering} == {"committee-steering"}
    assert all("committee-steering" in h["url"] for h in steering)
    code, out = run("--db", str(db), "search", "--group", "sig-nope", "charter")
    assert code != 0 and "no notes for 'sig-nope'" in out
    code, out = run("--db", str(db), "meetings", "--group", "sig-node")
    assert out.splitlines()[-1].split() == ["total", "460", "63", "2373", "3375"]
    code, out = run("--db", str(db), "meetings", "--group", "committee-steering", "--json")
    assert sum(r["meetings"] for r in json.loads(out)) == 121
    code, out = run("--db", str(db), "meetings", "--year", "2022")
    assert "(sig-node) " in out and "(committee-steering) " in out  # whose meeting each line is
    code, out = run("--db", str(db), "--groups", str(groups), "ask", "charter")
    assert re.search(r"agenda items in \d+ meetings for “charter” across \d+ groups", out)
    assert " · Steering Committee · " in out and " · SIG Node · " in out
    code, out = run("--db", str(db), "--groups", str(groups), "ask", "committee-steering", "when", "was", "the",
                    "election", "discussed")
    assert code == 0 and "came up in" in out and "sig-node/" not in out and " · SIG Node · " not in out
    code, out = run("--db", str(db), "ask", "communication", "between", "kubelet", "and", "runtime")
    assert "across" in out.splitlines()[0]  # a folder-named group (no hyphen, not configured) is just a word
    code, out = run("--db", str(db), "ask", "sig-apps", "demo")
    assert "across" not in out and "sig-apps/2016-" in out  # a group-like name from the index scopes
    code, out = run("--db", str(db), "--groups", str(groups), "ask", "--channel", "C0APPS", "agenda")
    assert "SIG Apps has no meeting schedule" in out
    code, out = run("--db", str(db), "--groups", str(groups), "agenda", "--group", "sig-apps")
    assert code != 0 and "SIG Apps has no meeting schedule" in out and "Traceback" not in out
    code, out = run("--db", str(db), "--groups", str(groups), "ask", "meeting", "2022-08-09")  # two groups met
    assert out.startswith("Tue Aug 9, 2022: ") and "in *2* groups" not in out and " in 2 groups" in out
    assert "2022-08-09 · SIG Node · " in out and "2022-08-09 · cncf-mentoring · " in out
    code, out = run("--db", str(db), "--groups", str(groups), "ask", "--channel", "C0NODE", "meeting", "2022-08-09")
    assert " groups" not in out.splitlines()[0] and "cncf-mentoring" not in out


def test_groups_import_all_writes_every_group_and_loads(tmp_path: Path) -> None:
    target = tmp_path / "all.toml"
    code, out = run("groups", "import", str(CORPUS / "sigs.yaml"), "--all", "--channel", "sig-auth=C0AUTH",
                    "--chair", "sig-auth=U0CHAIR", "-o", str(target))
    assert code == 0 and re.fullmatch(r"wrote .*all\.toml: (\d+) groups\n", out)
    groups = load_groups(target)
    count = int(re.findall(r"(\d+) groups", out)[0])
    assert len(groups) == count >= 30 and len({g.name for g in groups}) == count
    auth = next(g for g in groups if g.name == "sig-auth")
    assert auth.title == "SIG Auth" and auth.channel == "C0AUTH" and auth.chairs == ("U0CHAIR",)
    assert any(g.scheduled for g in groups) and any(not g.scheduled for g in groups)
    assert next(g for g in groups if g.name == "committee-steering").title == "Steering Committee"
    code, out = run("groups", "import", str(CORPUS / "sigs.yaml"), "sig-auth", "sig-node", "--channel", "C1")
    assert code != 0 and "with several groups, write GROUP=ID" in out
    code, out = run("groups", "import", str(CORPUS / "sigs.yaml"), "--all", "sig-node")
    assert code != 0 and "not both" in out


@pytest.fixture(scope="module")
def groups_server(shared: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    db_src, groups = shared
    db = tmp_path_factory.mktemp("groups-slack") / "all.db"
    shutil.copy(db_src, db)
    with SlackPeer() as peer:
        process = start_server(peer, db, {"SIGNODE_GROUPS": str(groups)})
        base = listening_base(process)
        yield Running(base + "/slack/events", base, peer, db, process)
        process.terminate()
        process.wait(timeout=10)


def _ask(server: Running, text: str, channel: str, key: str) -> dict[str, Any]:
    answer = command(server.url, text, server.peer.response_url(key), channel=channel)
    assert answer.status == 200
    return server.peer.wait_for(lambda: server.peer.responses(key))[0].body


def _dates(body: dict[str, Any]) -> set[str]:
    """The meetings an answer shows (each meeting line starts `*YYYY-MM-DD* · `)."""
    text = "\n".join(b["text"]["text"] for b in body.get("blocks", []) if b.get("type") == "section")
    return set(re.findall(r"^\*(\d{4}-\d{2}-\d{2})\* · ", text, flags=re.M))


def _only(server: Running, body: dict[str, Any], group: str) -> bool:
    """Every meeting shown is one of `group`'s (by date: the sample groups never meet on the same day)."""
    rows = Store(server.db).query("SELECT m.date, s.group_name FROM meetings m JOIN sources s ON s.id = m.source_id"
                                  " WHERE m.date IS NOT NULL")
    mine = {r["date"] for r in rows if r["group_name"] == group}
    others = {r["date"] for r in rows if r["group_name"] != group}
    shown = _dates(body)
    return bool(shown) and shown <= mine and not shown & others


def test_slack_answers_from_the_channels_group_or_across_groups(groups_server: Running) -> None:
    steering = _ask(groups_server, "charter", "C0STEER", "g-steer")
    assert _only(groups_server, steering, "committee-steering")
    node = _ask(groups_server, "charter", "C0NODE", "g-node")
    assert _only(groups_server, node, "sig-node")
    anywhere = _ask(groups_server, "charter", "C0RANDOM", "g-any")
    shown = json.dumps(anywhere["blocks"], ensure_ascii=False)
    assert "across" in shown and "Steering Committee ·" in shown and "SIG Node ·" in shown
    named = _ask(groups_server, "sig-apps demo", "C0NODE", "g-named")
    assert _only(groups_server, named, "sig-apps")
    unscheduled = _ask(groups_server, "agenda", "C0APPS", "g-apps")
    assert "SIG Apps has no meeting schedule" in json.dumps(unscheduled)
    added = _ask(groups_server, "add Election timeline review", "C0STEER", "g-add")
    assert "Steering Committee" in json.dumps(added, ensure_ascii=False)
    rows = Store(groups_server.db).query("SELECT group_name FROM added_items WHERE text = ?",
                                         ["Election timeline review"])
    assert [r["group_name"] for r in rows] == ["committee-steering"]  # the channel's group, not the first
    assert groups_server.peer.rejected == []


def test_more_keeps_the_searchs_group(groups_server: Running) -> None:
    first = _ask(groups_server, "election", "C0STEER", "g-more")
    blocks = first["blocks"]
    more = next(e for b in blocks if b.get("type") == "actions" for e in b["elements"]
                if e["action_id"] == "more_results")
    value = json.loads(more["value"])
    assert value["g"] == "committee-steering"
    interactive(groups_server.url, button("more_results", more["value"], groups_server.peer.response_url("g-more2")))
    second = groups_server.peer.wait_for(lambda: groups_server.peer.responses("g-more2"))[0].body
    assert _only(groups_server, second, "committee-steering") and _dates(second) != _dates(first)
    forged = dict(value, g="sig-nope,committee-steering")  # a group that does not exist is dropped
    interactive(groups_server.url, button("more_results", json.dumps(forged),
                                          groups_server.peer.response_url("g-more3")))
    third = groups_server.peer.wait_for(lambda: groups_server.peer.responses("g-more3"))[0].body
    assert _dates(third) == _dates(second)
    assert groups_server.peer.rejected == []


def test_zoom_answers_from_the_channels_group_or_across_groups(shared: tuple[Path, Path], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_zoom import start
    from tests.zoom_peer import ACCOUNT, CHANNEL, ZoomPeer, deliver
    from tests.zoom_peer import command as zoom_command

    steering_channel = "steering@conference.xmpp.zoom.us"
    db_src, groups = shared
    db = tmp_path / "zoom.db"
    shutil.copy(db_src, db)
    mapped = tmp_path / "signode.toml"
    mapped.write_text(groups.read_text().replace(
        'channel = "C0STEER"', f'channel = "C0STEER"\nzoom_channel = "{steering_channel}"\nzoom_account = "{ACCOUNT}"'))
    with ZoomPeer() as peer:
        peer.known_jids.add(steering_channel)  # a channel the bot was added to
        monkeypatch.setenv("SIGNODE_GROUPS", str(mapped))
        process = start(peer, db)
        try:
            url = listening_base(process, "/zoom/events") + "/zoom/events"
            assert deliver(url, zoom_command("charter", to_jid=steering_channel))[0] == 200
            steering = peer.wait_for(lambda: peer.messages_to(steering_channel))[0].body["content"]
            assert deliver(url, zoom_command("charter", to_jid=CHANNEL))[0] == 200
            anywhere = peer.wait_for(lambda: peer.messages_to(CHANNEL))[0].body["content"]
        finally:
            process.terminate()
            process.wait(timeout=20)
        assert peer.refused == []
    rows = Store(db).query("SELECT m.date, s.group_name FROM meetings m JOIN sources s ON s.id = m.source_id"
                           " WHERE m.date IS NOT NULL")
    steering_dates = {r["date"] for r in rows if r["group_name"] == "committee-steering"}
    shown = set(re.findall(r'"text": "(\d{4}-\d{2}-\d{2}) · ', json.dumps(steering, ensure_ascii=False)))
    assert shown and shown <= steering_dates
    assert "across" in anywhere["head"]["text"]
    labelled = json.dumps(anywhere, ensure_ascii=False)
    assert " · Steering Committee · " in labelled and " · SIG Node · " in labelled


def test_reminders_are_per_group_and_a_biweekly_schedule_is_anchored_by_its_notes(shared: tuple[Path, Path]) -> None:
    db, groups = shared
    code, out = run("--db", str(db), "--groups", str(groups), "remind", "--once", "--dry-run",
                    "--now", "2026-11-30T16:45:00Z")
    # Steering meets every other Monday from its last meeting in the notes (2022-12-19): 2026-11-30 is one.
    assert code == 0 and "committee-steering 2026-11-30T17:30:00Z -1h slack send" in out
    code, out = run("--db", str(db), "--groups", str(groups), "remind", "--once", "--dry-run",
                    "--now", "2026-12-01T17:05:00Z")
    assert "sig-node 2026-12-01T18:00:00Z -1h slack send" in out and "committee-steering" not in out
    assert "sig-apps" not in out and "communication" not in out  # searchable only: no schedule, no reminders


def test_sync_files_each_groups_sources_under_it_and_check_notes_reads_a_url(tmp_path: Path) -> None:
    import datetime as dt

    from slackbot.core.schedule import Weekly
    from slackbot.groups import Group
    from slackbot.sync import sync_once
    from tests.notes_server import NotesServer, Response

    store = Store(tmp_path / "sync.db")
    foo = b"# Foo\n\n## 2024-03-12\n\n* quotas\n\n## 2024-03-05\n\n* budget\n"
    bar = b"# Bar\n\n**12/03/2024**\n\n* sandboxes\n"
    with NotesServer() as server:
        foo_url = server.serve("/foo/notes.md", Response(foo), Response(foo))
        bar_url = server.serve("/bar/notes.md", Response(bar))
        weekly = Weekly(1, dt.time(10), "UTC")
        groups = [Group("wg-foo", "WG Foo", weekly, sources=(foo_url,)),
                  Group("sig-bar", "SIG Bar", weekly, sources=(bar_url, foo_url))]  # a doc two groups share
        results = sync_once(store, groups, timeout=5)
        code, out = run("check-notes", foo_url)
    assert [r.status for r in results] == ["updated", "updated"]
    assert store.group_meetings() == {"sig-bar": 1, "wg-foo": 2}  # the shared doc is the first group's
    assert code == 0 and "2024-03-12" in out and "2 meetings" in out
