"""The real SocketModeHandler inside `signode serve --socket`, against a local Socket Mode server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.slack_client import APP_TOKEN, BOT_TOKEN
from tests.slack_peer import SlackPeer, SocketModeServer


def slash_envelope(envelope_id: str, text: str, response_url: str) -> str:
    payload = {"token": "x", "team_id": "T0001", "channel_id": "C0001", "user_id": "U0001", "user_name": "alice",
               "command": "/signode", "text": text, "response_url": response_url, "trigger_id": envelope_id}
    return json.dumps({"envelope_id": envelope_id, "type": "slash_commands", "payload": payload,
                       "accepts_response_payload": True})


def test_slash_command_over_socket_mode(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "socket.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as peer, SocketModeServer() as ws:
        peer.ws_url = ws.url
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
               "SLACK_API_URL": peer.api_url, "SIGNODE_DB": str(db)}
        process = subprocess.Popen([sys.executable, "-m", "slackbot", "serve", "--socket"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn = ws.wait_connections(1)
            opened = peer.of("apps.connections.open")
            assert opened, "the handler must ask the Web API for the WebSocket URL"
            conn.send(slash_envelope("env-1", "when was the sandboxes api decision discussed",
                                     peer.response_url("sock1")))
            ack = ws.wait_ack("env-1")
            assert ack == {"envelope_id": "env-1"} or ack.get("envelope_id") == "env-1"
            reply = peer.wait_for(lambda: peer.responses("sock1"))[0].body
            assert "Sandboxes API Decision" in json.dumps(reply["blocks"])
        finally:
            process.terminate()
            process.wait(timeout=10)
