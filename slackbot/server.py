"""The HTTP server of HTTP mode: `/slack/events`, `/zoom/events` and `/healthz`; concurrent, bounded,
and hard to wedge.

Bolt's own `app.start()` serves one request at a time with a listen backlog of 5 on 0.0.0.0. This
server takes requests concurrently (a thread a connection, a deep backlog), binds where the operator
says, refuses oversized bodies, answers `/healthz` without a signature, and defends itself:
- every connection has a deadline: a request's line and headers must arrive within `header_timeout`
  of the connection going idle, its body within `body_timeout`; a reaper closes what is overdue, so
  idle sockets and bodies shorter than their Content-Length never hold a thread for long;
- at most `max_connections` are open: a new one pushes out the longest-idle one, or gets 503;
- a request without a usable signature (no or non-numeric timestamp, a forged or stale signature),
  or whose body is not UTF-8, gets one log line and a 4xx, never a traceback;
- `drain()` stops accepting, closes idle connections and waits for requests being answered.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from slack_bolt import App
from slack_bolt.request import BoltRequest

from slackbot import signatures
from slackbot.slack.app import describe_request
from slackbot.zoom.events import EVENTS_PATH as ZOOM_PATH
from slackbot.zoom.events import ZoomApp

log = logging.getLogger("signode.http")
MAX_BODY = 1024 * 1024
MAX_DRAIN = 16 * MAX_BODY
EVENTS_PATH = "/slack/events"
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
MAX_CONNECTIONS = 1000
REFUSED = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass
class _Conn:
    sock: socket.socket
    state: str = "waiting"  # waiting (for a request) | body (reading it) | busy (answering)
    deadline: float = 0.0
    since: float = field(default_factory=time.monotonic)


class Connections:
    """Every open connection with its state and deadline: the reaper and the cap both work from here."""

    def __init__(self, limit: int, header_timeout: float, body_timeout: float) -> None:
        self.limit = limit
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.open: dict[int, _Conn] = {}
        self.lock = threading.Condition()
        self.accepting = True

    def admit(self, sock: socket.socket) -> bool:
        """Register a new connection; at the cap push out the longest-idle one, or refuse (False)."""
        with self.lock:
            if not self.accepting:
                return False
            if len(self.open) >= self.limit:
                idle = [c for c in self.open.values() if c.state == "waiting"]
                if not idle:
                    return False
                oldest = min(idle, key=lambda c: c.since)
                _shut(oldest.sock, socket.SHUT_RDWR)
                del self.open[id(oldest.sock)]
            self.open[id(sock)] = _Conn(sock, "waiting", time.monotonic() + self.header_timeout)
            return True

    def mark(self, sock: socket.socket, state: str) -> None:
        timeout = {"waiting": self.header_timeout, "body": self.body_timeout}.get(state)
        with self.lock:
            conn = self.open.get(id(sock))
            if conn is not None:
                conn.state = state
                conn.since = time.monotonic()
                conn.deadline = conn.since + timeout if timeout else 0.0

    def closed(self, sock: socket.socket) -> None:
        with self.lock:
            self.open.pop(id(sock), None)
            self.lock.notify_all()

    def reap(self) -> int:
        """Close what is past its deadline: idle sockets fully, a slow body for reading only (it gets a 408)."""
        now = time.monotonic()
        with self.lock:
            overdue = [c for c in self.open.values() if c.deadline and c.deadline < now]
            for conn in overdue:
                conn.deadline = 0.0
                _shut(conn.sock, socket.SHUT_RD if conn.state == "body" else socket.SHUT_RDWR)
        return len(overdue)

    def close_idle(self) -> None:
        with self.lock:
            self.accepting = False
            for conn in self.open.values():
                if conn.state == "waiting":
                    _shut(conn.sock, socket.SHUT_RDWR)

    def wait_busy(self, timeout: float) -> bool:
        """Wait until no request is being read or answered; True if none is left."""
        with self.lock:
            return self.lock.wait_for(lambda: not any(c.state != "waiting" for c in self.open.values()), timeout)


def _shut(sock: socket.socket, how: int) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass  # already closed by the peer: nothing left to shut


class SlackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, app: App | None, host: str, port: int, signing_secret: str,
                 max_connections: int = MAX_CONNECTIONS, header_timeout: float = HEADER_TIMEOUT,
                 body_timeout: float = BODY_TIMEOUT, zoom: ZoomApp | None = None) -> None:
        self.app = app
        self.zoom = zoom
        self.signing_secret = signing_secret
        self.started = time.time()
        self.connections = Connections(max_connections, header_timeout, body_timeout)
        self.draining = False
        super().__init__((host, port), _Handler)
        self._reaper = threading.Thread(target=self._reap, name="signode-reaper", daemon=True)
        self._reaper.start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.connections.admit(request):
            log.info("connection refused: %d open (limit %d)", len(self.connections.open), self.connections.limit)
            try:
                request.settimeout(0.2)
                request.sendall(REFUSED)
            except OSError:
                pass  # the client is gone already; it is refused either way
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.connections.closed(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("connection from %s ended with an error", client_address[0], exc_info=False)

    def _reap(self) -> None:
        while True:
            time.sleep(0.25)
            self.connections.reap()

    def drain(self, timeout: float) -> bool:
        """Stop taking connections, close the idle ones, wait (bounded) for requests in progress."""
        self.draining = True
        self.shutdown()
        self.socket.close()
        self.connections.close_idle()
        return self.connections.wait_busy(timeout)


class _Handler(BaseHTTPRequestHandler):
    server: SlackHTTPServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(max(self.server.connections.header_timeout, self.server.connections.body_timeout))

    def handle_one_request(self) -> None:
        self.server.connections.mark(self.connection, "waiting")
        super().handle_one_request()
        if self.server.draining:
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.connections.mark(self.connection, "busy")
        if urlparse(self.path).path == "/healthz":
            self._send(200, json.dumps({"ok": True, "uptime_s": round(time.time() - self.server.started),
                                        "connections": len(self.server.connections.open)}), "application/json")
        else:
            self._send(404, "not found")

    def do_POST(self) -> None:  # noqa: N802
        started = time.perf_counter()
        url = urlparse(self.path)
        self.server.connections.mark(self.connection, "body")
        zoom = self.server.zoom if url.path == ZOOM_PATH else None
        if (url.path != EVENTS_PATH or self.server.app is None) and zoom is None:
            self._refuse(404, "not found", url.path)
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._discard(length)
            self._refuse(413, "request body too large", url.path)
            return
        raw = self._read(length)
        if raw is None:
            self._refuse(408, f"request body not received in {self.server.connections.body_timeout:.0f} s", url.path)
            return
        self.server.connections.mark(self.connection, "busy")
        if zoom is not None:
            status, answer = zoom.receive(raw, {k.lower(): v for k, v in self.headers.items()})
            self.close_connection = self.close_connection or status >= 400
            self._send(status, answer, "application/json")
            return
        assert self.server.app is not None
        problem = signatures.problem(self.server.signing_secret, raw,
                                     self.headers.get("X-Slack-Request-Timestamp", ""),
                                     self.headers.get("X-Slack-Signature", ""))
        if problem:
            self._refuse(401, problem, url.path)  # checked before parsing: unsigned bodies are never read
            return
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._refuse(400, "request body is not UTF-8", url.path)
            return
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

    def _read(self, length: int) -> bytes | None:
        """The whole body, or None if it did not all arrive (the reaper ends a slow one)."""
        try:
            raw = self.rfile.read(length)
        except (TimeoutError, OSError):
            return None
        return raw if len(raw) == length else None

    def _refuse(self, status: int, reason: str, path: str) -> None:
        """One log line, a short answer, and the connection closed (its state is unknown)."""
        log.info("slack request refused status=%d path=%s reason=%s", status, path[:100], reason)
        self.close_connection = True
        try:
            self._send(status, reason)
        except OSError:
            pass  # the client went away before the answer: nothing else to tell it

    def _discard(self, length: int) -> None:
        """Read (and drop) a refused body of moderate size, so the client sees the 413, not a reset."""
        left = length if 0 < length <= MAX_DRAIN else 0
        while left > 0:
            try:
                chunk = self.rfile.read(min(left, 65536))
            except (TimeoutError, OSError):
                break
            if not chunk:
                break
            left -= len(chunk)

    def _send(self, status: int, body: str, content_type: str = "text/plain;charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return  # one structured line per request is logged in do_POST instead


def http_server(app: App | None, host: str, port: int, signing_secret: str,
                read_timeout: float = HEADER_TIMEOUT, zoom: ZoomApp | None = None) -> SlackHTTPServer:
    server = SlackHTTPServer(app, host, port, signing_secret, header_timeout=read_timeout, body_timeout=read_timeout,
                             zoom=zoom)
    paths = ([EVENTS_PATH] if app else []) + ([ZOOM_PATH] if zoom else [])
    log.info("signode listening on http://%s:%d (%s; health: /healthz)", host, server.port, ", ".join(paths))
    print("signode listening on " + " ".join(f"http://{host}:{server.port}{p}" for p in paths), flush=True)
    return server
