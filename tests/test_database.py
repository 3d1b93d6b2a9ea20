"""The database file: only signode's own is written to, a newer schema is refused, read-only still searches."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from slackbot.errors import ConfigError
from slackbot.index.schema import migrations
from slackbot.index.store import Store
from tests.conftest import ROOT


def _signode(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "slackbot", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_foreign_sqlite_file_is_refused_and_left_exactly_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "photos.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO albums (name) VALUES ('holidays')")
    conn.commit()
    conn.close()
    before = _digest(other)
    result = _signode("--db", str(other), "ingest", str(ROOT / "tests" / "fixtures"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"Error: {other} is a SQLite database of another program (tables: albums); "
                                     "signode keeps its own file (choose another --db)")
    assert _digest(other) == before
    assert not Path(f"{other}-wal").exists()
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["albums"]


def test_a_database_from_a_newer_signode_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO migrations VALUES ('0099_future.sql', '2030-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(ConfigError, match=r"was written by a newer signode \(schema 0099_future.sql\)"):
        Store(path)
    result = _signode("--db", str(path), "search", "swap")
    assert result.returncode == 1 and str(path) in result.stderr and "newer signode" in result.stderr
    assert _digest(path) == before


@pytest.mark.parametrize("content", [b"not sqlite at all\n" * 50, b"\x00\x01\x02" * 100, b"SQLite format 2\x00junk"])
def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "custom-name.sqlite"
    path.write_bytes(content)
    result = _signode("--db", str(path), "meetings")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path} is not a SQLite database" in result.stderr and "signode.db" not in result.stderr
    assert path.read_bytes() == content


def test_a_folder_as_database_is_a_clear_error(tmp_path: Path) -> None:
    result = _signode("--db", str(tmp_path), "meetings")
    assert result.returncode == 1 and f"{tmp_path} is a folder" in result.stderr


def test_two_stores_opening_a_new_file_together_apply_each_migration_once(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    code = f"from slackbot.index.store import Store; Store({str(path)!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM migrations ORDER BY name")]
    assert names == [m.name for m in migrations()] and len(names) >= 5


def _read_only_mount_works(folder: Path) -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro {folder} {folder} && true"],
                           capture_output=True)
    return probe.returncode == 0


def test_search_works_on_a_read_only_volume(tmp_path: Path, corpus_db: Path) -> None:
    """A real read-only mount (root ignores file modes, so chmod would prove nothing)."""
    volume = tmp_path / "volume"
    volume.mkdir()
    db = volume / "signode.db"
    shutil.copy(corpus_db, db)
    if shutil.which("unshare") is None or not _read_only_mount_works(volume):
        pytest.skip("needs `unshare -m` and mount (root in a Linux sandbox) for a real read-only volume")
    before = _digest(db)
    script = (f"mount --bind -o ro {volume} {volume} && touch {volume}/probe 2>/dev/null && exit 9; "
              f"exec {sys.executable} -m slackbot --db {db} search runtimeclass --limit 3")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "RuntimeClass" in result.stdout or "runtimeclass" in result.stdout.lower()
    assert _digest(db) == before and not (volume / "probe").exists()
    write = subprocess.run(["unshare", "-m", "sh", "-c",
                            f"mount --bind -o ro {volume} {volume} && exec {sys.executable} -m slackbot --db {db} "
                            f"ingest {ROOT / 'tests' / 'fixtures'}"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert write.returncode == 1 and "Traceback" not in write.stderr and str(db) in write.stderr
