"""Talk to signode the way Slack does: signed HTTP requests with Slack's payload shapes."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

SECRET = "8f742231b10e8888abcd99aa1b2c3d4e"
BOT_TOKEN = "xoxb-1-test-token"
APP_TOKEN = "xapp-1-test-token"


@dataclass
class Answer:
    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sign(body: str, timestamp: str, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()


def send(url: str, body: str, content_type: str, timestamp: int | None = None, secret: str = SECRET,
         headers: dict[str, str] | None = None, signature: str | None = None) -> Answer:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or sign(body, ts, secret), **(headers or {})})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return Answer(response.status, response.read().decode(), time.perf_counter() - started)
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode(), time.perf_counter() - started)


def command(url: str, text: str, response_url: str, user: str = "U0001", trigger: str = "", channel: str = "C0001",
            **kw: Any) -> Answer:
    form = {"token": "x", "team_id": "T0001", "channel_id": channel, "user_id": user, "user_name": "alice",
            "command": "/signode", "text": text, "response_url": response_url,
            "trigger_id": trigger or f"trig-{time.monotonic_ns()}"}
    return send(url, urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw)


def interactive(url: str, payload: dict[str, Any], **kw: Any) -> Answer:
    base = {"team": {"id": "T0001"}, "user": {"id": "U0001", "username": "alice", "name": "alice"},
            "api_app_id": "A0001", "token": "x", "trigger_id": f"trig-{time.monotonic_ns()}"}
    body = urllib.parse.urlencode({"payload": json.dumps({**base, **payload})})
    return send(url, body, "application/x-www-form-urlencoded", **kw)


def event(url: str, event: dict[str, Any], event_id: str, **kw: Any) -> Answer:
    body = json.dumps({"token": "x", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event})
    return send(url, body, "application/json", **kw)


def button(action_id: str, value: str, response_url: str) -> dict[str, Any]:
    return {"type": "block_actions", "response_url": response_url, "channel": {"id": "C0001"},
            "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0001", "is_ephemeral": True},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                         "action_ts": "1.2"}]}
