"""Read a source, parse it, and replace what the store holds for it: the one ingest path.

The CLI, the sync loop and the tests all come through `ingest_source`, so a bad document is
refused the same way everywhere: parsed completely before the store is touched.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from slackbot.core.indexing import IndexRows, index_rows
from slackbot.core.notes import Document, check_is_text, parse
from slackbot.errors import NotesError, SignodeError
from slackbot.index.sources import Fetched, heading_anchors, is_url, meeting_url, read_source, web_url
from slackbot.index.store import IngestStats, SourceRecord, Store

# A new copy of a source that loses more than this share of its dated meetings is taken to be
# truncated (a half-saved export, a cut-off download) and refused; --force overrides (for the yearly
# move of old notes out of the live doc into the archive).
MAX_MEETING_LOSS = 0.4
DEFAULT_GROUP = "sig-node"
PARSERS = 1  # one worker parses ahead of the writer (two only contend for this machine's two cores)


@dataclass
class IngestResult:
    uri: str
    stats: IngestStats
    unchanged_remote: bool = False  # the server answered 304


def ingest_fetched(store: Store, fetched: Fetched, year: int | None = None, source_url: str = "",
                   force: bool = False, group: str = DEFAULT_GROUP,
                   parsed: tuple[Document, IndexRows] | None = None) -> IngestResult:
    """Parse fetched bytes (unless `parsed` already is) and store them under `group`; raises NotesError
    and leaves the store as it was."""
    text = check_is_text(fetched.data, fetched.name)
    previous = store.source(fetched.uri)
    if previous and previous["sha256"] == fetched.sha256 and not source_url and year is None \
            and previous["group_name"] == group:
        store.touch_source(fetched.uri, fetched.etag, fetched.last_modified)
        return IngestResult(fetched.uri, IngestStats(changed=False))
    doc, indexed = parsed or (parse(text, fetched.name, year), None)
    base = web_url(fetched.uri, fetched.name, source_url)
    anchors = heading_anchors(text)
    urls = [meeting_url(base, m, anchors) for m in doc.meetings]
    if previous and not force:
        _refuse_truncation(store, fetched.uri, previous["id"], len(doc.dated))
    record = SourceRecord(fetched.uri, fetched.name, doc.title, doc.year, base, fetched.sha256,
                          fetched.etag, fetched.last_modified, group)
    return IngestResult(fetched.uri, store.replace_source(record, doc, urls, indexed))


def ingest_source(store: Store, source: str, year: int | None = None, source_url: str = "",
                  timeout: float = 30.0, force: bool = False, group: str = DEFAULT_GROUP) -> IngestResult:
    """Fetch one file or URL (conditionally, if we have its ETag) and ingest it."""
    known = store.source(source) if is_url(source) else None
    fetched = read_source(source, timeout, known["etag"] if known else "", known["last_modified"] if known else "")
    if fetched is None:
        return IngestResult(source, IngestStats(changed=False), unchanged_remote=True)
    return ingest_fetched(store, fetched, year, source_url, force, group)


def read_and_parse(source: str, year: int | None = None, timeout: float = 30.0) -> tuple[Fetched, Document]:
    """One file or URL read (unconditionally) and parsed, as ingest reads it; raises SignodeError."""
    fetched = read_source(source, timeout)
    assert fetched is not None  # no ETag was sent, so no "not modified"
    return fetched, parse(check_is_text(fetched.data, fetched.name), fetched.name, year)


def _read_and_parse(path: str, year: int | None) -> tuple[Fetched, tuple[Document, IndexRows]]:
    """In a worker process: one local file read, parsed and turned into full-text rows (errors travel
    back as they are)."""
    fetched, doc = read_and_parse(path, year)
    return fetched, (doc, index_rows(doc))


def ingest_many(store: Store, targets: list[tuple[str, str]], year: int | None = None, source_url: str = "",
                timeout: float = 30.0, force: bool = False) -> Iterator[tuple[str, IngestResult | SignodeError]]:
    """Ingest (source, group) pairs in order, one transaction each, yielding each result or error.

    With several local files and a second core, a worker process parses the next files while this
    one writes the current one (parsing is a third of an ingest, writing the rest), so the archive's
    eleven years take about as long as writing them. URLs are fetched here, with their ETags.
    """
    local = [t for t, _ in targets if not is_url(t)]
    pool = None
    if len(local) >= 3 and (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(PARSERS, mp_context=multiprocessing.get_context("fork"))
    try:
        ahead: dict[str, Future[tuple[Fetched, tuple[Document, IndexRows]]]] = {
            path: pool.submit(_read_and_parse, path, year) for path in local} if pool else {}
        for target, group in targets:
            try:
                if target in ahead:
                    fetched, doc = ahead[target].result()
                    yield target, ingest_fetched(store, fetched, year, source_url, force, group, doc)
                else:
                    yield target, ingest_source(store, target, year, source_url, timeout, force, group)
            except SignodeError as exc:
                yield target, exc
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def _refuse_truncation(store: Store, uri: str, source_id: int, new_count: int) -> None:
    old_count = store.dated_meeting_count(source_id)
    if old_count >= 4 and new_count < old_count * (1 - MAX_MEETING_LOSS):
        raise NotesError(
            f"{uri}: the new copy has {new_count} dated meetings where the stored one has {old_count};"
            " it looks truncated, so the stored notes were kept (use --force to replace them)")
