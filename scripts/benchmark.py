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
from slackbot.index.ingest import ingest_many
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


def cold_start(db: Path, runs: int = 5, groups: Path | None = None) -> float:
    """`signode search runtimeclass` as a new process (with a groups file: `signode ask`, which loads it)."""
    argv = [sys.executable, "-m", "slackbot", "--db", str(db)]
    argv += ["--groups", str(groups), "ask", "runtimeclass"] if groups else ["search", "runtimeclass"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed_ingest(db: Path, files: list[Path], group_of: dict[Path, str] | None = None) -> tuple[float, Store]:
    """Seconds to ingest `files` into a new database, in one process, as `signode ingest` does."""
    store = Store(db)
    store.migrate()
    t = time.perf_counter()
    for target, result in ingest_many(store, [(str(f), (group_of or {}).get(f, "sig-node")) for f in files]):
        if isinstance(result, Exception):
            raise SystemExit(f"{target}: {result}")
    return time.perf_counter() - t, store


def groups_file(path: Path, names: list[str]) -> Path:
    """A signode.toml with these groups (every fifth on a weekly schedule, the rest searchable only)."""
    tables = []
    for i, name in enumerate(names):
        schedule = ('[group.schedule]\nday = "Tuesday"\ntime = "10:00"\ntz = "UTC"\nfrequency = "weekly"\n'
                    if i % 5 == 0 else "unscheduled = true\n")
        tables.append(f'[[group]]\nname = "{name}"\ntitle = "Group {i}"\nchannel = "C{i:04d}"\n{schedule}')
    path.write_text("\n".join(tables))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--scale", type=int, default=50, help="size of the synthetic corpus (x real)")
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked")
    args = parser.parse_args()
    texts = questions()
    with tempfile.TemporaryDirectory() as tmp:
        real_files = sorted(args.corpus.glob("meeting-notes-*.md"))
        runs = []
        for run in range(3):
            seconds, store = timed_ingest(Path(tmp) / f"ingest-{run}.db", real_files)
            runs.append(seconds)
            store.close()
        print(f"ingest of the real archive ({len(real_files)} files), median of 3 into a new database: "
              f"{statistics.median(runs):.2f} s (runs: {', '.join(f'{r:.2f}' for r in runs)})")
        t = time.perf_counter()
        store = corpus_store(Path(tmp) / "real.db", args.corpus)
        print(f"ingest of the real corpus (benchmark database): {time.perf_counter() - t:.1f} s")
        real_vocabulary = vocabulary_size(store)
        report("real corpus", store, texts, args.repeat)
        print(f"  vocabulary: {real_vocabulary} words")
        print(f"  cold start of `signode search` (new process, median of 5): "
              f"{cold_start(Path(tmp) / 'real.db') * 1000:.0f} ms")
        store.close()
        files = synthetic_corpus(Path(tmp), args.scale, args.corpus)
        per_copy = len(real_files)
        if args.scale >= 10:
            ten, ten_store = timed_ingest(Path(tmp) / "ten.db", files[:10 * per_copy])
            ten_store.close()
            print(f"ingest of 10x ({10 * per_copy} files): {ten:.1f} s ({ten / 10:.2f} s per copy of the archive)")
        group_of = {f: f.parent.name for f in files}  # each copy is its own group: 50 groups at 50x
        seconds, big = timed_ingest(Path(tmp) / "big.db", files, group_of)
        print(f"ingest of {args.scale}x ({len(files)} files, {args.scale} groups): {seconds:.1f} s "
              f"({seconds / args.scale:.2f} s per copy of the archive)")
        report(f"synthetic corpus ({args.scale}x)", big, texts, args.repeat)
        size = vocabulary_size(big)
        print(f"  vocabulary: {size} words ({size / max(1, real_vocabulary):.1f}x the real one)")
        big.close()
        print(f"  cold start of `signode search` (new process, median of 5): "
              f"{cold_start(Path(tmp) / 'big.db') * 1000:.0f} ms")
        names = sorted(set(group_of.values()))
        one = groups_file(Path(tmp) / "one.toml", names[:1])
        many = groups_file(Path(tmp) / "many.toml", names)
        first, every = cold_start(Path(tmp) / "big.db", groups=one), cold_start(Path(tmp) / "big.db", groups=many)
        print(f"  cold start of `signode ask` with a groups file of 1 group: {first * 1000:.0f} ms,"
              f" of {len(names)} groups: {every * 1000:.0f} ms")


if __name__ == "__main__":
    main()
