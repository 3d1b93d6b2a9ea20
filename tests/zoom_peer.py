"""A local stand-in for Zoom (../shared/zoom.md section 8): OAuth, the chatbot message API, and a signer.

Strict like Zoom: the token endpoint checks Basic auth and the grant type; every chatbot call needs a
live bearer token (401 code 7010 otherwise); a message needs robot_jid, to_jid, account_id and a
content card whose head has text and whose body items have known types, buttons text/value and a
style Zoom accepts; an unknown robot_jid is 404 7002, an unknown to_jid 403 7004, an unknown message
ID 404 8001. Knobs: `expires_in`, `revoke()`, `fail_next(n, status)`, `empty_2xx`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import Loopback

CLIENT_ID, CLIENT_SECRET = "zoom-client-id", "zoom-client-secret"
BOT_JID = "robot_signode@xmpp.zoom.us"
SECRET_TOKEN = "zoom-webhook-secret-token"
ACCOUNT = "ACCOUNT1"
CHANNEL = "sig-node-channel@conference.xmpp.zoom.us"
USER_JID = "alice@xmpp.zoom.us"
DM = f"{USER_JID}/{BOT_JID}"
BODY_TYPES = {"message", "fields", "actions", "select", "section", "attachments", "divider"}
STYLES = {"Primary", "Default", "Danger", "Disabled"}


@dataclass
class Sent:
    method: str
    path: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class ZoomPeer(Loopback):
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.refused: list[tuple[int, str]] = []
        self.tokens: dict[str, float] = {}
        self.tokens_issued = 0
        self.expires_in = 3600
        self.failures: list[int] = []
        self.known_jids = {CHANNEL, USER_JID, DM}
        self.messages: set[str] = set()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                peer._handle(self, "POST")

            def do_PUT(self) -> None:  # noqa: N802
                peer._handle(self, "PUT")

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(Handler)

    # -- knobs and assertions -------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.base + "/v2"

    def revoke(self) -> None:
        with self.cond:
            self.tokens.clear()

    def fail_next(self, status: int = 429, times: int = 1) -> None:
        self.failures += [status] * times

    def messages_to(self, jid: str) -> list[Sent]:
        return [s for s in self.sent if s.method == "POST" and s.body.get("to_jid") == jid]

    def seen(self) -> str:
        return f"sent: {[(x.method, x.path) for x in self.sent]}; refused: {self.refused}"

    # -- serving --------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlparse(h.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if url.path == "/oauth/token":
            self._token(h, url, raw)
            return
        auth = h.headers.get("Authorization", "")
        with self.cond:
            live = auth.startswith("Bearer ") and self.tokens.get(auth[7:], 0) > time.monotonic()
            failure = self.failures.pop(0) if self.failures and live else None
        if not live:
            self._send(h, 401, {"code": 7010, "message": "Invalid Authorization token."})
            return
        if failure:
            self._send(h, failure, {"code": failure, "message": "You have reached the maximum per-second rate "
                                    "limit for this API. Try again later."})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(h, 400, {"code": 7001, "message": "Invalid request body format"})
            return
        status, answer = self._message(method, url.path, body)
        with self.cond:
            if status < 300:
                self.sent.append(Sent(method, url.path, body))
            else:
                self.refused.append((status, json.dumps(answer)))
            self.cond.notify_all()
        self._send(h, status, answer)

    def _token(self, h: BaseHTTPRequestHandler, url: urllib.parse.ParseResult, raw: bytes) -> None:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        grant = urllib.parse.parse_qs(url.query).get("grant_type") or urllib.parse.parse_qs(raw.decode()).get(
            "grant_type")
        if h.headers.get("Authorization") != f"Basic {basic}":
            self._send(h, 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
            return
        if grant != ["client_credentials"]:
            self._send(h, 400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})
            return
        with self.cond:
            self.tokens_issued += 1
            token = f"fake-{self.tokens_issued}"
            self.tokens[token] = time.monotonic() + self.expires_in
        self._send(h, 200, {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in,
                            "scope": "imchat:bot", "api_url": self.base})

    def _message(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        required = ("robot_jid", "to_jid", "account_id", "content") if method == "POST" else \
            ("robot_jid", "account_id", "content")
        missing = [k for k in required if not body.get(k)]
        if missing or not isinstance(body.get("content"), dict):
            return 400, {"code": 7001, "message": f"Invalid request body format: {missing}"}
        if body["robot_jid"] != BOT_JID:
            return 404, {"code": 7002, "message": "Invalid robot_jid value."}
        problems = card_problems(body["content"])
        if problems:
            return 400, {"code": 7001, "message": "; ".join(problems)}
        if method == "POST":
            if path != "/v2/im/chat/messages":
                return 404, {"code": 404, "message": "not found"}
            if body["to_jid"] not in self.known_jids:
                return 403, {"code": 7004, "message": "No channel or user with that to_jid."}
            message_id = str(uuid.uuid4())
            self.messages.add(message_id)
            return 201, {"message_id": message_id, "robot_jid": BOT_JID, "to_jid": body["to_jid"],
                         "sent_time": time.strftime("%Y-%m-%d %H:%M:%S")}
        message_id = path.rsplit("/", 1)[-1]
        if message_id not in self.messages:
            return 404, {"code": 8001, "message": "Invalid message_id value."}
        return 200, {"message_id": message_id, "robot_jid": BOT_JID,
                     "sent_time": time.strftime("%Y-%m-%d %H:%M:%S +0000")}

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


def card_problems(content: dict[str, Any]) -> list[str]:
    out: list[str] = []
    head = content.get("head")
    if not isinstance(head, dict) or not isinstance(head.get("text"), str):
        out.append("head.text must be a string")
    if content.get("is_markdown_support"):
        out.append("signode never turns Markdown on for a whole card")
    for i, item in enumerate(content.get("body") or []):
        if item.get("type") not in BODY_TYPES:
            out.append(f"body[{i}]: unknown type {item.get('type')!r}")
        if len(str(item.get("text", ""))) > 4000:
            out.append(f"body[{i}]: text over 4000 characters")
        if item.get("type") == "actions":
            for button in item.get("items") or []:
                if not button.get("text") or "value" not in button or button.get("style") not in STYLES:
                    out.append(f"body[{i}]: a button needs text, value and a style in {sorted(STYLES)}")
        if item.get("type") == "fields":
            out += [f"body[{i}]: a field needs key and value" for f in item.get("items") or []
                    if "key" not in f or "value" not in f]
    return out


def deliver(url: str, event: dict[str, Any], secret: str = SECRET_TOKEN, timestamp: int | None = None,
            request_id: str | None = None, signature: str | None = None) -> tuple[int, str, float]:
    """Send an event the way Zoom does: compact JSON, signed over the exact bytes. (status, body, seconds)"""
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature if signature is not None else \
        "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Zoom Marketplace/1.0a",
        "x-zm-request-timestamp": ts, "x-zm-signature": sig,
        "x-zm-request-id": request_id or str(uuid.uuid4()).replace("-", "_")})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.perf_counter() - started


def command(cmd: str, to_jid: str = CHANNEL, user: str = "alice", name: str = "Alice Doe") -> dict[str, Any]:
    return {"event": "bot_notification", "event_ts": int(time.time() * 1000), "payload": {
        "accountId": ACCOUNT, "channelName": "sig-node", "cmd": cmd, "robotJid": BOT_JID,
        "timestamp": int(time.time() * 1000), "toJid": to_jid, "triggerId": str(uuid.uuid4()), "userId": user,
        "userJid": USER_JID, "userName": name, "userStatus": "authorized"}}


def button(value: str, message_id: str, to_jid: str = CHANNEL, user: str = "alice") -> dict[str, Any]:
    return {"event": "interactive_message_actions", "event_ts": int(time.time() * 1000), "payload": {
        "accountId": ACCOUNT, "channelName": "sig-node", "messageId": message_id, "robotJid": BOT_JID,
        "timestamp": int(time.time() * 1000), "toJid": to_jid, "userId": user, "userJid": USER_JID,
        "userName": "Alice Doe", "actionItem": {"text": "More", "value": value}, "original": {}}}
