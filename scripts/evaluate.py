"""Score signode's search against two baselines on eval/queries.yaml, side by side, in one run.

Baselines: Ctrl-F (the whole query as typed, case-insensitive substring, newest meeting first) and
SQLite FTS5 BM25 over the same agenda items with the query's unicode61 tokens all required (fts5-bm25)
or any of them (fts5-bm25-or, BM25's usual reading of a sentence).
Results are ranked lists of distinct meeting dates. Per category it prints:
- recall@10: relevant meetings in the top 10 / min(10, number relevant);
- precision@5: relevant meetings among the top 5 shown / number shown (0 when nothing is shown);
- MRR: 1 / rank of the first relevant meeting;
and for never-discussed questions, the share answered with nothing.

Example:

    python -m scripts.evaluate
    python -m scripts.evaluate --split tune --show sentence
    python -m scripts.evaluate --split holdout        # only when the work is done
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml

from scripts.corpus_db import CORPUS, ROOT, corpus_store
from slackbot.index.search import Searcher
from slackbot.index.store import Store

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
System = Callable[[str], list[str]]


def distinct(dates: list[str | None]) -> list[str]:
    out: list[str] = []
    for d in dates:
        if d and d not in out:
            out.append(d)
    return out


def agenda_docs(store: Store) -> list[tuple[str, str]]:
    """(date, agenda item text with its discussion) for every dated agenda item."""
    rows = store.query(
        """SELECT m.date, r.text || ' ' || coalesce((SELECT group_concat(c.text, ' ') FROM items c
                  WHERE c.root_id = r.id AND c.parent_id IS NOT NULL), '') AS text
           FROM items r JOIN meetings m ON m.id = r.meeting_id
           WHERE r.parent_id IS NULL AND m.date IS NOT NULL ORDER BY m.date DESC, r.position""")
    return [(r["date"], r["text"]) for r in rows]


def substring_system(docs: list[tuple[str, str]]) -> System:
    lowered = [(d, t.lower()) for d, t in docs]
    return lambda q: distinct([d for d, t in lowered if q.lower() in t])


def fts_system(docs: list[tuple[str, str]], joiner: str = " ") -> System:
    """FTS5 BM25 over the agenda items: every token required (joiner " "), or any token (" OR ")."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(date UNINDEXED, text)")
    conn.executemany("INSERT INTO docs VALUES (?, ?)", docs)

    def run(q: str) -> list[str]:
        tokens = re.findall(r"[^\W_]+", q.lower())
        if not tokens:
            return []
        match = joiner.join('"' + t + '"' for t in tokens)
        rows = conn.execute("SELECT date FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 200", [match])
        return distinct([r[0] for r in rows])

    return run


def signode_system(store: Store) -> System:
    searcher = Searcher(store)
    return lambda q: distinct([h.date for h in searcher.search(q, NOW, limit=50).hits])


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    top10, top5 = ranked[:10], ranked[:5]
    recall = len(relevant & set(top10)) / min(10, len(relevant))
    precision = len(relevant & set(top5)) / len(top5) if top5 else 0.0
    mrr = next((1 / (i + 1) for i, d in enumerate(ranked) if d in relevant), 0.0)
    return recall, precision, mrr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show", metavar="CATEGORY", help="print each query of a category with its ranks")
    parser.add_argument("--split", default="base", choices=["base", "tune", "holdout", "all"],
                        help="which questions: the first 69 (base), issue 10's tuning or held-out part, or all")
    args = parser.parse_args()
    queries = [q for q in yaml.safe_load((ROOT / "eval" / "queries.yaml").read_text())
               if args.split == "all" or q.get("split", "base") == args.split]
    with tempfile.TemporaryDirectory() as tmp:
        store = corpus_store(Path(tmp) / "eval.db", args.corpus)
        docs = agenda_docs(store)
        systems = {"signode": signode_system(store), "substring": substring_system(docs),
                   "fts5-bm25": fts_system(docs), "fts5-bm25-or": fts_system(docs, " OR ")}
        table: dict[str, dict[str, list[tuple[float, float, float]]]] = defaultdict(lambda: defaultdict(list))
        never: dict[str, list[bool]] = defaultdict(list)
        for q in queries:
            relevant = set(q["relevant"])
            for name, system in systems.items():
                ranked = system(str(q["query"]))
                if q["category"] == "never":
                    never[name].append(not ranked)
                    continue
                s = scores(ranked, relevant)
                table[q["category"]][name].append(s)
                table["overall"][name].append(s)
                if args.show == q["category"]:
                    print(f"{name:<10} {q['query']!r:40} R@10={s[0]:.2f} P@5={s[1]:.2f} MRR={s[2]:.2f} "
                          f"top={ranked[:5]} rel={sorted(relevant, reverse=True)[:5]}")
        store.close()
    names = list(systems)
    print(f"{len(queries)} queries ({args.split}); recall@10 / precision@5 / MRR per category\n")
    print("| category | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    order = [c for c in dict.fromkeys(q["category"] for q in queries) if c != "never"] + ["overall"]
    for category in order:
        cells = []
        for name in names:
            rows = table[category][name]
            r, p, m = (sum(x[i] for x in rows) / max(1, len(rows)) for i in range(3))
            cells.append(f"{r:.2f} / {p:.2f} / {m:.2f}")
        print(f"| {category} | {len(table[category][names[0]])} | " + " | ".join(cells) + " |")
    cells = [f"{sum(never[n])}/{len(never[n])} nothing found" for n in names]
    print(f"| never discussed | {len(never[names[0]])} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
