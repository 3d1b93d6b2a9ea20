"""Shared fixtures: the real corpus (read from ../shared, never copied), stores on real SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slackbot.ingest import ingest_source
from slackbot.store import Store

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
