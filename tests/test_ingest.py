"""Ingest into a real SQLite file: idempotent, replacing per source, and all-or-nothing on bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from slackbot.errors import NotesError, SourceError
from slackbot.index.ingest import ingest_source
from slackbot.index.store import Store
from tests.conftest import FIXTURES, NOTES, dump
from tests.notes_server import NotesServer, Response

GOOD = (FIXTURES / "notes-2020-style.md").read_bytes()


def notes_file(tmp_path: Path, text: str, name: str = "meeting-notes-2020.md") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_ingest_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    source = notes_file(tmp_path, GOOD.decode())
    first = ingest_source(store, source)
    assert first.stats.changed and first.stats.meetings == 8
    before = dump(store)
    second = ingest_source(store, source)
    assert not second.stats.changed
    assert [line for line in dump(store) if "INSERT INTO \"sources\"" not in line] == \
        [line for line in before if "INSERT INTO \"sources\"" not in line]


def test_edited_file_replaces_its_meetings_and_keeps_other_sources(store: Store, tmp_path: Path) -> None:
    a = notes_file(tmp_path, GOOD.decode())
    b = notes_file(tmp_path, "# Other\n\n## Mar 3, 2021\n\n* unrelated topic\n", "other-2021.md")
    ingest_source(store, a)
    ingest_source(store, b)
    edited = GOOD.decode().replace("odd ordinal", "renamed item about gMSA")
    Path(a).write_text(edited)
    assert ingest_source(store, a).stats.changed
    texts = [r["text"] for r in store.query("SELECT text FROM items")]
    assert "renamed item about gMSA" in texts and "odd ordinal" not in texts
    assert "unrelated topic" in texts
    assert store.query("SELECT COUNT(*) AS n FROM agenda_fts WHERE agenda_fts MATCH 'ordinal'")[0]["n"] == 0
    assert store.query("SELECT COUNT(*) AS n FROM agenda_fts WHERE agenda_fts MATCH 'gmsa'")[0]["n"] == 1


@pytest.mark.parametrize("content, message", [
    (b"", "empty"), (b"\x00\x01binary\x00", "binary"),
    (b"<!DOCTYPE html><html><head><title>Sign in - Google Accounts</title></head><body>", "HTML"),
    (b"just some words, no meetings at all\n" * 10, "no dated meeting"),
])
def test_bad_file_leaves_database_exactly_as_it_was(store: Store, tmp_path: Path, content: bytes,
                                                    message: str) -> None:
    source = notes_file(tmp_path, GOOD.decode())
    ingest_source(store, source)
    before = dump(store)
    Path(source).write_bytes(content)
    with pytest.raises(NotesError, match=message):
        ingest_source(store, source)
    assert dump(store) == before


def test_fifty_megabytes_of_noise_is_refused_unchanged(store: Store, tmp_path: Path) -> None:
    source = notes_file(tmp_path, GOOD.decode())
    ingest_source(store, source)
    before = dump(store)
    with open(source, "wb") as fh:
        fh.write(b"noise " * (50 * 1024 * 1024 // 6))
    with pytest.raises(NotesError, match="too large"):
        ingest_source(store, source)
    assert dump(store) == before


def test_truncated_copy_is_refused_unless_forced(store: Store, tmp_path: Path) -> None:
    source = notes_file(tmp_path, (NOTES / "meeting-notes-2018.md").read_text(), "meeting-notes-2018.md")
    ingest_source(store, source)
    before = dump(store)
    text = Path(source).read_text()
    Path(source).write_text(text[: len(text) // 5])
    with pytest.raises(NotesError, match="looks truncated"):
        ingest_source(store, source)
    assert dump(store) == before
    assert ingest_source(store, source, force=True).stats.meetings < 20


def test_missing_file_is_a_source_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="No such file"):
        ingest_source(store, str(tmp_path / "gone.md"))


def test_meeting_urls_point_at_github_anchors(corpus_store: Store) -> None:
    urls = {r["date"]: r["url"] for r in corpus_store.query("SELECT date, url FROM meetings WHERE date IS NOT NULL")}
    base = "https://github.com/kubernetes/community/blob/master/sig-node/archive/"
    assert urls["2018-06-12"] == base + "meeting-notes-2018.md#june-12-june-12"
    assert urls["2018-12-18"] == base + "meeting-notes-2018.md#dec-18"
    assert urls["2024-11-26"] == base + "meeting-notes-2024.md#nov-26-2024-canceled-due-to-us-holiday"
    assert urls["2015-12-09"] == base + "meeting-notes-2015.md?plain=1#L3"
    assert urls["2020-12-22"] == urls["2020-12-29"] == base + "meeting-notes-2020.md#dec-22--29-2020-cancelled"


def test_corpus_counts_per_year(corpus_store: Store) -> None:
    rows = {r["year"]: r for r in corpus_store.year_counts()}
    assert set(rows) == set(range(2015, 2026)) | {None}
    assert rows[2015]["meetings"] == 6 and rows[2025]["meetings"] == 2
    assert all(rows[y]["meetings"] >= 45 for y in range(2016, 2025))
    assert rows[2024]["cancelled"] == 10
    assert sum(r["items"] for r in rows.values()) == corpus_store.counts()["items"]
    for iso in ("2015-12-09", "2018-06-12", "2020-12-22", "2020-12-29", "2025-01-14"):
        assert corpus_store.meetings_on(dt.date.fromisoformat(iso)), iso


# -- URLs, against a real HTTP server on loopback -----------------------------------------------------

def test_url_ingest_raw_file_and_conditional_refetch(store: Store) -> None:
    with NotesServer() as server:
        url = server.serve("/kubernetes/community/master/sig-node/archive/meeting-notes-2020.md", Response(GOOD))
        result = ingest_source(store, url)
        assert result.stats.meetings == 8
        again = ingest_source(store, url)
        assert again.unchanged_remote
        assert server.requests[-1][1].get("If-None-Match", "").startswith('"')
    assert store.source(url)["web_url"] == url


def test_google_docs_edit_link_becomes_markdown_export(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from slackbot.index import sources

    with NotesServer() as server:
        server.serve("/document/d/DOC123/export", Response(GOOD))
        monkeypatch.setattr(sources, "google_export_url",
                            lambda url: url.replace("https://docs.google.com", server.base)
                            .replace("/edit", "/export?format=md"))
        result = ingest_source(store, "https://docs.google.com/document/d/DOC123/edit", year=2020)
        assert result.stats.meetings == 8
        assert server.requests[0][0] == "/document/d/DOC123/export?format=md"


def test_google_export_url_shape() -> None:
    from slackbot.index.sources import google_export_url

    assert google_export_url("https://docs.google.com/document/d/1Ne57g/edit?usp=sharing") == \
        "https://docs.google.com/document/d/1Ne57g/export?format=md"
    assert google_export_url("https://example.org/notes.md") == "https://example.org/notes.md"


@pytest.mark.parametrize("response, error, message", [
    (Response(b"", status=404), SourceError, "HTTP 404"),
    (Response(b"oops", status=500), SourceError, "HTTP 500"),
    (Response(b"<!DOCTYPE html><html><head><title>Sign in</title></head>", content_type="text/html"), NotesError,
     "HTML page"),
    (Response(b""), NotesError, "empty"),
    (Response(GOOD, delay=2.0), SourceError, "timed out"),
])
def test_url_failures_leave_database_unchanged(store: Store, response: Response, error: type[Exception],
                                               message: str) -> None:
    with NotesServer() as server:
        url = server.serve("/notes-2020.md", Response(GOOD, etag=False), response)
        ingest_source(store, url)
        before = dump(store)
        with pytest.raises(error, match=message):
            ingest_source(store, url, timeout=0.5)
        assert dump(store) == before


def test_unreachable_host_is_a_source_error(store: Store) -> None:
    with NotesServer() as server:
        url = server.base + "/x.md"
    with pytest.raises(SourceError, match="cannot connect|connection"):
        ingest_source(store, url, timeout=2)


def test_lexicon_after_replacing_a_source_equals_a_fresh_ingest(tmp_path: Path) -> None:
    """Owner stats are merged per source and words counted up and down: after a source changes, the
    aggregates must be exactly what ingesting the final files from scratch gives."""
    import sqlite3

    first = tmp_path / "a" / "notes-2020.md"
    second = tmp_path / "b" / "notes-2021.md"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text("# Notes\n\n## Dec 8, 2020\n\n* [alice] quotas for sandboxes\n* [bob] cgroupsv2 rollout\n\n"
                     "## Nov 24, 2020\n\n* [alice] swap support\n")
    second.write_text("# Notes\n\n## Mar 2, 2021\n\n* [alice] checkpointing\n* [carol] pod overhead\n")
    changing = Store(tmp_path / "changing.db")
    for path in (first, second):
        ingest_source(changing, str(path))
    first.write_text("# Notes\n\n## Dec 8, 2020\n\n* [dave] quotas for sandboxes\n\n"
                     "## Nov 17, 2020\n\n* [alice] swap rollout\n* [carol] eviction\n")
    ingest_source(changing, str(first))
    fresh = Store(tmp_path / "fresh.db")
    for path in (first, second):
        ingest_source(fresh, str(path))

    def aggregates(path: Path) -> list[list[tuple[object, ...]]]:
        conn = sqlite3.connect(path)
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("owner_stats", "words", "word_keys", "index_stats")]

    changing.close()
    fresh.close()
    after, expected = aggregates(tmp_path / "changing.db"), aggregates(tmp_path / "fresh.db")
    assert after == expected
    assert ("alice", 2, "2020-11-17", "2021-03-02") in after[0] and not any(r[0] == "bob" for r in after[0])
