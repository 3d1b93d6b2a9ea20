"""Running the app: a threaded HTTP server for HTTP mode, and the Socket Mode handler.

Bolt's own `app.start()` serves one request at a time with a listen backlog of 5 on 0.0.0.0; this
server takes requests concurrently (a thread each, a deep backlog), binds where the operator says,
refuses oversized bodies, and answers `/healthz` without a signature.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from slackbot.app import describe_request

log = logging.getLogger("signode.http")
MAX_BODY = 1024 * 1024
MAX_DRAIN = 16 * MAX_BODY
EVENTS_PATH = "/slack/events"


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, app: App, host: str, port: int, signing_secret: str) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.started = time.time()
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    server: SlackHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if urlparse(self.path).path == "/healthz":
            self._send(200, json.dumps({"ok": True, "uptime_s": round(time.time() - self.server.started)}),
                       "application/json")
        else:
            self._send(404, "not found")

    def do_POST(self) -> None:  # noqa: N802
        started = time.perf_counter()
        url = urlparse(self.path)
        if url.path != EVENTS_PATH:
            self._send(404, "not found")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._discard(length)
            self._send(413, "request body too large")
            self.close_connection = True
            return
        raw = self.rfile.read(length)
        if not self.server.verifier.is_valid(raw, self.headers.get("X-Slack-Request-Timestamp", ""),
                                             self.headers.get("X-Slack-Signature", "")):
            self._send(401, "invalid signature")  # checked before parsing: an unsigned body is never read
            log.info("slack request refused status=401 path=%s", url.path)
            return
        body = raw.decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in self.headers.items()}
        try:
            request = BoltRequest(body=body, query=url.query, headers=headers)
            response = self.server.app.dispatch(request)
        except Exception:  # a payload Bolt itself cannot read: answer 500 rather than drop the connection
            log.exception("request path=%s could not be dispatched", url.path)
            self._send(500, "internal error")
            return
        content_type = (response.headers.get("content-type") or ["text/plain;charset=utf-8"])[0]
        self._send(response.status, response.body or "", content_type)
        kind, name, user = describe_request(request.body) if isinstance(request.body, dict) else ("?", "", "")
        log.info("slack request kind=%s name=%s user=%s status=%s retry=%s ms=%.1f", kind, name, user,
                 response.status, self.headers.get("X-Slack-Retry-Num", "0"), (time.perf_counter() - started) * 1000)

    def _discard(self, length: int) -> None:
        """Read (and drop) a refused body of moderate size, so the client sees the 413, not a reset."""
        left = length if 0 < length <= MAX_DRAIN else 0
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)

    def _send(self, status: int, body: str, content_type: str = "text/plain;charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return  # one structured line per request is logged in do_POST instead


def serve_http(app: App, host: str, port: int, signing_secret: str) -> None:
    server = SlackHTTPServer(app, host, port, signing_secret)
    log.info("signode listening on http://%s:%d%s (health: /healthz)", host, server.port, EVENTS_PATH)
    print(f"signode listening on http://{host}:{server.port}{EVENTS_PATH}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_socket(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token, web_client=app.client)
    print("signode connecting in Socket Mode", flush=True)
    handler.start()
