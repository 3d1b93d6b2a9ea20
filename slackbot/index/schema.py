"""Opening a database file safely: only signode's own, at a schema this signode knows.

Checked before anything is written, so a wrong `--db` never gets signode's tables (or WAL mode)
pushed into someone else's file: a file that is not SQLite, a SQLite file of another program, and a
database written by a newer signode are each refused with one line naming the path. Migrations ship
inside the package (`slackbot/index/migrations/*.sql`, read with importlib.resources), so an installed
wheel works from any directory. A file that cannot be written (a read-only volume) is opened
read-only when its schema is current, so searching still works there.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from slackbot.errors import ConfigError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's statements (our migrations have no semicolons inside strings)."""
        without_comments = re.sub(r"--[^\n]*", "", self.sql)
        return [s.strip() for s in without_comments.split(";") if s.strip()]


def migrations() -> list[Migration]:
    """Every migration shipped with this signode, in order."""
    folder = resources.files("slackbot.index") / "migrations"
    found = [Migration(f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql")]
    if not found:
        raise ConfigError("this signode install has no schema migrations (slackbot/index/migrations is empty)")
    return sorted(found, key=lambda m: m.name)


def check_file(path: Path) -> None:
    """Refuse a path that is a folder or a file that is not SQLite, before SQLite touches it."""
    if path.is_dir():
        raise ConfigError(f"{path} is a folder; --db needs a database file")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ConfigError(f"{path} is not a SQLite database; signode will not write into it (choose another --db)")


def check_schema(conn: sqlite3.Connection, path: str) -> list[str]:
    """The migrations still to apply; refuses another program's database or a newer signode's."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    known = [m.name for m in migrations()]
    if not tables:
        return known
    if "migrations" not in tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise ConfigError(f"{path} is a SQLite database of another program (tables: {shown}); "
                          "signode keeps its own file (choose another --db)")
    applied = {r[0] for r in conn.execute("SELECT name FROM migrations")}
    newer = sorted(applied - set(known))
    if newer:
        raise ConfigError(f"{path} was written by a newer signode (schema {newer[-1]}); "
                          "upgrade signode to use it")
    return [name for name in known if name not in applied]


def connect(path: str) -> tuple[sqlite3.Connection, bool]:
    """A connection and whether it is read-only (the file or its folder cannot be written)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: safe from crashes, no fsync per commit
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn, False
    except sqlite3.OperationalError as exc:
        conn.close()
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise
    uri = Path(path).resolve().as_uri()
    for mode in ("mode=ro", "immutable=1"):  # a WAL file on a read-only volume opens only as immutable
        conn = sqlite3.connect(f"{uri}?{mode}", uri=True, check_same_thread=False)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn, True
        except sqlite3.OperationalError:
            conn.close()
    raise ConfigError(f"{path} cannot be opened, not even read-only")
