"""A local stand-in for Slack's servers: the Web API, response_url, and Socket Mode's WebSocket.

It records every call's path and body and answers the way Slack does, so tests see exactly what
signode sent. It is strict: a message, modal or Home tab that Slack would refuse (tests/blockkit.py)
is refused with Slack's error (`invalid_blocks`, `invalid_arguments`), a response_url takes at most
five posts, a trigger_id opens one view; each refusal is kept in `rejected`, and leaving the peer with
refusals nobody expected fails the test. `fail_next(method, status, retry_after)` makes the next call
of a method answer 429 (or any status); `delay[method]` (or `delay["response"]`) makes Slack slow.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.blockkit import message_problems, response_url_problems, view_problems
from tests.loopback import Loopback

RESPONSE_URL_USES = 5
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}


@dataclass
class Call:
    path: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def method(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class SlackPeer(Loopback):
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[tuple[int, int]]] = {}
        self.rejected: list[tuple[str, list[str]]] = []
        self.expect_rejections = False
        self.delay: dict[str, float] = {}
        self.triggers: set[str] = set()
        self.user_tz = "Europe/Berlin"
        self.profiles: dict[str, dict[str, str]] = {}  # user ID -> {"real_name", "display_name"} for users.info
        self.ws_url = ""
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                peer._answer(self, url.path, {k: v[0] for k, v in parse_qs(url.query).items()})

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                body.update({k: v[0] for k, v in parse_qs(url.query).items()})
                peer._answer(self, url.path, body)

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(Handler)

    # -- what tests use ---------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/response/{name}"

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.rejected and not self.expect_rejections and not exc[0]:
            raise AssertionError(f"Slack would have refused what signode sent: {self.rejected[:3]}")

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend([(status, retry_after)] * times)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def responses(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.path == f"/response/{name}"]

    def seen(self) -> str:
        return f"calls so far: {[c.path for c in self.calls]}; refused: {self.rejected[:3]}"

    # -- answering --------------------------------------------------------------------------------
    def _answer(self, handler: BaseHTTPRequestHandler, path: str, body: dict[str, Any]) -> None:
        method = path.rsplit("/", 1)[-1]
        is_response = path.startswith("/response/")
        pause = self.delay.get("response" if is_response else method, 0.0)
        if pause:
            time.sleep(pause)
        with self.cond:
            failures = self.failures.get(method)
            failure = failures.pop(0) if failures else None
            refusal = None if failure else self._refusal(path, method, body)
            if refusal:
                self.rejected.append((path, refusal[2]))
            else:
                self.calls.append(Call(path, body))
            self.cond.notify_all()
        if failure:
            status, retry_after = failure
            self._send(handler, status, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        elif refusal:
            status, error, problems = refusal
            self._send(handler, status, {"ok": False, "error": error, "errors": problems,
                                         "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}})
        elif is_response:
            self._send(handler, 200, {"ok": True})
        else:
            self._send(handler, 200, self._reply(method, body))

    def _refusal(self, path: str, method: str, body: dict[str, Any]) -> tuple[int, str, list[str]] | None:
        """(HTTP status, Slack error, problems) for a request Slack would refuse; None if it would accept it."""
        if path.startswith("/response/"):
            if len([c for c in self.calls if c.path == path]) >= RESPONSE_URL_USES:
                return 404, "used_url", [f"a response_url takes at most {RESPONSE_URL_USES} posts"]
            problems = response_url_problems(body)
            return (400, "invalid_blocks", problems) if problems else None
        if method in MESSAGE_METHODS:
            if not body.get("channel"):
                return 200, "channel_not_found", ["channel is required"]
            problems = message_problems(body)
            if problems:
                return 200, "no_text" if problems[0].startswith("no_text") else "invalid_blocks", problems
        if method in ("views.open", "views.push"):
            trigger = str(body.get("trigger_id") or "")
            if not trigger:
                return 200, "invalid_arguments", ["trigger_id is required"]
            if trigger in self.triggers:
                return 200, "invalid_trigger_id", ["a trigger_id opens one view"]
            self.triggers.add(trigger)
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            if method == "views.publish" and not body.get("user_id"):
                return 200, "invalid_arguments", ["user_id is required"]
            problems = view_problems(body.get("view"), home=method == "views.publish")
            if problems:
                return 200, "invalid_arguments", problems
        return None

    def _reply(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://example.slack.com/", "team": "Example", "user": "signode",
                    "team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}",
                    "message": {"text": body.get("text", "")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{time.time():.6f}"}
        if method == "chat.getPermalink":
            ts = str(body.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": body.get("channel"),
                    "permalink": f"https://example.slack.com/archives/{body.get('channel')}/p{ts}"}
        if method in ("views.open", "views.publish", "views.update"):
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {**(view or {}), "id": "V0001"}}
        if method == "users.info":
            names = self.profiles.get(str(body.get("user")), {"real_name": "Some One", "display_name": "someone"})
            return {"ok": True, "user": {"id": body.get("user"), "name": "someone", "real_name": names["real_name"],
                                         "tz": self.user_tz, "tz_offset": 3600,
                                         "profile": {"real_name": names["real_name"],
                                                     "display_name": names["display_name"]}}}
        if method == "conversations.info":
            channel = str(body.get("channel", ""))
            if channel.startswith("CNOSCOPE"):
                return {"ok": False, "error": "missing_scope"}
            return {"ok": True, "channel": {"id": channel, "is_member": not channel.startswith("COUT")}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url} if self.ws_url else {"ok": False, "error": "no_socket"}
        return {"ok": False, "error": "unknown_method"}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)



class SocketModeServer:
    """A WebSocket server speaking Socket Mode's envelopes: `hello`, then whatever the test sends."""

    def __init__(self) -> None:
        self.connections: list[ServerConnection] = []
        self.acks: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"

    def _handle(self, conn: ServerConnection) -> None:
        with self.cond:
            self.connections.append(conn)
            self.cond.notify_all()
        conn.send(json.dumps({"type": "hello", "num_connections": 1,
                              "connection_info": {"app_id": "A0001"}, "debug_info": {"host": "local"}}))
        try:
            for message in conn:
                data = json.loads(message)
                with self.cond:
                    self.acks.append(data)
                    self.cond.notify_all()
        except ConnectionClosed:
            return  # the client went away (or the test dropped it): this connection is over

    def wait_connections(self, n: int, timeout: float = 15.0) -> ServerConnection:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.connections) >= n, timeout):
                raise AssertionError(f"expected {n} connections, got {len(self.connections)}")
            return self.connections[n - 1]

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        with self.cond:
            ok = self.cond.wait_for(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks), timeout)
            if not ok:
                raise AssertionError(f"no ack for {envelope_id}; acks: {self.acks}")
            return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    def __enter__(self) -> SocketModeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

