"""The real `signode serve --http` process, signed requests over loopback, and a local Slack peer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from slackbot.index.store import AgendaStore, Store
from slackbot.slack.blocks import MAX_BLOCKS, MAX_BUTTON_VALUE, MAX_SECTION
from tests.conftest import ROOT, Running, start_server
from tests.slack_client import APP_TOKEN, BOT_TOKEN, button, command, event, interactive, send
from tests.slack_peer import SlackPeer


def texts(call_body: dict[str, Any]) -> str:
    """Everything a message shows, as one string (blocks may arrive as JSON text)."""
    blocks = call_body.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks or []) + " " + str(call_body.get("text", ""))


def rendered(call_body: dict[str, Any]) -> str:
    """Only what Slack renders as text (mrkdwn and plain_text), not button values or action IDs."""
    blocks = call_body.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    out: list[str] = [str(call_body.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                elif key != "value":
                    walk(value)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(blocks)
    return "\n".join(out)


def test_search_command_acks_fast_then_answers_at_response_url(server: Running) -> None:
    answer = command(server.url, "when was sandboxes discussed", server.peer.response_url("search1"))
    assert answer.status == 200 and answer.seconds < 1.0
    reply = server.peer.wait_for(lambda: server.peer.responses("search1"))[0].body
    assert reply["response_type"] == "ephemeral"
    shown = texts(reply)
    assert "came up in *33* meetings: first *2016-09-20*" in shown
    assert re.search(r"Best matches: [^\"]*\*2018-06-12\*", shown)
    command(server.url, "when was the sandboxes api decision discussed", server.peer.response_url("search2"))
    exact = texts(server.peer.wait_for(lambda: server.peer.responses("search2"))[0].body)
    assert "Sandboxes API Decision" in exact and "2018-06-12" in exact and "_(tallclair)_" in exact
    assert "meeting-notes-2018.md#june-12-june-12" in exact
    assert any(server.peer.of("users.info"))


def test_forged_and_stale_requests_get_401_and_change_nothing(server: Running) -> None:
    before = len(server.peer.calls)
    agenda = AgendaStore(Store(server.db))
    count = agenda.count()
    forged = command(server.url, "add forged item", server.peer.response_url("forged"), signature="v0=" + "0" * 64)
    stale = command(server.url, "add stale item", server.peer.response_url("stale"), timestamp=int(time.time()) - 301)
    wrong_secret = command(server.url, "add other item", server.peer.response_url("other"), secret="ab" * 16)
    assert (forged.status, stale.status, wrong_secret.status) == (401, 401, 401)
    time.sleep(0.5)
    assert len(server.peer.calls) == before and agenda.count() == count


def test_add_item_then_retry_adds_nothing_and_author_can_remove(server: Running) -> None:
    agenda = AgendaStore(Store(server.db))
    count = agenda.count()
    first = command(server.url, "add Pod overhead KEP review", server.peer.response_url("add1"), trigger="T-add-1")
    retry = command(server.url, "add Pod overhead KEP review", server.peer.response_url("add2"), trigger="T-add-1",
                    headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert first.status == retry.status == 200
    server.peer.wait_for(lambda: server.peer.responses("add2"))
    assert agenda.count() == count + 1
    assert "Already added" in texts(server.peer.responses("add2")[0].body)
    added = texts(server.peer.responses("add1")[0].body)
    item_id = re.search(r'"value": "(\d+)"', added)
    assert item_id, added
    remove = f"remove_item:{item_id.group(1)}"
    other = interactive(server.url, {**button(remove, item_id.group(1), server.peer.response_url("rm0")),
                                     "user": {"id": "U0BAD", "username": "mallory"}})
    assert other.status == 200
    assert "Only the person who added" in texts(server.peer.wait_for(lambda: server.peer.responses("rm0"))[0].body)
    assert agenda.count() == count + 1
    mine = interactive(server.url, button(remove, item_id.group(1), server.peer.response_url("rm1")))
    assert mine.status == 200
    server.peer.wait_for(lambda: server.peer.responses("rm1"))
    assert agenda.count() == count


INJECTIONS = ["<!channel>", "<!here>", "<@U0123>", "<https://evil.example|minutes>", "<!subteam^S1>"]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_in_agenda_item_and_query_pings_nobody(server: Running, payload: str) -> None:
    name = f"inj{INJECTIONS.index(payload)}"
    command(server.url, f"add review {payload} please", server.peer.response_url(name + "a"))
    command(server.url, f"search {payload}", server.peer.response_url(name + "s"))
    command(server.url, "agenda", server.peer.response_url(name + "g"))
    for suffix in "asg":
        reply = server.peer.wait_for(lambda s=suffix: server.peer.responses(name + s))[0].body
        shown = rendered(reply)
        assert payload not in shown, (suffix, shown[:500])
        assert "<!" not in shown and "<@" not in shown and "<https://evil" not in shown
    assert "&lt;" in texts(server.peer.responses(name + "a")[0].body)


def test_two_hundred_hits_stay_within_block_kit_limits_and_paginate(server: Running) -> None:
    command(server.url, "kubelet", server.peer.response_url("big"))
    reply = server.peer.wait_for(lambda: server.peer.responses("big"))[0].body
    blocks = reply["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert reply["text"].startswith("200 agenda items")
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
        for element in block.get("elements", []):
            assert len(element.get("value", "")) <= MAX_BUTTON_VALUE
    more = next(e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "more_results")
    interactive(server.url, button("more_results", more["value"], server.peer.response_url("big2")))
    page2 = server.peer.wait_for(lambda: server.peer.responses("big2"))[0].body
    assert page2["replace_original"] is True and page2["blocks"] != blocks


def test_share_in_channel_posts_in_channel_without_buttons(server: Running) -> None:
    command(server.url, "search runtimeclass", server.peer.response_url("share0"))
    reply = server.peer.wait_for(lambda: server.peer.responses("share0"))[0].body
    share = next(e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == "share_reply")
    interactive(server.url, button("share_reply", share["value"], server.peer.response_url("share1")))
    shared, delete = [c.body for c in server.peer.wait_for(
        lambda: len(server.peer.responses("share1")) == 2 and server.peer.responses("share1"))]
    assert shared["response_type"] == "in_channel" and not shared.get("delete_original")
    assert not [b for b in shared["blocks"] if b["type"] == "actions"]
    assert delete["delete_original"] is True and not delete.get("blocks") and not delete.get("text")


def test_global_shortcut_opens_modal_and_submission_adds_item(server: Running) -> None:
    agenda = AgendaStore(Store(server.db))
    count = agenda.count()
    interactive(server.url, {"type": "shortcut", "callback_id": "add_agenda_item", "trigger_id": "trig-modal-1"})
    opened = server.peer.wait_for(lambda: [c for c in server.peer.of("views.open")
                                           if c.body.get("trigger_id") == "trig-modal-1"])[0].body
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert view["callback_id"] == "add_item_modal"
    dates = [o["value"] for o in view["blocks"][2]["element"]["options"]]
    assert len(dates) == 4
    state = {"values": {"text": {"text": {"type": "plain_text_input", "value": "Swap beta graduation"}},
                        "link": {"link": {"type": "url_text_input", "value": "https://github.com/x/y/pull/1"}},
                        "meeting": {"date": {"type": "static_select", "selected_option": {"value": dates[1]}}}}}
    submission = {"type": "view_submission", "view": {"id": "V-submit-1", "type": "modal",
                                                      "callback_id": "add_item_modal",
                                                      "state": state, "private_metadata": "", "hash": "h"}}
    answer = interactive(server.url, submission)
    assert answer.status == 200 and answer.json()["response_action"] == "update"
    again = interactive(server.url, submission, headers={"X-Slack-Retry-Num": "1"})
    assert again.status == 200
    items = agenda.for_meeting("sig-node", __import__("datetime").date.fromisoformat(dates[1]))
    assert [i.text for i in items if i.text == "Swap beta graduation"] == ["Swap beta graduation"]
    assert agenda.count() == count + 1
    empty = {**submission, "view": {**submission["view"], "id": "V-submit-2",
                                    "state": {"values": {**state["values"], "text": {"text": {"value": ""}}}}}}
    assert interactive(server.url, empty).json()["response_action"] == "errors"


def test_message_shortcut_prefills_text_and_permalink(server: Running) -> None:
    interactive(server.url, {"type": "message_action", "callback_id": "add_to_agenda", "trigger_id": "trig-msg-1",
                             "channel": {"id": "C0042"}, "response_url": server.peer.response_url("msg"),
                             "message": {"ts": "1700000000.000200", "text": "<@U9> can we talk about NUMA?"}})
    opened = server.peer.wait_for(lambda: [c for c in server.peer.of("views.open")
                                           if c.body.get("trigger_id") == "trig-msg-1"])[0].body
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert view["blocks"][0]["element"]["initial_value"] == "can we talk about NUMA?"
    assert view["blocks"][1]["element"]["initial_value"] == \
        "https://example.slack.com/archives/C0042/p1700000000000200"
    assert server.peer.of("chat.getPermalink")[-1].body["channel"] == "C0042"


def test_rate_limited_views_open_is_retried(server: Running) -> None:
    server.peer.fail_next("views.open", status=429, retry_after=1)
    interactive(server.url, {"type": "shortcut", "callback_id": "add_agenda_item", "trigger_id": "trig-429"})
    calls = server.peer.wait_for(lambda: [c for c in server.peer.of("views.open")
                                          if c.body.get("trigger_id") == "trig-429"][1:] or None)
    tries = [c for c in server.peer.of("views.open") if c.body.get("trigger_id") == "trig-429"]
    assert len(tries) == 2 and tries[1].at - tries[0].at >= 0.9 and calls


def test_app_home_shows_next_meeting_in_viewer_zone(server: Running) -> None:
    event(server.url, {"type": "app_home_opened", "user": "U0HOME", "channel": "D1", "tab": "home"}, "Ev-home-1")
    published = server.peer.wait_for(lambda: [c for c in server.peer.of("views.publish")
                                              if c.body.get("user_id") == "U0HOME"])[0].body
    view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
    shown = json.dumps(view)
    assert view["type"] == "home" and "Next SIG Node meeting" in shown
    assert "your time" in shown and ("CET" in shown or "CEST" in shown)  # the peer says the user is in Berlin
    assert "open_add_item" in shown and "Recent meetings" in shown


def test_mention_answers_in_thread_once_even_if_retried(server: Running) -> None:
    mention = {"type": "app_mention", "user": "U0001", "text": "<@UBOT> when was sandboxes discussed",
               "ts": "1700000001.000100", "channel": "C0777"}
    event(server.url, mention, "Ev-mention-1")
    event(server.url, mention, "Ev-mention-1", headers={"X-Slack-Retry-Num": "1"})
    posted = server.peer.wait_for(lambda: [c for c in server.peer.of("chat.postMessage")
                                           if c.body.get("channel") == "C0777"])
    time.sleep(0.5)
    posted = [c for c in server.peer.of("chat.postMessage") if c.body.get("channel") == "C0777"]
    assert len(posted) == 1
    assert posted[0].body["thread_ts"] == "1700000001.000100"
    assert "Best matches: *2018-05-29*, *2018-06-12*" in texts(posted[0].body)


def test_every_manifest_entry_is_handled(server: Running) -> None:
    import yaml

    from slackbot.slack import app as slack_app

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [slack_app.COMMAND]
    assert {s["callback_id"]: s["type"] for s in features["shortcuts"]} == slack_app.SHORTCUTS
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == slack_app.EVENTS
    assert manifest["settings"]["socket_mode_enabled"] is True and features["app_home"]["home_tab_enabled"]
    # and each one reaches a handler in the running app (Bolt answers 404 for an unhandled request)
    assert command(server.url, "help", server.peer.response_url("m1")).status == 200
    for callback_id, kind in slack_app.SHORTCUTS.items():
        payload = {"type": "shortcut" if kind == "global" else "message_action", "callback_id": callback_id,
                   "channel": {"id": "C1"}, "message": {"ts": "1.1", "text": "x"}}
        assert interactive(server.url, payload).status == 200, callback_id
    for name in slack_app.EVENTS:
        answer = event(server.url, {"type": name, "user": "U0001", "text": "<@UBOT> help", "ts": "1.5",
                                    "channel": "C1", "tab": "home"}, f"Ev-manifest-{name}")
        assert answer.status == 200, name
    assert interactive(server.url, button("no_such_action", "x", server.peer.response_url("m2"))).status == 404


def test_every_action_we_render_has_a_handler(server: Running) -> None:
    from slackbot.slack import app as slack_app

    command(server.url, "agenda", server.peer.response_url("acts1"))
    command(server.url, "kubelet", server.peer.response_url("acts2"))
    found = set()
    for name in ("acts1", "acts2"):
        reply = server.peer.wait_for(lambda n=name: server.peer.responses(n))[0].body
        found |= set(re.findall(r'"action_id": "([a-z_]+)(?::\d+)?"', json.dumps(reply["blocks"])))
    assert found and found <= slack_app.ACTIONS
    assert {"more_results", "share_reply", "open_add_item"} <= found


def test_health_and_limits(server: Running) -> None:
    with urllib.request.urlopen(server.base + "/healthz", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read())["ok"] is True
    big = send(server.url, "x" * (1024 * 1024 + 10), "application/x-www-form-urlencoded")
    assert big.status == 413
    assert send(server.base + "/elsewhere", "a=1", "application/x-www-form-urlencoded").status == 404


@pytest.mark.parametrize("env, message", [
    ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
    ({"SLACK_BOT_TOKEN": "not-a-token"}, "does not look like a bot token"),
    ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
])
def test_startup_errors_are_clear(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with SlackPeer() as peer:
        process = start_server(peer, tmp_path / "s.db", env)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1 and message in err and "Traceback" not in err


def test_rejected_token_is_a_startup_error(tmp_path: Path) -> None:
    with SlackPeer() as peer:
        peer.fail_next("auth.test", status=200)  # answers {"ok": false, "error": "ratelimited"}
        process = start_server(peer, tmp_path / "s.db")
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1 and "Slack did not accept SLACK_BOT_TOKEN" in err


def test_socket_mode_app_token_is_required(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "slackbot", "--db", str(tmp_path / "x.db"), "serve", "--socket"],
                            cwd=ROOT, capture_output=True, text=True, timeout=30,
                            env={**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": ""})
    assert result.returncode == 1 and "SLACK_APP_TOKEN is not set" in result.stderr
    assert APP_TOKEN.startswith("xapp-")


def test_signed_but_malformed_payload_gets_an_answer(server: Running) -> None:
    broken = {"type": "view_submission", "view": {"id": "V-broken", "callback_id": "add_item_modal"}}
    assert interactive(server.url, broken).status == 500
    assert send(server.url, "payload=%7Bnot-json", "application/x-www-form-urlencoded").status == 500
    assert send(server.url, "payload=%7Bnot-json", "application/x-www-form-urlencoded",
                signature="v0=" + "1" * 64).status == 401
    with urllib.request.urlopen(server.base + "/healthz", timeout=5) as response:
        assert response.status == 200


def test_two_items_of_one_person_render_where_slack_accepts_them(server: Running) -> None:
    """Slack refuses repeated action_ids in a block: two Remove buttons need two IDs (the strict peer checks)."""
    for n in (1, 2):
        command(server.url, f"add Two-item check {n}", server.peer.response_url(f"two{n}"), user="U0TWO")
        server.peer.wait_for(lambda n=n: server.peer.responses(f"two{n}"))
    command(server.url, "agenda", server.peer.response_url("two-agenda"), user="U0TWO")
    event(server.url, {"type": "app_home_opened", "user": "U0TWO", "tab": "home", "channel": "D1"}, "Ev-two-home")
    agenda = server.peer.wait_for(lambda: server.peer.responses("two-agenda"))[0].body
    home = server.peer.wait_for(lambda: [c for c in server.peer.of("views.publish")
                                         if c.body.get("user_id") == "U0TWO"])[0].body
    for blocks in (agenda["blocks"], json.loads(home["view"])["blocks"] if isinstance(home["view"], str)
                   else home["view"]["blocks"]):
        removes = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"].startswith("remove_item")]
        assert len(removes) == len(set(removes)) == 2, removes
    assert server.peer.rejected == []


@pytest.mark.parametrize("value", ['{"c": "add crafted item", "p": 0}', '{"q": "add crafted item", "w": 0, "p": 0}',
                                   '{"q": "remove 1", "w": 1, "p": 0}', '{"q": "cancel 2030-01-01", "p": 0}'])
def test_a_crafted_button_value_can_only_search(server: Running, value: str) -> None:
    agenda = AgendaStore(Store(server.db))
    count = agenda.count()
    tag = f"craft{abs(hash(value)) % 10**6}"
    for action in ("share_reply", "more_results"):
        assert interactive(server.url, button(action, value, server.peer.response_url(tag + action))).status == 200
        server.peer.wait_for(lambda a=action: server.peer.responses(tag + a))
    time.sleep(0.3)
    assert agenda.count() == count
    assert not [c for c in server.peer.calls if "crafted item" in json.dumps(c.body) and "Added" in json.dumps(c.body)]


def test_my_items_and_a_mentioned_person_use_their_slack_profile(server: Running) -> None:
    """users.info names join the people directory: "my items" and "what did @U… present" find the notes' forms."""
    server.peer.profiles["U0SERGEY"] = {"real_name": "Sergey Kanzhelev", "display_name": "Sergey"}
    command(server.url, "my items", server.peer.response_url("mine"), user="U0SERGEY")
    mine = texts(server.peer.wait_for(lambda: server.peer.responses("mine"))[0].body)
    assert "agenda items in" in mine and "_(sergeykanzhelev)_" in mine and "_(sergey)_" in mine
    command(server.url, "what did <@U0SERGEY|sergey> present", server.peer.response_url("theirs"))
    theirs = server.peer.wait_for(lambda: server.peer.responses("theirs"))[0].body
    assert "_(sergeykanzhelev)_" in texts(theirs) and "<@U0SERGEY" not in rendered(theirs)
