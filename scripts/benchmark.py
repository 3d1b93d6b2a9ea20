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
import hashlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from scripts.corpus_db import CORPUS, ROOT, corpus_store
from scripts.evaluate import NOW, agenda_docs, fts_system
from slackbot.index.ingest import ingest_source
from slackbot.index.search import Searcher
from slackbot.index.store import Store


def questions() -> list[str]:
    spec = yaml.safe_load((ROOT / "eval" / "queries.yaml").read_text())
    return [str(q["query"]) for q in spec]


WORD = re.compile(r"\b[a-z]{4,}\b")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def new_word(word: str, copy: int) -> str:
    """A word the real notes do not have, two letters away from `word` (a near neighbour for the typo index)."""
    h = int(hashlib.blake2b(f"{word}/{copy}".encode(), digest_size=4).hexdigest(), 16)
    i, j = h % (len(word) + 1), (h >> 8) % (len(word) + 2)
    word = word[:i] + LETTERS[(h >> 16) % 26] + word[i:]
    return word[:j] + LETTERS[(h >> 21) % 26] + word[j:]


def synthetic_corpus(out: Path, scale: int, corpus: Path, new_share: float = 0.22) -> list[Path]:
    """`scale` copies of every notes file, each in its own folder, so each is its own source.

    The copies keep their dates (the parser reads 19xx/20xx years only), so the index holds `scale` times
    the items, postings and meetings per date of the real notes. In each copy, about `new_share` of the
    distinct lower-case words are replaced by new words (two letters inserted), so the vocabulary grows
    to about 1 + scale * new_share times the real one (10x at 50 copies): new words, not copies.
    """
    files = []
    for k in range(scale):
        folder = out / f"copy-{k:03d}"
        folder.mkdir()
        for f in sorted(corpus.glob("meeting-notes-*.md")):
            text = f.read_text()

            def swap(m: re.Match[str], k: int = k) -> str:
                word = m.group(0)
                h = int(hashlib.blake2b(f"{word}#{k}".encode(), digest_size=2).hexdigest(), 16)
                return new_word(word, k) if h < new_share * 65536 else word

            path = folder / f.name
            path.write_text(WORD.sub(swap, text) if k else text)
            files.append(path)
    return files


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(store: Store, texts: list[str], repeat: int, limit: int = 10) -> tuple[list[float], list[float]]:
    searcher = Searcher(store)
    searcher.search("warm up", NOW)
    fts = fts_system(agenda_docs(store))
    ours, base = [], []
    for _ in range(repeat):
        for text in texts:
            t = time.perf_counter()
            searcher.search(text, NOW, limit=limit)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            fts(text)
            base.append((time.perf_counter() - t) * 1000)
    return ours, base


def report(label: str, store: Store, texts: list[str], repeat: int) -> None:
    ours, base = measure(store, texts, repeat)
    paged, _ = measure(store, texts, 1, limit=200)
    counts = store.counts()
    print(f"{label}: {counts['meetings']} meetings, {counts['items']} agenda items, "
          f"{len(ours)} queries ({len(texts)} questions x {repeat})")
    print(f"  signode search   p50 {statistics.median(ours):6.2f} ms   p95 {percentile(ours, 95):6.2f} ms   "
          f"max {max(ours):6.2f} ms")
    print(f"  FTS5 BM25 only   p50 {statistics.median(base):6.2f} ms   p95 {percentile(base, 95):6.2f} ms   "
          f"max {max(base):6.2f} ms")
    print(f"  signode, 200 hits (Slack's paged answer)   p50 {statistics.median(paged):6.2f} ms   "
          f"p95 {percentile(paged, 95):6.2f} ms")


def vocabulary_size(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM words").fetchone()[0])


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
        real_vocabulary = vocabulary_size(store)
        report("real corpus", store, texts, args.repeat)
        print(f"  vocabulary: {real_vocabulary} words")
        print(f"  cold start of `signode search` (new process, median of 5): "
              f"{cold_start(Path(tmp) / 'real.db') * 1000:.0f} ms")
        store.close()
        files = synthetic_corpus(Path(tmp), args.scale, args.corpus)
        big = Store(Path(tmp) / "big.db")
        t = time.perf_counter()
        for f in files:
            ingest_source(big, str(f))
        print(f"ingest of the synthetic corpus ({len(files)} files): {time.perf_counter() - t:.1f} s")
        report(f"synthetic corpus ({args.scale}x)", big, texts, args.repeat)
        size = vocabulary_size(big)
        print(f"  vocabulary: {size} words ({size / max(1, real_vocabulary):.1f}x the real one)")
        big.close()
        print(f"  cold start of `signode search` (new process, median of 5): "
              f"{cold_start(Path(tmp) / 'big.db') * 1000:.0f} ms")


if __name__ == "__main__":
    main()
