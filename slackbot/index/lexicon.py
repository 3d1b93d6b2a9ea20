"""The search vocabulary in SQLite: word frequencies, a typo index and owner statistics, kept aggregated.

Opening the index must not grow with the corpus (the cold start of `signode search`), and finding a
typo's candidates must not scan the vocabulary (50x notes with a vocabulary 10x larger). So each ingest
updates, in its own transaction: `words` (document frequency over all sources, added and subtracted per
source), `word_keys` (each word of 5+ letters under itself and its one-deletion spellings), `owner_stats`
(per owner form: items, first and last date) and `index_stats` (agenda items). A lookup then asks for a
typo's own deletions (and, for long words, their deletions) and checks the few words found with the
real edit distance. Like store.py, this module speaks SQL; it holds only the lexicon's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

MIN_TYPO_LENGTH = 5
BATCH = 500


def deletions(word: str) -> set[str]:
    """The word and every spelling of it with one letter deleted."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def keys_for(word: str, depth: int) -> set[str]:
    """Lookup keys for a typed word: its deletions, and their deletions too when `depth` is 2."""
    keys = deletions(word)
    if depth >= 2:
        keys |= {k for d in list(keys) for k in deletions(d)}
    return keys


def _batches(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), BATCH):
        yield values[i:i + BATCH]


def add_source(conn: sqlite3.Connection, source_id: int, items: int, recount: Iterable[str] = ()) -> None:
    """After a source's rows are in: add its counts, index its new words, add its owners' items to
    their stats; `recount` (the owners of the copy it replaced) are counted again from scratch."""
    new = [r[0] for r in conn.execute(
        "SELECT v.word FROM vocab v LEFT JOIN words w ON w.word = v.word WHERE v.source_id = ? AND w.word IS NULL",
        [source_id])]
    conn.execute("INSERT INTO words (word, df) SELECT word, df FROM vocab WHERE source_id = ? "
                 "ON CONFLICT(word) DO UPDATE SET df = df + excluded.df", [source_id])
    conn.executemany("INSERT OR IGNORE INTO word_keys (key, word) VALUES (?, ?)",
                     [(k, w) for w in new if len(w) >= MIN_TYPO_LENGTH for k in deletions(w)])
    _count(conn, items)
    again = sorted(set(recount))
    refresh_owners(conn, again)  # counts the new rows too, so they are left out of the merge below
    conn.execute(f"""INSERT INTO owner_stats (name, items, first, last)
        SELECT o.name, COUNT(*), coalesce(MIN(m.date), ''), coalesce(MAX(m.date), '')
        FROM owners o JOIN items i ON i.id = o.item_id JOIN meetings m ON m.id = i.meeting_id
        WHERE m.source_id = ? AND o.name NOT IN ({','.join('?' * len(again))}) GROUP BY o.name
        ON CONFLICT(name) DO UPDATE SET items = items + excluded.items,
            first = CASE WHEN first = '' OR (excluded.first != '' AND excluded.first < first)
                         THEN excluded.first ELSE first END,
            last = CASE WHEN excluded.last > last THEN excluded.last ELSE last END""", [source_id, *again])


def remove_source(conn: sqlite3.Connection, source_id: int) -> list[str]:
    """Before a source's rows go: subtract its counts, drop words no source uses; returns its owners."""
    conn.execute("UPDATE words SET df = df - (SELECT v.df FROM vocab v WHERE v.source_id = ? AND v.word = words.word)"
                 " WHERE word IN (SELECT word FROM vocab WHERE source_id = ?)", [source_id, source_id])
    gone = [r[0] for r in conn.execute("SELECT word FROM words WHERE df <= 0")]
    conn.executemany("DELETE FROM word_keys WHERE key = ? AND word = ?",  # by the primary key: no index by word
                     sorted((k, w) for w in gone if len(w) >= MIN_TYPO_LENGTH for k in deletions(w)))
    conn.execute("DELETE FROM words WHERE df <= 0")
    items = conn.execute("SELECT COUNT(*) FROM items i JOIN meetings m ON m.id = i.meeting_id"
                         " WHERE m.source_id = ? AND i.parent_id IS NULL", [source_id]).fetchone()[0]
    _count(conn, -int(items))
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT o.name FROM owners o JOIN items i ON i.id = o.item_id JOIN meetings m ON m.id = i.meeting_id"
        " WHERE m.source_id = ?", [source_id])]


def refresh_owners(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    """Recount the given owner forms from the owners table (after their items changed)."""
    for batch in _batches(sorted(set(names))):
        marks = ",".join("?" * len(batch))
        conn.execute(f"DELETE FROM owner_stats WHERE name IN ({marks})", list(batch))
        conn.execute(
            f"""INSERT INTO owner_stats (name, items, first, last)
                SELECT o.name, COUNT(*), coalesce(MIN(m.date), ''), coalesce(MAX(m.date), '')
                FROM owners o JOIN items i ON i.id = o.item_id JOIN meetings m ON m.id = i.meeting_id
                WHERE o.name IN ({marks}) GROUP BY o.name""", list(batch))


def _count(conn: sqlite3.Connection, delta: int) -> None:
    conn.execute("INSERT INTO index_stats (key, value) VALUES ('agenda_items', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", [delta])


def rebuild_keys(conn: sqlite3.Connection) -> None:
    """Index every word (once, when the typo index is created for an existing database)."""
    words = [r[0] for r in conn.execute("SELECT word FROM words WHERE length(word) >= ?", [MIN_TYPO_LENGTH])]
    conn.executemany("INSERT OR IGNORE INTO word_keys (key, word) VALUES (?, ?)",
                     [(k, w) for w in words for k in deletions(w)])


# -- reading ------------------------------------------------------------------------------------------

def frequencies(conn: sqlite3.Connection, words: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for batch in _batches(list(dict.fromkeys(words))):
        out.update(conn.execute(f"SELECT word, df FROM words WHERE word IN ({','.join('?' * len(batch))})",
                                list(batch)).fetchall())
    return out


def near(conn: sqlite3.Connection, word: str, depth: int) -> dict[str, int]:
    """Words of the notes whose deletion keys meet the typed word's (candidates within a few edits), with df."""
    keys = sorted(keys_for(word, depth))
    found: set[str] = set()
    for batch in _batches(keys):
        found |= {r[0] for r in conn.execute(
            f"SELECT word FROM word_keys WHERE key IN ({','.join('?' * len(batch))})", list(batch))}
    return frequencies(conn, sorted(found))


def has_prefix(conn: sqlite3.Connection, prefix: str) -> bool:
    row = conn.execute("SELECT 1 FROM words WHERE word > ? AND word < ? LIMIT 1", [prefix, prefix + "\U0010ffff"])
    return row.fetchone() is not None


def common(conn: sqlite3.Connection, min_df: float) -> set[str]:
    return {r[0] for r in conn.execute("SELECT word FROM words WHERE df > ?", [min_df])}


def owner_stats(conn: sqlite3.Connection) -> list[tuple[str, int, str, str]]:
    return [(r[0], int(r[1]), r[2], r[3]) for r in conn.execute("SELECT name, items, first, last FROM owner_stats")]


def agenda_items(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM index_stats WHERE key = 'agenda_items'").fetchone()
    return int(row[0]) if row else 0
