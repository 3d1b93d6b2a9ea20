"""Notes written to hurt: every line is parsed in linear time, deep nesting is fine, serve keeps answering.

The property test builds lines from long runs of the characters that make regexes backtrack (spaces,
letters, brackets, `@`, `<`, `*`, backslashes, parentheses, pipes, `{#`) and times every pass over a
line: parsing, owners, links, cleaning, index text and acronyms. It prints the worst time it saw.
"""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackbot.core.dates import read_date_line
from slackbot.core.links import extract_links
from slackbot.core.notes import clean_text, parse
from slackbot.core.owners import extract_owners
from slackbot.core.text import acronym_pairs, index_text, vocabulary
from slackbot.index.store import Store
from tests.conftest import listening_base, start_server
from tests.slack_client import command
from tests.slack_peer import SlackPeer

PIECES = [" ", "a", "Abc ", "[", "]", "\\[", "(", ")", "(a)", "@", "a@", "<", "<a ", "</a>", "*", "**", "\\", "-",
          "|", " | ", "{#", "}", ":", ".", "http://", "[a](", "Owner: ", "aB", "a-", "1.2", "\t", "&amp;", "#",
          "Dec ", "5", "12/", "2020-", "~~", "Monday, ", "5th of ", " - ", "10:30am "]
RUNS = st.lists(st.tuples(st.sampled_from(PIECES), st.integers(1, 4000)), min_size=1, max_size=6)
WORST: list[float] = [0.0]
LIMIT_S = 0.5  # per line, on a shared 2-core machine; typical worst is a few tens of milliseconds


def _every_pass(line: str) -> None:
    parse(f"# Jan 5, 2021\n\n* {line}\n  * {line}\n\n{line}\n\n## {line}\n\n**{line}**\n", "notes-2021.md")
    read_date_line(line)
    extract_owners(line)
    extract_links(line)
    acronym_pairs(clean_text(line))
    vocabulary([index_text(line)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RUNS)
def test_every_line_is_parsed_in_linear_time(runs: list[tuple[str, int]]) -> None:
    line = "".join(piece * count for piece, count in runs)[:64000]
    started = time.perf_counter()
    _every_pass(line)
    took = time.perf_counter() - started
    WORST[0] = max(WORST[0], took)
    assert took < LIMIT_S, f"{took:.3f} s for a {len(line)}-character line starting {line[:80]!r}"


def test_known_worst_cases_stay_fast() -> None:
    """The inputs that once took seconds to minutes each (cubic and quadratic patterns)."""
    cases = {
        "parenthesised word then spaces": "item (abc)" + " " * 5000 + "x",
        "64,000-character word": "a" * 64000,
        "64,000-character word with @": "a" * 64000 + "@b",
        "escaped brackets": "[" + "\\[" * 20000,
        "anchor openers": "{#" * 20000,
        "owner label then spaces": "Owner:" + " " * 20000 + "x",
        "heading of spaces": "Jan 5" + " " * 20000 + "x",
        "long word before acronym": "a" * 30000 + " (AB)",
        "html anchors without end": "<a " * 10000,
        "month names without days": "Dec " * 16000,
        "numbers and slashes": "1/" * 32000,
        "weekdays": "Monday, " * 8000,
        "a date after many labels": "Agenda (" * 8000 + "2020-01-01",
    }
    worst = 0.0
    for name, line in cases.items():
        started = time.perf_counter()
        _every_pass(line)
        took = time.perf_counter() - started
        worst = max(worst, took)
        assert took < LIMIT_S, (name, took)
    print(f"\nknown worst cases: slowest {worst * 1000:.1f} ms; property test worst so far "
          f"{WORST[0] * 1000:.1f} ms per line")


def test_thousands_of_nested_bullets_parse_and_store(tmp_path: Path) -> None:
    depth = 3000
    text = "# Jan 5, 2021\n\n" + "".join(" " * i + f"* level {i}\n" for i in range(depth))
    started = time.perf_counter()
    doc = parse(text, "notes-2021.md")
    took = time.perf_counter() - started
    root = doc.meetings[0].items[0]
    assert len(root.walk()) == depth and root.walk()[-1].text == f"level {depth - 1}"
    store = Store(tmp_path / "deep.db")
    from slackbot.index.ingest import ingest_source

    path = tmp_path / "notes-2021.md"
    path.write_text(text)
    stats = ingest_source(store, str(path)).stats
    assert stats.meetings == 1 and stats.items == 1
    assert store.db.execute("SELECT MAX(depth), COUNT(*) FROM items").fetchone() == (depth - 1, depth)
    print(f"\n{depth} nested bullets parsed in {took * 1000:.0f} ms")


def _big_notes(meetings: int) -> str:
    """Valid notes that take seconds to parse: many meetings with long, link- and owner-heavy items."""
    day = "* [dawnchen] Pod overhead (@tallclair) https://github.com/kubernetes/kubernetes/pull/{n} " \
          "[KEP](https://github.com/kubernetes/enhancements/issues/688) Dynamic Resource Allocation (DRA) " + \
          "lorem ipsum " * 40 + "\n"
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    parts = []
    for i in range(meetings):
        parts.append(f"## {months[i % 12]} {1 + (i // 12) % 28}, {2000 + i // 336}\n\n")
        parts += [day.replace("{n}", str(i * 10 + k)) + "  * discussion " * 3 + "\n" for k in range(8)]
    return "".join(parts)


def test_serve_keeps_answering_while_a_big_source_syncs(tmp_path: Path, corpus_db: Path) -> None:
    notes = tmp_path / "notes-big.md"
    notes.write_text(_big_notes(2500))
    groups = tmp_path / "signode.toml"
    groups.write_text(f'[[group]]\nname = "sig-node"\ntitle = "SIG Node"\nsources = ["{notes}"]\n'
                      '[group.schedule]\nday = "Tuesday"\ntime = "10:00"\ntz = "PT (Pacific Time)"\n'
                      'frequency = "weekly"\n')
    db = tmp_path / "serve.db"
    shutil.copy(corpus_db, db)
    with SlackPeer() as peer:
        process = start_server(peer, db, extra_env={"SIGNODE_GROUPS": str(groups)})
        base = listening_base(process)
        try:
            worst, answered = 0.0, 0
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                answer = command(base + "/slack/events", "runtimeclass", peer.response_url(f"sync{answered}"))
                assert answer.status == 200
                started = time.perf_counter()
                with urllib.request.urlopen(base + "/healthz", timeout=5):
                    pass
                worst = max(worst, answer.seconds, time.perf_counter() - started)
                answered += 1
                if _synced(db, str(notes)):
                    break
                time.sleep(0.05)
            assert _synced(db, str(notes)), "the sync never finished"
            print(f"\nwhile a {notes.stat().st_size // 1_000_000} MB source synced: {answered} commands and "
                  f"health checks, slowest {worst * 1000:.0f} ms")
            assert answered >= 5 and worst < 1.0
        finally:
            process.terminate()
            process.wait(timeout=30)


def _synced(db: Path, uri: str) -> bool:
    import sqlite3

    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute("SELECT COUNT(*) FROM sources WHERE uri = ?", [uri]).fetchone()[0] == 1
    finally:
        conn.close()


def test_one_source_failing_in_any_way_never_stops_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug or an odd document in one source (here a RecursionError) is logged; the next sources still sync."""
    import datetime as dt

    from slackbot import sync
    from slackbot.core.schedule import Weekly
    from slackbot.groups import Group

    good = tmp_path / "notes-2021.md"
    good.write_text("# Jan 5, 2021\n\n* [alice] Swap\n")
    bad = tmp_path / "notes-2020.md"
    bad.write_text("# Jan 7, 2020\n\n* [bob] Seccomp\n")
    real = sync.ingest_source

    def flaky(store: Store, source: str, **kw: object) -> object:
        if source == str(bad):
            raise RecursionError("maximum recursion depth exceeded")
        return real(store, source, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(sync, "ingest_source", flaky)
    group = Group("g", "G", Weekly(1, dt.time(10), "UTC"), sources=(str(bad), str(good)))
    store = Store(tmp_path / "sync.db")
    results = sync.sync_once(store, [group])
    assert [(r.source, r.status) for r in results] == [(str(bad), "failed"), (str(good), "updated")]
    assert "RecursionError" in results[0].detail
    assert store.counts()["meetings"] == 1
