"""Build (or reuse) a database of the shared 2015-2025 corpus for the evaluation and benchmark scripts."""

from __future__ import annotations

from pathlib import Path

from slackbot.index.ingest import ingest_source
from slackbot.index.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "sig-node"


def corpus_store(path: Path, corpus: Path = CORPUS) -> Store:
    """A store at `path` holding every notes file of `corpus` (ingest is a no-op when up to date)."""
    files = sorted(corpus.glob("meeting-notes-*.md"))
    if not files:
        raise SystemExit(f"no notes found in {corpus}; pass --corpus")
    store = Store(path)
    for f in files:
        ingest_source(store, str(f))
    return store
