"""The only module that speaks SQL: meetings, items, owners, links and the full-text index in SQLite.

One connection per thread (Bolt runs listeners on a pool), WAL so readers never wait for the
ingest writer, a busy timeout so writers queue instead of failing, and migrations (shipped in the
package, see schema.py) recorded in the database itself.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slackbot.core.indexing import IndexRows, index_rows
from slackbot.errors import ConfigError
from slackbot.index import lexicon, schema

if TYPE_CHECKING:  # sqlite-utils (writes) and the parser load only when needed: searching starts faster
    import sqlite_utils

    from slackbot.core.notes import Document, Item


@dataclass
class IngestStats:
    """What one source contributed; `changed` is False when the stored copy was identical."""

    meetings: int = 0
    items: int = 0
    links: int = 0
    cancelled: int = 0
    undated: int = 0
    changed: bool = True

    def add(self, other: IngestStats) -> None:
        self.meetings += other.meetings
        self.items += other.items
        self.links += other.links
        self.cancelled += other.cancelled
        self.undated += other.undated


@dataclass
class SourceRecord:
    uri: str
    name: str
    title: str
    year: int | None
    web_url: str
    sha256: str
    etag: str = ""
    last_modified: str = ""
    group: str = "sig-node"


class Store:
    """A SQLite file of notes. Safe to share between threads: each thread gets its own connection."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.read_only = False
        if self.path != ":memory:":
            file = Path(self.path).expanduser()
            parent = file.resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"database folder {parent} does not exist")
            schema.check_file(file)
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None
        self.migrate()

    # -- connections and migrations -------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (one per thread: Bolt runs listeners on a pool)."""
        if self.path == ":memory:":
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False)
                self._memory.execute("PRAGMA foreign_keys = ON")
            return self._memory
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn, read_only = schema.connect(self.path)
            self.read_only = self.read_only or read_only
            self._local.conn = conn
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection through sqlite-utils, for writing (imported on first use)."""
        import sqlite_utils

        db = getattr(self._local, "db", None) if self.path != ":memory:" else getattr(self, "_memory_db", None)
        if db is None or db.conn is not self.conn:
            db = sqlite_utils.Database(self.conn)
            if self.path == ":memory:":
                self._memory_db = db
            else:
                self._local.db = db
        return db

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.db = None

    def migrate(self) -> list[str]:
        """Apply every migration not yet recorded; returns the names applied.

        Refuses (ConfigError, nothing written) a file of another program or of a newer signode.
        """
        pending = schema.check_schema(self.conn, self.path)
        if self.read_only:
            if pending:
                raise ConfigError(f"{self.path} is read-only and its schema needs upgrading ({pending[0]})")
            return []
        if self.path != ":memory:" and self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.enable_wal()
        if not pending:
            return []
        db = self.db
        by_name = {m.name: m for m in schema.migrations()}
        for name in pending:
            with self.write():
                db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
                if db.execute("SELECT 1 FROM migrations WHERE name = ?", [name]).fetchone():
                    continue  # another process applied it while we waited for the write lock
                for statement in by_name[name].statements():
                    db.execute(statement)
                if name == "0005_lexicon.sql":  # the typo index of an existing database, built once
                    lexicon.rebuild_keys(db.conn)
                db.execute("INSERT OR IGNORE INTO migrations VALUES (?, ?)", [name, _now()])
        return pending

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction, taken with BEGIN IMMEDIATE so two writers queue, never deadlock."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        else:
            db.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts, on a plain connection (reads need no sqlite-utils)."""
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- ingest ---------------------------------------------------------------------------------
    def source(self, uri: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM sources WHERE uri = ?", [uri])
        return rows[0] if rows else None

    def replace_source(self, record: SourceRecord, doc: Document, urls: list[str],
                       indexed: IndexRows | None = None) -> IngestStats:
        """Replace everything a source contributed, in one transaction. `urls` parallels doc.meetings;
        `indexed` is the document's full-text rows when a worker computed them already."""
        stats = _stats(doc)
        existing = self.source(record.uri)
        if existing and existing["sha256"] == record.sha256:
            stats.changed = False
            self.touch_source(record.uri, record.etag, record.last_modified)
            return stats
        indexed = indexed or index_rows(doc)
        with self.write() as db:
            owners_before: list[str] = []
            if existing:
                owners_before = lexicon.remove_source(db.conn, existing["id"])
                self._delete_source(db, existing["id"])
            source_id = db.execute(
                "INSERT INTO sources (uri, name, title, year, web_url, sha256, etag, last_modified, ingested_at,"
                " group_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [record.uri, record.name, record.title, record.year, record.web_url, record.sha256,
                 record.etag, record.last_modified, _now(), record.group],
            ).lastrowid
            rows = _Rows(int(db.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()[0]) + 1)
            fts = iter(indexed.fts)
            for position, (meeting, url) in enumerate(zip(doc.meetings, urls, strict=True)):
                meeting_id = int(db.execute(
                    "INSERT INTO meetings (source_id, date, title, cancelled, cancel_reason, url, line, position,"
                    " series) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [source_id, meeting.date.isoformat() if meeting.date else None, meeting.title,
                     int(meeting.cancelled), meeting.cancel_reason, url, meeting.line, position, meeting.series],
                ).lastrowid or 0)
                for index, item in enumerate(meeting.items):
                    rows.agenda_item(meeting_id, item, index, next(fts))
            rows.write(db.conn)
            db.conn.executemany("INSERT INTO vocab (source_id, word, df) VALUES (?, ?, ?)",
                                [(source_id, word, df) for word, df in indexed.vocabulary.items()])
            db.conn.executemany("INSERT OR IGNORE INTO acronyms (source_id, short, long) VALUES (?, ?, ?)",
                                [(source_id, short, long) for short, long in indexed.acronyms])
            lexicon.add_source(db.conn, int(source_id or 0), stats.items, owners_before)
        return stats

    def dated_meeting_count(self, source_id: int) -> int:
        row = self.conn.execute("SELECT COUNT(*) FROM meetings WHERE source_id = ? AND date IS NOT NULL",
                              [source_id]).fetchone()
        return int(row[0])

    def touch_source(self, uri: str, etag: str, last_modified: str) -> None:
        with self.write() as db:
            db.execute("UPDATE sources SET etag = ?, last_modified = ?, ingested_at = ? WHERE uri = ?",
                       [etag, last_modified, _now(), uri])

    def _delete_source(self, db: sqlite_utils.Database, source_id: int) -> None:
        db.execute(
            "DELETE FROM agenda_fts WHERE rowid IN (SELECT i.id FROM items i JOIN meetings m"
            " ON m.id = i.meeting_id WHERE m.source_id = ? AND i.parent_id IS NULL)", [source_id])
        db.execute("DELETE FROM sources WHERE id = ?", [source_id])

    # -- reading --------------------------------------------------------------------------------
    def year_counts(self, year: int | None = None, groups: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Per year: meetings (a group's date), cancelled, agenda items and links, in the given groups (None:
        all); undated sections count under None."""
        rows: dict[int | None, dict[str, Any]] = {}
        scope, params = _group_clause(groups)

        def merge(sql: str, *columns: str) -> None:
            for r in self.conn.execute(sql, params).fetchall():
                y = int(r[0]) if r[0] else None
                row = rows.setdefault(y, {"year": y, "meetings": 0, "cancelled": 0, "items": 0, "links": 0})
                row.update(zip(columns, r[1:], strict=True))

        merge("SELECT substr(m.date, 1, 4), COUNT(DISTINCT s.group_name || m.date),"
              " COUNT(DISTINCT CASE WHEN m.cancelled THEN s.group_name || m.date END)"
              f" FROM meetings m JOIN sources s ON s.id = m.source_id WHERE 1{scope} GROUP BY 1",
              "meetings", "cancelled")
        merge("SELECT substr(m.date, 1, 4), COUNT(*) FROM items i JOIN meetings m ON m.id = i.meeting_id"
              f" JOIN sources s ON s.id = m.source_id WHERE i.parent_id IS NULL{scope} GROUP BY 1", "items")
        merge("SELECT substr(m.date, 1, 4), COUNT(*) FROM links l JOIN items i ON i.id = l.item_id"
              f" JOIN meetings m ON m.id = i.meeting_id JOIN sources s ON s.id = m.source_id WHERE 1{scope}"
              " GROUP BY 1", "links")
        out = sorted(rows.values(), key=lambda r: (r["year"] is None, r["year"] or 0))
        return [r for r in out if year is None or r["year"] == year]

    def meetings(self, year: int | None = None, limit: int = -1, dated: bool = False,
                 groups: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Meetings newest first (undated sections last), of one year or all, in the given groups (None: all),
        at most `limit` (-1: all)."""
        conditions = (["substr(m.date, 1, 4) = ?"] if year else []) + (["m.date IS NOT NULL"] if dated else [])
        scope, params = _group_clause(groups)
        where = "WHERE 1" + "".join(f" AND {c}" for c in conditions) + scope
        return self.query(
            f"""SELECT m.id, m.date, m.title, m.cancelled, m.cancel_reason, m.url, m.series, s.group_name,
                   (SELECT COUNT(*) FROM items i WHERE i.meeting_id = m.id AND i.parent_id IS NULL) AS items
                FROM meetings m JOIN sources s ON s.id = m.source_id {where}
                ORDER BY m.date IS NULL, m.date DESC, m.position LIMIT ?""",
            ([str(year)] if year else []) + params + [limit],
        )

    def meetings_on(self, date: dt.date, groups: Sequence[str] | None = None) -> list[dict[str, Any]]:
        scope, params = _group_clause(groups)
        return self.query(f"SELECT m.*, s.group_name FROM meetings m JOIN sources s ON s.id = m.source_id"
                          f" WHERE m.date = ?{scope} ORDER BY s.group_name, m.position", [date.isoformat(), *params])

    def nearest_meetings(self, date: dt.date, n: int = 2, groups: Sequence[str] | None = None) -> list[str]:
        scope, params = _group_clause(groups)
        rows = self.query(
            f"SELECT DISTINCT m.date FROM meetings m JOIN sources s ON s.id = m.source_id WHERE m.date IS NOT NULL"
            f"{scope} ORDER BY abs(julianday(m.date) - julianday(?)) LIMIT ?", [*params, date.isoformat(), n])
        return [r["date"] for r in rows]

    def agenda_items(self, meeting_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Top-level items of the given meetings, in document order."""
        if not meeting_ids:
            return []
        marks = _marks(meeting_ids)
        return self.query(
            f"SELECT id FROM items WHERE meeting_id IN ({marks}) AND parent_id IS NULL"
            " ORDER BY meeting_id, position", list(meeting_ids))

    def hits(self, item_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Everything a search answer shows for each agenda item: meeting, text, owners, links."""
        if not item_ids:
            return {}
        marks = _marks(item_ids)
        ids = list(item_ids)
        rows = self.query(
            f"""SELECT i.id, i.text, i.meeting_id, m.date, m.title AS meeting, m.url, m.cancelled, m.series,
                       s.group_name
                FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN sources s ON s.id = m.source_id
                WHERE i.id IN ({marks})""", ids)
        out = {r["id"]: {**r, "owners": [], "links": [], "discussion": []} for r in rows}
        for r in self.query(f"SELECT item_id, name FROM owners WHERE item_id IN ({marks})", ids):
            out[r["item_id"]]["owners"].append(r["name"])
        for r in self.query(
            f"""SELECT i.root_id, l.url, l.kind, l.ref, l.label FROM links l JOIN items i ON i.id = l.item_id
                WHERE i.root_id IN ({marks}) ORDER BY i.root_id, i.depth, i.position, l.id""", ids):
            hit = out[r["root_id"]]
            if all(link["url"] != r["url"] for link in hit["links"]):
                hit["links"].append({k: r[k] for k in ("url", "kind", "ref", "label")})
        for r in self.query(
            f"SELECT root_id, text FROM items WHERE root_id IN ({marks}) AND parent_id IS NOT NULL"
            " ORDER BY root_id, id", ids):
            out[r["root_id"]]["discussion"].append(r["text"])
        return out

    # -- search support -------------------------------------------------------------------------
    def fts(self, match: str, limit: int, groups: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """(agenda item id, bm25) for an FTS5 MATCH expression built by search.py from quoted terms,
        in the given groups only (None: all)."""
        if groups is None:
            rows = self.conn.execute(
                "SELECT rowid, bm25(agenda_fts, 10.0, 2.0, 8.0, 4.0) AS rank FROM agenda_fts"
                " WHERE agenda_fts MATCH ? ORDER BY rank LIMIT ?", [match, limit]).fetchall()
        else:
            rows = self.conn.execute(
                f"""SELECT f.rowid, bm25(agenda_fts, 10.0, 2.0, 8.0, 4.0) AS rank FROM agenda_fts f
                    JOIN items i ON i.id = f.rowid JOIN meetings m ON m.id = i.meeting_id
                    JOIN sources s ON s.id = m.source_id
                    WHERE agenda_fts MATCH ? AND s.group_name IN ({_marks(groups)}) ORDER BY rank LIMIT ?""",
                [match, *groups, limit]).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def group_names(self) -> list[str]:
        """Every group with notes in the index (from the sources' index: as cheap with 50 groups as with 1)."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT group_name FROM sources ORDER BY group_name")]

    def group_meetings(self) -> dict[str, int]:
        """Every group with notes in the index, and its number of dated meetings."""
        rows = self.conn.execute(
            "SELECT s.group_name, COUNT(m.date) FROM sources s LEFT JOIN meetings m ON m.source_id = s.id"
            " GROUP BY s.group_name ORDER BY s.group_name").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def acronyms(self) -> set[tuple[str, str]]:
        return {(r[0], r[1]) for r in self.conn.execute("SELECT DISTINCT short, long FROM acronyms").fetchall()}

    def save_profile(self, user_id: str, real_name: str, display_name: str) -> None:
        """Remember a Slack user's names (from users.info) for the people directory."""
        with self.write() as db:
            db.execute(
                "INSERT INTO slack_people (user_id, real_name, display_name, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET real_name = excluded.real_name,"
                " display_name = excluded.display_name, updated_at = excluded.updated_at",
                [user_id, real_name[:200], display_name[:200], _now()])

    def profiles(self) -> list[tuple[str, str, str]]:
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT user_id, real_name, display_name FROM slack_people").fetchall()]

    def items_by_ref(self, refs: Sequence[str], numbers: Sequence[str], limit: int,
                     groups: Sequence[str] | None = None) -> list[int]:
        """Agenda items linking to any of the refs, or whose link ref ends in one of the numbers."""
        clauses, params = [], []
        if refs:
            clauses.append(f"l.ref COLLATE NOCASE IN ({_marks(refs)})")
            params += list(refs)
        if numbers:
            clauses.append(f"l.number IN ({_marks(numbers)})")
            params += list(numbers)
        if not clauses:
            return []
        scope, scope_params = _group_clause(groups)
        rows = self.conn.execute(
            f"""SELECT DISTINCT i.root_id FROM links l JOIN items i ON i.id = l.item_id
                JOIN meetings m ON m.id = i.meeting_id JOIN sources s ON s.id = m.source_id
                WHERE ({' OR '.join(clauses)}){scope} ORDER BY m.date DESC LIMIT ?""",
            [*params, *scope_params, limit]).fetchall()
        return [int(r[0]) for r in rows]

    def items_between(self, start: dt.date, end: dt.date, limit: int, groups: Sequence[str] | None = None) -> list[int]:
        scope, scope_params = _group_clause(groups)
        rows = self.conn.execute(
            f"""SELECT i.id FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN sources s ON s.id = m.source_id
               WHERE i.parent_id IS NULL AND m.date BETWEEN ? AND ?{scope} ORDER BY m.date DESC, i.position
               LIMIT ?""", [start.isoformat(), end.isoformat(), *scope_params, limit]).fetchall()
        return [int(r[0]) for r in rows]

    def item_meetings(self, item_ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
        """(meeting date, group) of each item: which group's meeting it was on."""
        if not item_ids:
            return {}
        rows = self.conn.execute(
            f"""SELECT i.id, m.date, s.group_name FROM items i JOIN meetings m ON m.id = i.meeting_id
                JOIN sources s ON s.id = m.source_id WHERE i.id IN ({_marks(item_ids)})""",
            list(item_ids)).fetchall()
        return {int(r[0]): (r[1], r[2]) for r in rows}

    def item_texts(self, item_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        """(text, body, people) of each agenda item, as indexed, for reranking."""
        if not item_ids:
            return {}
        marks = _marks(item_ids)
        rows = self.conn.execute(
            f"SELECT rowid, text, body, people FROM agenda_fts WHERE rowid IN ({marks})",
            list(item_ids)).fetchall()
        return {int(r[0]): (r[1], r[2], r[3]) for r in rows}

    def latest_meeting(self, uris: Sequence[str], group: str = "") -> dt.date | None:
        """The newest held (not cancelled) meeting in the given sources, or in the group's notes however
        they were ingested: an anchor for biweekly schedules."""
        if not uris and not group:
            return None
        row = self.conn.execute(
            f"SELECT MAX(m.date) FROM meetings m JOIN sources s ON s.id = m.source_id"
            f" WHERE (s.uri IN ({_marks(uris)}) OR s.group_name = ?) AND NOT m.cancelled", [*uris, group]).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    def health(self) -> dict[str, Any]:
        """What `signode doctor` reports about the file: integrity, migrations, journal mode."""
        return {
            "integrity": self.conn.execute("PRAGMA integrity_check").fetchone()[0],
            "journal_mode": self.conn.execute("PRAGMA journal_mode").fetchone()[0],
            "migrations": [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY name").fetchall()],
        }

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the whole database, taken while others keep reading and writing."""
        self.conn.execute("VACUUM INTO ?", [str(target)])

    def counts(self) -> dict[str, int]:
        one = self.conn.execute(
            """SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM meetings WHERE date IS NOT NULL),
                      (SELECT COUNT(*) FROM items WHERE parent_id IS NULL), (SELECT COUNT(*) FROM links)"""
        ).fetchone()
        return {"sources": one[0], "meetings": one[1], "items": one[2], "links": one[3]}


@dataclass
class AddedItem:
    id: int
    group_name: str
    meeting_date: str
    text: str
    link: str
    author_id: str
    author_name: str
    created_at: str


class AgendaStore:
    """Agenda items added from Slack: their own table, never touched by ingest."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, group: str, meeting_date: dt.date, text: str, link: str, author_id: str, author_name: str,
            client_key: str | None = None) -> tuple[AddedItem, bool]:
        """Insert an item; with a client_key already used (a Slack retry), return the first one instead."""
        with self.store.write() as db:
            if client_key:
                row = db.execute("SELECT id FROM added_items WHERE client_key = ?", [client_key]).fetchone()
                if row:
                    return self.get(int(row[0])), False  # type: ignore[return-value]
            item_id = int(db.execute(
                "INSERT INTO added_items (group_name, meeting_date, text, link, author_id, author_name, client_key,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [group, meeting_date.isoformat(), text, link, author_id, author_name, client_key, _now()],
            ).lastrowid or 0)
        return self.get(item_id), True  # type: ignore[return-value]

    def get(self, item_id: int) -> AddedItem | None:
        rows = self.store.query(
            "SELECT id, group_name, meeting_date, text, link, author_id, author_name, created_at FROM added_items"
            " WHERE id = ? AND removed_at IS NULL", [item_id])
        return AddedItem(**rows[0]) if rows else None

    def for_meeting(self, group: str, meeting_date: dt.date) -> list[AddedItem]:
        rows = self.store.query(
            "SELECT id, group_name, meeting_date, text, link, author_id, author_name, created_at FROM added_items"
            " WHERE group_name = ? AND meeting_date = ? AND removed_at IS NULL ORDER BY id",
            [group, meeting_date.isoformat()])
        return [AddedItem(**r) for r in rows]

    def remove(self, item_id: int) -> bool:
        with self.store.write() as db:
            cursor = db.execute("UPDATE added_items SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
                                [_now(), item_id])
        return cursor.rowcount == 1

    def count(self, group: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM added_items WHERE removed_at IS NULL" + (" AND group_name = ?" if group else "")
        return int(self.store.db.execute(sql, [group] if group else []).fetchone()[0])

    def forget_authors(self, prefix: str) -> int:
        """Delete every item added by authors whose ID starts with `prefix` (a Zoom account that removed
        the app: Zoom requires its data gone); returns how many."""
        with self.store.write() as db:
            cursor = db.execute("DELETE FROM added_items WHERE substr(author_id, 1, ?) = ?", [len(prefix), prefix])
        return int(cursor.rowcount)

    def first_time(self, event_id: str) -> bool:
        """Record a Slack event ID (or a Zoom delivery's key); False if it was seen before (a retry)."""
        with self.store.write() as db:
            cursor = db.execute("INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)",
                                [event_id, _now()])
        return cursor.rowcount == 1


class ScheduleStore:
    """Cancellations made in Slack, and the reminder claims that make each reminder go out once."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def cancelled_dates(self, group: str, since: dt.date) -> set[dt.date]:
        """Dates cancelled in Slack for the group, and (for SIG Node's own notes) cancelled in the notes."""
        rows = self.store.query("SELECT date FROM cancellations WHERE group_name = ? AND date >= ?",
                                [group, since.isoformat()])
        notes = self.store.query("SELECT DISTINCT date FROM meetings WHERE cancelled AND date >= ?",
                                 [since.isoformat()])
        return {dt.date.fromisoformat(r["date"]) for r in rows + notes}

    def cancel(self, group: str, day: dt.date, reason: str, by_user: str) -> None:
        with self.store.write() as db:
            db.execute("INSERT OR REPLACE INTO cancellations (group_name, date, reason, by_user, created_at)"
                       " VALUES (?, ?, ?, ?, ?)", [group, day.isoformat(), reason, by_user, _now()])

    def uncancel(self, group: str, day: dt.date) -> bool:
        with self.store.write() as db:
            cursor = db.execute("DELETE FROM cancellations WHERE group_name = ? AND date = ?",
                                [group, day.isoformat()])
        return cursor.rowcount == 1

    def claim(self, group: str, start: str, offset_s: int, status: str, channel: str = "", detail: str = "",
              platform: str = "slack") -> bool:
        """Take a reminder (for one platform) for this process; False if another process or an earlier pass
        already has it."""
        with self.store.write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO reminders (group_name, meeting_start, offset_s, platform, status, channel,"
                " detail, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [group, start, offset_s, platform, status, channel, detail, _now()])
        return cursor.rowcount == 1

    def finish(self, group: str, start: str, offset_s: int, status: str, ts: str = "", detail: str = "",
               platform: str = "slack") -> None:
        with self.store.write() as db:
            db.execute("UPDATE reminders SET status = ?, ts = ?, detail = ? WHERE group_name = ? AND"
                       " meeting_start = ? AND offset_s = ? AND platform = ?",
                       [status, ts, detail, group, start, offset_s, platform])

    def reminders(self, group: str | None = None) -> list[dict[str, Any]]:
        where = "WHERE group_name = ?" if group else ""
        return self.store.query(f"SELECT * FROM reminders {where} ORDER BY meeting_start, offset_s DESC",
                                [group] if group else [])


class _Rows:
    """One source's items, owners, links and full-text rows, gathered to be written in one batch each.

    Ids are given here (the next free ones; the write lock is held), in the order items were always
    inserted: each agenda item, then its discussion depth first.
    """

    def __init__(self, next_id: int) -> None:
        self.next_id = next_id
        self.items: list[tuple[Any, ...]] = []
        self.owners: list[tuple[int, str]] = []
        self.links: list[tuple[Any, ...]] = []
        self.fts: list[tuple[Any, ...]] = []

    def _item(self, meeting_id: int, item: Item, parent_id: int | None, root_id: int | None, position: int,
              depth: int) -> int:
        item_id = self.next_id
        self.next_id += 1
        self.items.append((item_id, meeting_id, parent_id, root_id or item_id, position, depth, item.text, item.line))
        self.owners += [(item_id, name) for name in dict.fromkeys(item.owners)]
        self.links += [(item_id, ln.url, ln.kind, ln.ref, ln.ref.rpartition("#")[2] if "#" in ln.ref else None,
                        ln.label) for ln in item.links]
        return item_id

    def agenda_item(self, meeting_id: int, root: Item, index: int, fts: tuple[str, str, str, str]) -> None:
        """An agenda item and its discussion (ids in the order the full-text row reads them)."""
        root_id = self._item(meeting_id, root, None, None, index, 0)
        pending = [(child, root_id, position, 1) for position, child in reversed(list(enumerate(root.children)))]
        while pending:  # depth first, without recursion: notes may nest thousands deep
            child, parent_id, position, depth = pending.pop()
            child_id = self._item(meeting_id, child, parent_id, root_id, position, depth)
            pending += [(c, child_id, p, depth + 1) for p, c in reversed(list(enumerate(child.children)))]
        self.fts.append((root_id, *fts))

    def write(self, conn: sqlite3.Connection) -> None:
        conn.executemany("INSERT INTO items (id, meeting_id, parent_id, root_id, position, depth, text, line)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.items)
        conn.executemany("INSERT OR IGNORE INTO owners (item_id, name) VALUES (?, ?)", self.owners)
        conn.executemany("INSERT INTO links (item_id, url, kind, ref, number, label) VALUES (?, ?, ?, ?, ?, ?)",
                         self.links)
        conn.executemany("INSERT INTO agenda_fts (rowid, text, body, people, refs) VALUES (?, ?, ?, ?, ?)", self.fts)


def _stats(doc: Document) -> IngestStats:
    dated = [m for m in doc.meetings if m.date]
    return IngestStats(
        meetings=len(dated),
        items=sum(len(m.items) for m in doc.meetings),
        links=sum(len(i.links) for m in doc.meetings for root in m.items for i in root.walk()),
        cancelled=sum(m.cancelled for m in dated),
        undated=len(doc.meetings) - len(dated),
    )


def _group_clause(groups: Sequence[str] | None) -> tuple[str, list[str]]:
    """` AND s.group_name IN (...)` and its parameters, or nothing for all groups."""
    if groups is None:
        return "", []
    return f" AND s.group_name IN ({_marks(groups)})", list(groups)


def _marks(values: Sequence[object]) -> str:
    """`?,?,?`: one bound parameter per value, for an IN (...) list."""
    return ",".join("?" * len(values))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
