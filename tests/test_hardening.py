"""A hostile day for the real `signode serve --http` process: odd requests, idle sockets, a slow Slack, SIGTERM.

Each test prints its figures (run with -s to see them); assertions use bounds a loaded 2-core machine meets.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import listening_base, start_server
from tests.slack_client import SECRET, Answer, command, send, sign
from tests.slack_peer import SlackPeer


@dataclass
class Live:
    base: str
    url: str
    peer: SlackPeer
    db: Path
    process: subprocess.Popen[str]


@contextmanager
def live(tmp_path: Path, db_from: Path, *args: str) -> Iterator[Live]:
    db = tmp_path / "live.db"
    shutil.copy(db_from, db)
    with SlackPeer() as peer:
        process = start_server(peer, db, args=args)
        base = listening_base(process)
        try:
            yield Live(base, base + "/slack/events", peer, db, process)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=20)


def _added(db: Path) -> list[str]:
    return [r[0] for r in sqlite3.connect(db).execute("SELECT text FROM added_items WHERE removed_at IS NULL")]


def _raw(base: str, data: bytes, timeout: float = 15.0) -> bytes:
    """Send raw bytes over one connection and read until the server closes it."""
    host, port = urllib.parse.urlparse(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _post(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", f"Content-Length: {len(body)}",
             "Content-Type: application/x-www-form-urlencoded", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_unsigned_odd_requests_get_a_4xx_and_one_log_line_each(tmp_path: Path, corpus_db: Path) -> None:
    with live(tmp_path, corpus_db) as srv:
        body = b"token=x&command=%2Fsignode&text=add+x"
        ts = str(int(time.time()))
        latin1 = "text=caf\xe9".encode("latin-1")
        cases = [
            ({"X-Slack-Signature": "v0=" + "0" * 64}, body, b"401"),  # no timestamp at all
            ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"}, body, b"401"),
            ({"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=1"}, body, b"401"),
            ({"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(latin1.decode("latin-1"), ts)}, latin1, b"4"),
        ]
        rounds = 100
        for _ in range(rounds):
            for headers, payload, status in cases:
                answer = _raw(srv.base, _post("/slack/events", payload, headers))
                assert answer.startswith(b"HTTP/1.1 " + status), answer[:80]
        # the non-UTF-8 body is signed over its bytes: check the server's own verdict on the raw bytes
        signed = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + __import__("hmac").new(
            SECRET.encode(), b"v0:" + ts.encode() + b":" + latin1, "sha256").hexdigest()}
        assert _raw(srv.base, _post("/slack/events", latin1, signed)).startswith(b"HTTP/1.1 400")
        with urllib.request.urlopen(srv.base + "/healthz", timeout=5) as health:
            assert health.status == 200
        srv.process.send_signal(signal.SIGTERM)
        _, err = srv.process.communicate(timeout=30)
    refused = [ln for ln in err.splitlines() if "refused status=" in ln]
    print(f"\n{rounds * len(cases) + 1} odd requests -> {len(refused)} log lines, {len(err)} bytes of log")
    assert "Traceback" not in err
    assert len(refused) == rounds * len(cases) + 1
    assert len(err) < 250 * (rounds * len(cases) + 1) + 5000
    assert _added(srv.db) == []


def test_a_body_shorter_than_its_content_length_gets_408_and_frees_the_thread(tmp_path: Path,
                                                                              corpus_db: Path) -> None:
    with live(tmp_path, corpus_db, "--read-timeout", "2") as srv:
        started = time.monotonic()
        head = _post("/slack/events", b"", {"X-Slack-Request-Timestamp": str(int(time.time()))})
        head = head.replace(b"Content-Length: 0", b"Content-Length: 5000") + b"token=only-part"
        answer = _raw(srv.base, head)
        took = time.monotonic() - started
        print(f"\nshort body answered {answer[:12]!r} after {took:.1f} s")
        assert answer.startswith(b"HTTP/1.1 408") and took < 6
        # a client that trickles its headers a byte at a time is cut at the deadline too
        host, port = urllib.parse.urlparse(srv.base).netloc.split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            started = time.monotonic()
            closed_after = None
            for byte in b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:
                try:
                    s.sendall(bytes([byte]))
                    time.sleep(0.1)
                except OSError:
                    closed_after = time.monotonic() - started
                    break
            assert closed_after is not None and closed_after < 6, closed_after
        with urllib.request.urlopen(srv.base + "/healthz", timeout=5) as health:
            assert health.status == 200


def test_two_thousand_idle_connections_do_not_stop_a_signed_command(tmp_path: Path, corpus_db: Path) -> None:
    with live(tmp_path, corpus_db) as srv:
        host, port = urllib.parse.urlparse(srv.base).netloc.split(":")
        idle = []
        try:
            for _ in range(2000):
                idle.append(socket.create_connection((host, int(port)), timeout=10))
            time.sleep(0.5)
            answer = command(srv.url, "add Idle-connections check", srv.peer.response_url("idle"))
            started = time.monotonic()
            with urllib.request.urlopen(srv.base + "/healthz", timeout=5) as health:
                health_s = time.monotonic() - started
                assert health.status == 200
                open_now = json.loads(health.read())["connections"]
            assert open_now <= 1000  # the cap: the longest-idle were pushed out
            print(f"\n2000 idle connections: signed command acked in {answer.seconds * 1000:.0f} ms, "
                  f"/healthz in {health_s * 1000:.0f} ms")
            assert answer.status == 200 and answer.seconds < 1.0
            srv.peer.wait_for(lambda: srv.peer.responses("idle"))
        finally:
            for s in idle:
                s.close()
    assert _added(srv.db) == ["Idle-connections check"]


def _burst(url: str, peer: SlackPeer, texts: list[str], prefix: str) -> list[Answer]:
    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(lambda n: command(url, f"add {texts[n]}", peer.response_url(f"{prefix}-{n}")),
                             range(len(texts))))


def test_a_slow_slack_never_delays_an_ack(tmp_path: Path, corpus_db: Path) -> None:
    with live(tmp_path, corpus_db) as srv:
        srv.peer.delay["response"] = 5.0
        srv.peer.delay["users.info"] = 2.0
        texts = [f"Slow-slack item {n}" for n in range(30)]
        answers = _burst(srv.url, srv.peer, texts, "slow")
        worst = max(a.seconds for a in answers)
        print(f"\n30 adds, response_url 5 s, users.info 2 s: statuses {sorted({a.status for a in answers})}, "
              f"slowest ack {worst * 1000:.0f} ms")
        assert all(a.status == 200 for a in answers) and worst < 3.0
        srv.peer.wait_for(lambda: len([c for c in srv.peer.calls if c.path.startswith("/response/slow-")]) == 30,
                          timeout=60)
    added = _added(srv.db)
    assert sorted(added) == sorted(texts)


def test_a_full_pool_says_busy_instead_of_failing_silently(tmp_path: Path, corpus_db: Path) -> None:
    with live(tmp_path, corpus_db, "--workers", "2") as srv:
        srv.peer.delay["response"] = 4.0
        texts = [f"Busy item {n}" for n in range(8)]
        answers = _burst(srv.url, srv.peer, texts, "busy")
        busy = [t for t, a in zip(texts, answers, strict=True) if "busy" in a.body]
        print(f"\n8 adds on 2 workers: {len(texts) - len(busy)} taken, {len(busy)} told busy, "
              f"slowest answer {max(a.seconds for a in answers) * 1000:.0f} ms")
        assert all(a.status == 200 and a.seconds < 3.0 for a in answers)
        assert 1 <= len(busy) <= 6
        taken = [t for t in texts if t not in busy]
        srv.peer.wait_for(lambda: len([c for c in srv.peer.calls if c.path.startswith("/response/busy-")])
                          == len(taken), timeout=30)
    assert sorted(_added(srv.db)) == sorted(taken)


def test_sigterm_during_two_hundred_adds_keeps_every_answered_add(tmp_path: Path, corpus_db: Path) -> None:
    grace = 10.0
    with live(tmp_path, corpus_db, "--grace", str(grace)) as srv:
        srv.peer.delay["response"] = 0.5  # listener work still running when the signal comes
        texts = [f"Term item {n}" for n in range(200)]
        answers: dict[str, Answer | None] = {}

        def add(text: str) -> None:
            try:
                answers[text] = command(srv.url, f"add {text}", srv.peer.response_url(f"term-{texts.index(text)}"))
            except OSError:
                answers[text] = None  # refused once the server stopped listening: never answered 200

        with ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(add, t) for t in texts]
            while sum(1 for t in texts if t in answers) < 60:
                time.sleep(0.01)
            srv.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            for f in futures:
                f.result()
        code = srv.process.wait(timeout=grace + 20)
        took = time.monotonic() - signalled
        _, err = srv.process.communicate(timeout=5)
    ok = [t for t, a in answers.items() if a is not None and a.status == 200 and "busy" not in a.body]
    busy = [t for t, a in answers.items() if a is not None and "busy" in a.body]
    refused = [t for t, a in answers.items() if a is None]
    stored = _added(srv.db)
    print(f"\nSIGTERM after 60 of 200 adds: {len(ok)} answered 200 and taken, {len(busy)} told busy, "
          f"{len(refused)} refused after the signal; {len(stored)} stored; exit {code} in {took:.1f} s")
    assert code == 0 and took < grace + 5, err[-2000:]
    assert len(ok) + len(busy) + len(refused) == 200
    assert sorted(ok) == sorted(stored)  # every add answered 200 is stored, once; nothing else is
    assert "signode stopped: requests drained, listener work finished" in err
    assert "Traceback" not in err


def test_sigint_stops_socket_mode_with_exit_zero(tmp_path: Path) -> None:
    from tests.slack_client import APP_TOKEN, BOT_TOKEN
    from tests.slack_peer import SocketModeServer

    with SlackPeer() as peer, SocketModeServer() as ws:
        peer.ws_url = ws.url
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
               "SLACK_API_URL": peer.api_url, "SIGNODE_DB": str(tmp_path / "s.db")}
        process = subprocess.Popen([os.sys.executable, "-m", "slackbot", "serve", "--socket"],  # type: ignore[attr-defined]
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ws.wait_connections(1)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        _, err = process.communicate()
    assert code == 0 and "Traceback" not in err, err[-2000:]
    assert "signode stopped" in err


def test_health_reports_open_connections(tmp_path: Path, corpus_db: Path) -> None:
    with live(tmp_path, corpus_db) as srv:
        answer = send(srv.base + "/elsewhere", "a=1", "application/x-www-form-urlencoded")
        assert answer.status == 404
        with urllib.request.urlopen(srv.base + "/healthz", timeout=5) as health:
            assert b'"connections"' in health.read()
