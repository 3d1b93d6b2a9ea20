"""Shared fixtures: the real corpus (read from ../shared, never copied), stores on real SQLite files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from slackbot.index.ingest import ingest_source
from slackbot.index.store import Store
from tests.slack_client import BOT_TOKEN, SECRET
from tests.slack_peer import SlackPeer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
NOTES = CORPUS / "sig-node"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_files() -> list[Path]:
    files = sorted(NOTES.glob("meeting-notes-*.md"))
    if not files:
        pytest.fail(f"the shared corpus is missing: expected notes in {NOTES}")
    return files


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "signode.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the whole 2015-2025 corpus, built once per test session."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    s = Store(path)
    for f in corpus_files():
        ingest_source(s, str(f))
    s.close()
    return path


@pytest.fixture
def corpus_store(corpus_db: Path) -> Iterator[Store]:
    """Read-mostly access to the corpus database (tests must not write to it)."""
    s = Store(corpus_db)
    yield s
    s.close()


def dump(store: Store) -> list[str]:
    """Every row of the database as SQL text: equal dumps mean nothing changed."""
    return list(store.db.conn.iterdump())


@dataclass
class Running:
    url: str
    base: str
    peer: SlackPeer
    db: Path
    process: subprocess.Popen[str]


def start_server(peer: SlackPeer, db: Path, extra_env: dict[str, str] | None = None,
                 program: list[str] | None = None, cwd: Path = ROOT,
                 args: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """`signode serve --http` on a free port (the repo's code, or `program` such as an installed wheel's)."""
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": peer.api_url, "SIGNODE_DB": str(db), **(extra_env or {})}
    argv = (program or [sys.executable, "-m", "slackbot"]) + ["serve", "--http", "--port", "0", *args]
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def listening_base(process: subprocess.Popen[str], path: str = "/slack/events") -> str:
    """The server's base URL from its first line of output (fails with its stderr if it did not start)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)" + re.escape(path), line)
    if not m:
        process.kill()
        _, err = process.communicate(timeout=10)
        raise AssertionError(f"server did not start: {line!r} {err[-3000:]}")
    return f"http://127.0.0.1:{m.group(1)}"


@pytest.fixture(scope="module")
def server(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    db = tmp_path_factory.mktemp("slack") / "slack.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as peer:
        process = start_server(peer, db)
        base = listening_base(process)
        yield Running(base + "/slack/events", base, peer, db, process)
        process.terminate()
        process.wait(timeout=10)
