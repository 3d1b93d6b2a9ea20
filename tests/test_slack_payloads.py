"""Slack's own payload shapes (tests/fixtures/slack), signed and sent to the real server, end to end.

Every reply, modal and Home tab goes through the strict peer, which refuses what Slack refuses.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from slackbot.commands import Commands
from slackbot.index.store import AgendaStore, Store
from tests.conftest import FIXTURES, Running
from tests.slack_client import Answer, send

SHAPES = FIXTURES / "slack"


def _load(name: str, server: Running, tag: str) -> tuple[str, dict[str, Any]]:
    """(raw text, parsed) of a fixture with its placeholders filled for this run."""
    raw = (SHAPES / name).read_text()
    day = Commands(Store(server.db)).upcoming(dt.datetime.now(dt.UTC))[0].date().isoformat()
    values = {"RESPONSE_URL": server.peer.response_url(tag), "TRIGGER": f"trig-{tag}", "EVENT_ID": f"Ev-{tag}",
              "VIEW_ID": f"V-{tag}", "DATE": day}
    for key, value in values.items():
        raw = raw.replace("{{" + key + "}}", value)
    return raw, json.loads(raw)


def _deliver(name: str, server: Running, tag: str) -> tuple[Answer, dict[str, Any]]:
    """Send a fixture the way Slack sends its kind: a form, an interactive `payload=` form, or JSON."""
    _, data = _load(name, server, tag)
    if name.endswith(".form.json"):
        return send(server.url, urllib.parse.urlencode(data), "application/x-www-form-urlencoded"), data
    if "event" in data or data.get("type") == "url_verification":
        return send(server.url, json.dumps(data), "application/json"), data
    body = urllib.parse.urlencode({"payload": json.dumps(data)})
    return send(server.url, body, "application/x-www-form-urlencoded"), data


def _view(call_body: dict[str, Any]) -> dict[str, Any]:
    view = call_body["view"]
    return json.loads(view) if isinstance(view, str) else view


def _opened(server: Running, trigger: str) -> dict[str, Any]:
    calls = server.peer.wait_for(lambda: [c for c in server.peer.of("views.open")
                                          if c.body.get("trigger_id") == trigger])
    return _view(calls[0].body)


def test_every_shape_has_a_test() -> None:
    covered = {name for name, _ in PREFILLS} | {
        "slash_command.form.json", "app_mention.json", "app_home_opened.json", "app_home_opened_messages_tab.json",
        "global_shortcut.json", "block_actions_home.json", "block_actions_message.json", "view_submission.json",
        "view_submission_datepicker.json", "view_closed.json", "url_verification.json", "ssl_check.form.json"}
    assert {p.name for p in SHAPES.glob("*.json")} == covered


def test_slash_command(server: Running) -> None:
    answer, _ = _deliver("slash_command.form.json", server, "shape-cmd")
    assert answer.status == 200 and answer.seconds < 3
    reply = server.peer.wait_for(lambda: server.peer.responses("shape-cmd"))[0].body
    assert "came up in" in reply["text"] and reply["response_type"] == "ephemeral"


def test_app_mention_answers_in_its_thread(server: Running) -> None:
    answer, data = _deliver("app_mention.json", server, "shape-mention")
    assert answer.status == 200
    posted = server.peer.wait_for(lambda: [c for c in server.peer.of("chat.postMessage")
                                           if c.body.get("thread_ts") == data["event"]["ts"]])[0].body
    assert posted["channel"] == "C0LAN2Q65" and "runtimeclass" in posted["text"].lower()


def test_app_home_opened_publishes_home_only_for_the_home_tab(server: Running) -> None:
    assert _deliver("app_home_opened_messages_tab.json", server, "shape-msgs")[0].status == 200
    assert _deliver("app_home_opened.json", server, "shape-home")[0].status == 200
    published = server.peer.wait_for(lambda: [c for c in server.peer.of("views.publish")
                                              if c.body.get("user_id") == "U061F7AUR"])
    time.sleep(0.5)
    assert len(published) == 1 and _view(published[0].body)["type"] == "home"


def test_global_shortcut_and_home_button_open_the_modal(server: Running) -> None:
    for name, tag in (("global_shortcut.json", "shape-global"), ("block_actions_home.json", "shape-homebtn")):
        assert _deliver(name, server, tag)[0].status == 200
        assert _opened(server, f"trig-{tag}")["callback_id"] == "add_item_modal"


PREFILLS = [
    ("message_shortcut_escaped.json",
     "Q&A on cgroup v2 <-> swap, see #sig-node and the PR (https://github.com/kubernetes/kubernetes/pull/118764) "
     "cc @here"),
    ("message_shortcut_blocks_only.json", "Pod overhead review, KEP 688 :eyes: sizing"),
    ("message_shortcut_attachments.json", "Node e2e serial job failing containerd 2.0 & cgroup v1 nodes"),
    ("message_shortcut_files.json", "DRA structured parameters proposal"),
]


@pytest.mark.parametrize("name, expected", PREFILLS)
def test_message_shortcut_prefills_what_the_person_saw(server: Running, name: str, expected: str) -> None:
    tag = "shape-" + Path(name).stem
    assert _deliver(name, server, tag)[0].status == 200
    view = _opened(server, f"trig-{tag}")
    assert view["blocks"][0]["element"]["initial_value"] == expected
    assert view["blocks"][1]["element"]["initial_value"].startswith("https://example.slack.com/archives/C0001/p")


def test_more_button_from_a_message_replaces_it_with_the_next_page(server: Running) -> None:
    assert _deliver("block_actions_message.json", server, "shape-more")[0].status == 200
    page = server.peer.wait_for(lambda: server.peer.responses("shape-more"))[0].body
    assert page["replace_original"] is True and "agenda items" in page["text"]


@pytest.mark.parametrize("name, text", [
    ("view_submission.json", "Node e2e flakes & cgroup v1 <!channel>"),
    ("view_submission_datepicker.json", "Image volume source beta"),
])
def test_view_submissions_add_once_and_answer_with_a_valid_view(server: Running, name: str, text: str) -> None:
    agenda = AgendaStore(Store(server.db))
    tag = "shape-" + Path(name).stem
    answer, data = _deliver(name, server, tag)
    assert answer.status == 200, answer.body
    update = answer.json()
    assert update["response_action"] == "update"
    from tests.blockkit import view_problems
    assert view_problems(update["view"], home=False) == []
    assert "&lt;!channel&gt;" in json.dumps(update["view"]) or "<!channel>" not in text
    day = data["view"]["state"]["values"]["meeting"]["date"]
    date = (day.get("selected_option") or {}).get("value") or day.get("selected_date")
    stored = [i for i in agenda.for_meeting("sig-node", dt.date.fromisoformat(date)) if i.text == text]
    assert len(stored) == 1
    again, _ = _deliver(name, server, tag)  # the same view submitted twice adds nothing
    assert again.status == 200
    assert len([i for i in agenda.for_meeting("sig-node", dt.date.fromisoformat(date)) if i.text == text]) == 1


def test_view_closed_url_verification_and_ssl_check(server: Running) -> None:
    assert _deliver("view_closed.json", server, "shape-closed")[0].status == 200
    answer, data = _deliver("url_verification.json", server, "shape-url")
    assert answer.status == 200 and data["challenge"] in answer.body
    assert _deliver("ssl_check.form.json", server, "shape-ssl")[0].status == 200
    assert server.peer.rejected == []
