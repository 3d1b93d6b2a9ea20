"""Search latency on the real corpus and on a synthetic corpus 50 times larger, with FTS5 BM25 beside it.

Prints p50/p95 per-query latency for a batch of questions run in one process (one Searcher, as the
Slack app keeps one), the same for a plain FTS5 BM25 query over the same agenda items, ingest time,
and the cold start of `signode search` as a new process. Figures, not a test: run it on a quiet machine.

Example:

    python scripts/benchmark.py
    python scripts/benchmark.py --scale 10 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from scripts.corpus_db import CORPUS, ROOT, corpus_store
from scripts.evaluate import NOW, agenda_docs, fts_system
from slackbot.ingest import ingest_source
from slackbot.search import Searcher
from slackbot.store import Store


def questions() -> list[str]:
    spec = yaml.safe_load((ROOT / "eval" / "queries.yaml").read_text())
    return [str(q["query"]) for q in spec]


def synthetic_corpus(out: Path, scale: int, corpus: Path) -> list[Path]:
    """`scale` copies of every notes file, each in its own folder, so each is its own source.

    The copies keep their dates (the parser reads 19xx/20xx years only), so the index holds
    `scale` times the items, postings and meetings per date of the real notes.
    """
    files = []
    for k in range(scale):
        folder = out / f"copy-{k:03d}"
        folder.mkdir()
        for f in sorted(corpus.glob("meeting-notes-*.md")):
            path = folder / f.name
            path.write_bytes(f.read_bytes())
            files.append(path)
    return files


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(store: Store, texts: list[str], repeat: int) -> tuple[list[float], list[float]]:
    searcher = Searcher(store)
    searcher.search("warm up", NOW)
    fts = fts_system(agenda_docs(store))
    ours, base = [], []
    for _ in range(repeat):
        for text in texts:
            t = time.perf_counter()
            searcher.search(text, NOW, limit=10)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            fts(text)
            base.append((time.perf_counter() - t) * 1000)
    return ours, base


def report(label: str, store: Store, texts: list[str], repeat: int) -> None:
    ours, base = measure(store, texts, repeat)
    counts = store.counts()
    print(f"{label}: {counts['meetings']} meetings, {counts['items']} agenda items, "
          f"{len(ours)} queries ({len(texts)} questions x {repeat})")
    print(f"  signode search   p50 {statistics.median(ours):6.2f} ms   p95 {percentile(ours, 95):6.2f} ms   "
          f"max {max(ours):6.2f} ms")
    print(f"  FTS5 BM25 only   p50 {statistics.median(base):6.2f} ms   p95 {percentile(base, 95):6.2f} ms   "
          f"max {max(base):6.2f} ms")


def cold_start(db: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "slackbot", "--db", str(db), "search", "runtimeclass"],
                       check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--scale", type=int, default=50, help="size of the synthetic corpus (x real)")
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked")
    args = parser.parse_args()
    texts = questions()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store = corpus_store(Path(tmp) / "real.db", args.corpus)
        print(f"ingest of the real corpus: {time.perf_counter() - t:.1f} s")
        report("real corpus", store, texts, args.repeat)
        print(f"cold start of `signode search` (new process, median of 5): "
              f"{cold_start(Path(tmp) / 'real.db') * 1000:.0f} ms")
        store.close()
        files = synthetic_corpus(Path(tmp), args.scale, args.corpus)
        big = Store(Path(tmp) / "big.db")
        t = time.perf_counter()
        for f in files:
            ingest_source(big, str(f))
        print(f"ingest of the synthetic corpus ({len(files)} files): {time.perf_counter() - t:.1f} s")
        report(f"synthetic corpus ({args.scale}x)", big, texts, args.repeat)
        big.close()


if __name__ == "__main__":
    main()
