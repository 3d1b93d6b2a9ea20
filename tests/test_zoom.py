"""signode in Zoom Team Chat: the real `signode serve` process, a local fake Zoom, signed deliveries."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from slackbot.commands import Commands
from slackbot.index.store import Store
from slackbot.zoom import cards
from tests.conftest import ROOT, listening_base
from tests.zoom_peer import (
    ACCOUNT,
    BOT_JID,
    CHANNEL,
    CLIENT_ID,
    CLIENT_SECRET,
    DM,
    SECRET_TOKEN,
    USER_JID,
    ZoomPeer,
    button,
    command,
    deliver,
)


@dataclass
class Zoom:
    url: str
    base: str
    peer: ZoomPeer
    db: Path
    process: subprocess.Popen[str]


def start(peer: ZoomPeer, db: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SIGNODE_DB": str(db), "ZOOM_CLIENT_ID": CLIENT_ID, "ZOOM_CLIENT_SECRET": CLIENT_SECRET,
           "ZOOM_BOT_JID": BOT_JID, "ZOOM_SECRET_TOKEN": SECRET_TOKEN, "ZOOM_API_URL": peer.api_url,
           "ZOOM_OAUTH_URL": peer.base}
    return subprocess.Popen([sys.executable, "-m", "slackbot", "serve", "--zoom", "--port", "0",
                             "--sync-minutes", "0", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def zoom(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zoom]:
    db = tmp_path_factory.mktemp("zoom") / "zoom.db"
    shutil.copy(corpus_db, db)
    with ZoomPeer() as peer:
        process = start(peer, db)
        base = listening_base(process, "/zoom/events")
        yield Zoom(base + "/zoom/events", base, peer, db, process)
        process.terminate()
        process.wait(timeout=20)


def added(db: Path) -> list[str]:
    return [r[0] for r in sqlite3.connect(db).execute("SELECT text FROM added_items WHERE removed_at IS NULL")]


def texts(content: dict[str, object]) -> str:
    return json.dumps(content, ensure_ascii=False)


def test_url_validation_answers_the_challenge(zoom: Zoom) -> None:
    import hashlib
    import hmac

    status, body, seconds = deliver(zoom.url, {"payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
                                               "event_ts": 1654503849680, "event": "endpoint.url_validation"})
    expected = hmac.new(SECRET_TOKEN.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert status == 200 and seconds < 3
    assert json.loads(body) == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


def test_a_channel_command_and_a_direct_message_are_answered(zoom: Zoom) -> None:
    status, _, seconds = deliver(zoom.url, command("when was “sandboxes” discussed"))  # non-ASCII bytes signed
    assert status == 200 and seconds < 3
    reply = zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(CHANNEL) if "sandbox" in texts(s.body)])
    body = reply[0].body
    assert body["account_id"] == ACCOUNT and body["robot_jid"] == BOT_JID and body["user_jid"] == USER_JID
    assert "came up in" in body["content"]["head"]["text"] and "Meetings per year" in texts(body["content"])
    deliver(zoom.url, command("what did dashpole present", to_jid=DM))
    dm = zoom.peer.wait_for(lambda: zoom.peer.messages_to(DM))[0].body
    assert "dashpole" in texts(dm["content"])


def test_more_button_edits_the_card_to_the_next_page(zoom: Zoom) -> None:
    deliver(zoom.url, command("kubelet"))
    first = zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(CHANNEL)
                                        if "for “kubelet”" in s.body["content"]["head"]["text"]])[0]
    more = next(b for item in first.body["content"]["body"] if item["type"] == "actions" for b in item["items"]
                if b["text"] == "More")
    message_id = sorted(zoom.peer.messages)[0]
    deliver(zoom.url, button(more["value"], message_id))
    edit = zoom.peer.wait_for(lambda: [s for s in zoom.peer.sent if s.method == "PUT"])[0]
    assert edit.path.endswith(message_id) and edit.body["content"] != first.body["content"]


def test_forged_stale_and_unsigned_deliveries_change_nothing(zoom: Zoom) -> None:
    before, sent = added(zoom.db), len(zoom.peer.sent)
    event = command("add forged item")
    assert deliver(zoom.url, event, secret="wrong-secret")[0] == 401
    assert deliver(zoom.url, event, timestamp=int(time.time()) - 301)[0] == 401
    assert deliver(zoom.url, event, signature="v0=" + "0" * 64)[0] == 401
    assert deliver(zoom.url, event, signature="")[0] == 401
    time.sleep(0.5)
    assert added(zoom.db) == before and len(zoom.peer.sent) == sent


def test_a_retried_delivery_adds_once(zoom: Zoom) -> None:
    event = command("add Zoom retry check")
    first = deliver(zoom.url, event, request_id="req_retry_1")
    again = deliver(zoom.url, event, request_id="req_retry_1")  # re-signed, same request
    later = deliver(zoom.url, event)  # same body, new request id
    assert (first[0], again[0], later[0]) == (200, 200, 200)
    zoom.peer.wait_for(lambda: [s for s in zoom.peer.sent if "Zoom retry check" in texts(s.body)])
    time.sleep(0.5)
    assert added(zoom.db).count("Zoom retry check") == 1
    assert len([s for s in zoom.peer.sent if "Zoom retry check" in texts(s.body)]) == 1


def test_fifty_concurrent_adds_are_stored_once_each(zoom: Zoom) -> None:
    names = [f"Zoom concurrent {n}" for n in range(50)]
    with ThreadPoolExecutor(25) as pool:
        statuses = list(pool.map(lambda n: deliver(zoom.url, command(f"add {n}"))[0], names))
    assert statuses == [200] * 50
    zoom.peer.wait_for(lambda: sum("Zoom concurrent" in texts(s.body) for s in zoom.peer.sent) >= 50, timeout=60)
    assert sorted(a for a in added(zoom.db) if a.startswith("Zoom concurrent")) == sorted(names)


def test_an_expired_token_is_fetched_again_and_a_429_is_waited_out(zoom: Zoom) -> None:
    issued = zoom.peer.tokens_issued
    zoom.peer.revoke()
    deliver(zoom.url, command("search seccomp"))
    zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(CHANNEL) if "seccomp" in texts(s.body)])
    assert zoom.peer.tokens_issued == issued + 1
    zoom.peer.fail_next(429)
    deliver(zoom.url, command("search apparmor"))
    reply = zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(CHANNEL) if "apparmor" in texts(s.body)])
    assert reply and zoom.peer.failures == []  # the 429 was answered and the retry went through


INJECTIONS = ["*bold* _it_ <https://evil.example|click> @all", "<!channel> [x](https://evil.example)",
              "line\x00with\x07controls"]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_in_items_is_shown_inert(zoom: Zoom, payload: str) -> None:
    deliver(zoom.url, command(f"add review {payload} please"))
    reply = zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(CHANNEL)
                                        if "review" in texts(s.body) and "Added" in texts(s.body)])[-1].body
    content = reply["content"]
    assert "is_markdown_support" not in json.dumps(content)
    links = [i.get("link") for i in content["body"] if i.get("link")]
    assert all("evil" not in str(link) for link in links)
    assert "@all" not in texts(content)  # "@\u200ball": shown, never a mention
    assert "\x00" not in json.dumps(content) and "\\u0000" not in json.dumps(content)


def test_the_same_question_gets_the_same_items_in_slack_zoom_and_the_terminal(corpus_store: Store) -> None:
    """One grammar, three renderings: the items and dates agree."""
    from slackbot.slack.blocks import render_reply

    commands = Commands(corpus_store)
    for question in ("when was sandboxes discussed", "what did dashpole present", "swap since 2023",
                     "meeting 2018-06-12"):
        reply = commands.handle(question)
        slack = json.dumps(render_reply(reply), ensure_ascii=False)
        zoom_card = json.dumps(cards.render(reply), ensure_ascii=False)
        terminal = reply.as_text()
        for e in reply.entries:
            words = e.text[:40].replace("&", "").replace("<", "").replace(">", "").replace("@", "")
            if reply.kind != "meeting":  # a meeting's own reply names its date once, in the headline
                assert e.date is None or (e.date in zoom_card and e.date in terminal and e.date in slack), question
            assert words.split()[0] in zoom_card and words.split()[0] in terminal and words.split()[0] in slack, \
                (question, words)
        assert len(reply.entries) >= 1, question


def test_install_welcomes_and_deauthorization_forgets_the_accounts_items(zoom: Zoom) -> None:
    deliver(zoom.url, {"event": "bot_installed", "payload": {"accountId": ACCOUNT, "robotJid": BOT_JID,
                                                             "timestamp": 1542796725586, "userId": "alice",
                                                             "userJid": USER_JID, "userName": "Alice Doe"}})
    welcome = zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(USER_JID) if "help" in texts(s.body)])
    assert welcome[0].body["account_id"] == ACCOUNT
    deliver(zoom.url, command("add Item of a leaving account"))
    zoom.peer.wait_for(lambda: [s for s in zoom.peer.sent if "Item of a leaving account" in texts(s.body)])
    assert "Item of a leaving account" in added(zoom.db)
    status, _, _ = deliver(zoom.url, {"event": "app_deauthorized", "payload": {
        "account_id": ACCOUNT, "user_id": "alice", "signature": "827edc", "deauthorization_time":
        "2020-06-17T13:52:28.632Z", "client_id": CLIENT_ID, "event_ts": "2024-09-08 15:58:40"}})
    assert status == 200
    deadline = time.monotonic() + 10
    while any(a.startswith("Item of a leaving") for a in added(zoom.db)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [a for a in added(zoom.db) if a.startswith(("Item of a leaving", "Zoom concurrent"))]


def test_one_http_server_serves_slack_and_zoom(corpus_db: Path, tmp_path: Path) -> None:
    from tests.conftest import start_server
    from tests.slack_client import command as slack_command
    from tests.slack_peer import SlackPeer

    db = tmp_path / "both.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as slack, ZoomPeer() as peer:
        env = {"ZOOM_CLIENT_ID": CLIENT_ID, "ZOOM_CLIENT_SECRET": CLIENT_SECRET, "ZOOM_BOT_JID": BOT_JID,
               "ZOOM_SECRET_TOKEN": SECRET_TOKEN, "ZOOM_API_URL": peer.api_url, "ZOOM_OAUTH_URL": peer.base}
        process = start_server(slack, db, extra_env=env, args=("--sync-minutes", "0"))
        try:
            base = listening_base(process)
            assert slack_command(base + "/slack/events", "seccomp", slack.response_url("both")).status == 200
            assert deliver(base + "/zoom/events", command("seccomp"))[0] == 200
            slack_reply = slack.wait_for(lambda: slack.responses("both"))[0].body
            zoom_reply = peer.wait_for(lambda: peer.messages_to(CHANNEL))[0].body
            assert "seccomp" in json.dumps(slack_reply) and "seccomp" in texts(zoom_reply)
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_missing_zoom_settings_are_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "SIGNODE_DB": str(tmp_path / "z.db"), "ZOOM_CLIENT_ID": CLIENT_ID}
    result = subprocess.run([sys.executable, "-m", "slackbot", "serve", "--zoom"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "ZOOM_CLIENT_SECRET, ZOOM_BOT_JID, ZOOM_SECRET_TOKEN not set" in result.stderr


def test_the_manifest_points_at_what_the_server_serves() -> None:
    from slackbot.zoom.events import EVENTS_PATH

    manifest = json.loads((ROOT / "zoom-manifest.json").read_text())
    chat = manifest["features"]["team_chat_subscription"]
    command = chat["slash_command"]
    assert command["command"] == "signode" and chat["enable"] is True
    assert command["production_message_url"].endswith(EVENTS_PATH)
    assert command["development_message_url"].endswith(EVENTS_PATH)
    assert {s["scope"] for s in manifest["oauth_information"]["scopes"]} == {"imchat:bot"}
    hints = [h["usage_hint"].split()[0] for h in command["command_hints"]]
    assert set(hints) <= {"search", "when", "agenda", "add", "meeting", "help", "remove"}


def test_doctor_checks_the_zoom_token(tmp_path: Path) -> None:
    with ZoomPeer() as peer:
        env = {**os.environ, "SIGNODE_DB": str(tmp_path / "d.db"), "ZOOM_CLIENT_ID": CLIENT_ID,
               "ZOOM_CLIENT_SECRET": CLIENT_SECRET, "ZOOM_BOT_JID": BOT_JID, "ZOOM_SECRET_TOKEN": SECRET_TOKEN,
               "ZOOM_OAUTH_URL": peer.base, "ZOOM_API_URL": peer.api_url, "SLACK_BOT_TOKEN": ""}
        good = subprocess.run([sys.executable, "-m", "slackbot", "doctor", "--timeout", "2"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        bad = subprocess.run([sys.executable, "-m", "slackbot", "doctor", "--timeout", "2"], cwd=ROOT,
                             env={**env, "ZOOM_CLIENT_SECRET": "wrong"}, capture_output=True, text=True, timeout=120)
    assert re.search(r"^ok\s+zoom token: chatbot token granted", good.stdout, re.M), good.stdout
    assert re.search(r"^FAIL zoom token: Zoom did not grant a chatbot token \(HTTP 401\)", bad.stdout, re.M)


def test_a_reminder_reaches_slack_and_zoom_once_each_with_two_processes(tmp_path: Path) -> None:
    from slackbot.index.store import ScheduleStore
    from tests.slack_client import BOT_TOKEN
    from tests.slack_peer import SlackPeer

    groups = tmp_path / "signode.toml"
    groups.write_text(f'[[group]]\nname = "sig-node"\ntitle = "SIG Node"\nchannel = "C0NODE"\n'
                      f'zoom_channel = "{CHANNEL}"\nzoom_account = "{ACCOUNT}"\n'
                      '[group.schedule]\nday = "Tuesday"\ntime = "10:00"\ntz = "PT (Pacific Time)"\n'
                      'frequency = "weekly"\n')
    db = tmp_path / "r.db"
    Store(db).close()
    with SlackPeer() as slack, ZoomPeer() as peer:
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url,
               "ZOOM_CLIENT_ID": CLIENT_ID, "ZOOM_CLIENT_SECRET": CLIENT_SECRET, "ZOOM_BOT_JID": BOT_JID,
               "ZOOM_SECRET_TOKEN": SECRET_TOKEN, "ZOOM_API_URL": peer.api_url, "ZOOM_OAUTH_URL": peer.base}
        args = [sys.executable, "-m", "slackbot", "--db", str(db), "--groups", str(groups), "remind", "--once"]
        for moment in ["2026-11-30T18:01:00Z", "2026-12-01T17:00:30Z"]:
            procs = [subprocess.Popen([*args, "--now", moment], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
            outs = [p.communicate(timeout=60) for p in procs]
            assert all(p.returncode == 0 for p in procs), outs
        zoom_messages = peer.messages_to(CHANNEL)
        slack_messages = slack.of("chat.postMessage")
    assert len(zoom_messages) == 2 and len(slack_messages) == 2
    heads = [m.body["content"]["head"]["text"] for m in zoom_messages]
    assert heads[0].startswith("SIG Node meets in 24 hours: Tue Dec 1, 10:00 PST (18:00 UTC)")
    assert heads[1].startswith("SIG Node meets in 1 hour")
    assert all(m.body["account_id"] == ACCOUNT for m in zoom_messages)
    rows = ScheduleStore(Store(db)).reminders()
    assert sorted((r["platform"], r["status"]) for r in rows) == [("slack", "sent")] * 2 + [("zoom", "sent")] * 2


def test_text_typed_in_the_agenda_card_becomes_an_item(zoom: Zoom) -> None:
    deliver(zoom.url, command("agenda"))
    card = zoom.peer.wait_for(lambda: [s for s in zoom.peer.messages_to(CHANNEL)
                                       if "Next SIG Node meeting" in s.body["content"]["head"]["text"]])[-1]
    fields = [i for item in card.body["content"]["body"] if item["type"] == "fields" for i in item["items"]]
    assert fields and fields[0]["editable"] is True
    event = {"event": "interactive_message_fields_editable", "event_ts": int(time.time() * 1000), "payload": {
        "accountId": ACCOUNT, "channelName": "sig-node", "messageId": "m-1", "robotJid": BOT_JID,
        "timestamp": int(time.time() * 1000), "toJid": CHANNEL, "userId": "alice", "userJid": USER_JID,
        "userName": "Alice Doe", "original": {},
        "fieldEditItem": {"key": fields[0]["key"], "currentValue": fields[0]["value"],
                          "newValue": "Typed in Zoom: memory QoS status"}}}
    assert deliver(zoom.url, event)[0] == 200
    zoom.peer.wait_for(lambda: [s for s in zoom.peer.sent if "Typed in Zoom" in texts(s.body)])
    assert added(zoom.db).count("Typed in Zoom: memory QoS status") == 1
    assert deliver(zoom.url, event)[0] == 200  # Zoom's retry of the same delivery
    time.sleep(0.5)
    assert added(zoom.db).count("Typed in Zoom: memory QoS status") == 1


def test_a_body_changed_after_signing_or_not_json_is_refused(zoom: Zoom) -> None:
    import hashlib
    import hmac
    import urllib.error
    import urllib.request

    def post(body: bytes, signed_body: bytes) -> int:
        ts = str(int(time.time()))
        sig = "v0=" + hmac.new(SECRET_TOKEN.encode(), f"v0:{ts}:".encode() + signed_body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(zoom.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "x-zm-request-timestamp": ts, "x-zm-signature": sig})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    before, sent = added(zoom.db), len(zoom.peer.sent)
    original = json.dumps(command("add tampered item"), separators=(",", ":")).encode()
    assert post(original.replace(b"tampered", b"tampered!"), original) == 401
    assert post(b"not json at all", b"not json at all") == 400
    assert post(b"[1, 2, 3]", b"[1, 2, 3]") == 400
    time.sleep(0.3)
    assert added(zoom.db) == before and len(zoom.peer.sent) == sent


@pytest.mark.parametrize("event", [
    {"event": "team_chat.app_mention", "event_ts": 1, "payload": {
        "account_id": ACCOUNT, "operator": "alice@example.com", "operator_id": "alice", "operator_member_id": "m1",
        "by_external_user": False, "object": {"message_id": "x1", "type": "to_channel", "channel_id": "c1",
                                              "channel_name": "sig-node", "message": "@signode swap",
                                              "date_time": "2026-11-29T10:00:00Z", "timestamp": 1}}},
    {"event": "interactive_message_editable", "event_ts": 1, "payload": {
        "accountId": ACCOUNT, "messageId": "m", "toJid": CHANNEL, "userId": "alice", "userJid": USER_JID,
        "editItem": {"origin": "a", "target": "b"}, "original": {}}},
    {"event": "interactive_message_actions", "payload": {"accountId": ACCOUNT, "toJid": CHANNEL,
                                                         "actionItem": {"text": "?", "value": "not json"}}},
    {"event": "some.future_event", "payload": None},
])
def test_events_signode_does_not_answer_are_acked_and_change_nothing(zoom: Zoom, event: dict[str, object]) -> None:
    """Shapes Zoom sends (or may add) that signode has no answer for: 200, nothing sent, nothing stored."""
    before, sent = added(zoom.db), len(zoom.peer.sent)
    assert deliver(zoom.url, event)[0] == 200
    time.sleep(0.3)
    assert added(zoom.db) == before and len(zoom.peer.sent) == sent
    assert zoom.process.poll() is None
