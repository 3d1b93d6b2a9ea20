"""The real SocketModeHandler inside `signode serve --socket`, against a local Socket Mode server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT
from tests.slack_client import APP_TOKEN, BOT_TOKEN
from tests.slack_peer import SlackPeer, SocketModeServer


def slash_envelope(envelope_id: str, text: str, response_url: str) -> str:
    payload = {"token": "x", "team_id": "T0001", "channel_id": "C0001", "user_id": "U0001", "user_name": "alice",
               "command": "/signode", "text": text, "response_url": response_url, "trigger_id": envelope_id}
    return json.dumps({"envelope_id": envelope_id, "type": "slash_commands", "payload": payload,
                       "accepts_response_payload": True})


@contextmanager
def socket_app(corpus_db: Path, tmp_path: Path) -> Iterator[tuple[SlackPeer, SocketModeServer]]:
    """`signode serve --socket` as a process, with the local Web API peer and Socket Mode server."""
    db = tmp_path / "socket.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as peer, SocketModeServer() as ws:
        peer.ws_url = ws.url
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
               "SLACK_API_URL": peer.api_url, "SIGNODE_DB": str(db)}
        process = subprocess.Popen([sys.executable, "-m", "slackbot", "serve", "--socket"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            yield peer, ws
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_slash_command_over_socket_mode(corpus_db: Path, tmp_path: Path) -> None:
    with socket_app(corpus_db, tmp_path) as (peer, ws):
        conn = ws.wait_connections(1)
        opened = peer.of("apps.connections.open")
        assert opened, "the handler must ask the Web API for the WebSocket URL"
        conn.send(slash_envelope("env-1", "when was the sandboxes api decision discussed",
                                 peer.response_url("sock1")))
        ws.wait_ack("env-1")  # raises unless the handler acknowledged the envelope
        reply = peer.wait_for(lambda: peer.responses("sock1"))[0].body
        assert "Sandboxes API Decision" in json.dumps(reply["blocks"])


def test_reconnects_after_a_dropped_connection_and_after_disconnect(corpus_db: Path, tmp_path: Path) -> None:
    with socket_app(corpus_db, tmp_path) as (peer, ws):
        first = ws.wait_connections(1)
        first.close()  # the WebSocket drops, as when a network path fails
        second = ws.wait_connections(2, timeout=30)
        second.send(slash_envelope("env-2", "pr 63437", peer.response_url("after-drop")))
        ws.wait_ack("env-2")
        assert "63437" in json.dumps(peer.wait_for(lambda: peer.responses("after-drop"))[0].body)
        second.send(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                "debug_info": {"host": "local"}}))
        third = ws.wait_connections(3, timeout=30)
        third.send(slash_envelope("env-3", "help", peer.response_url("after-disconnect")))
        ws.wait_ack("env-3")
        assert "signode" in json.dumps(peer.wait_for(lambda: peer.responses("after-disconnect"))[0].body)
        assert len(peer.of("apps.connections.open")) >= 3
