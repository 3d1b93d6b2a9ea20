"""The `signode` command line: exact output on small fixtures, help everywhere, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from slackbot.cli import cli
from tests.conftest import FIXTURES, ROOT


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    source = tmp_path / "meeting-notes-2020.md"
    source.write_bytes((FIXTURES / "notes-2020-style.md").read_bytes())
    code, _ = run(path, "ingest", str(source))
    assert code == 0
    return path


def test_every_command_has_help_with_an_example() -> None:
    def paths(group: click.Group, prefix: list[str]) -> list[list[str]]:
        out = []
        for name, command in group.commands.items():
            out.append([*prefix, name])
            if isinstance(command, click.Group):
                out += paths(command, [*prefix, name])
        return out

    found = paths(cli, [])
    assert len(found) >= 12
    for path in found:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example:" in result.output, path


def test_ingest_prints_a_line_per_file_and_a_summary(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "meeting-notes-2020.md").write_bytes((FIXTURES / "notes-2020-style.md").read_bytes())
    (tmp_path / "notes" / "meeting-notes-2016.md").write_bytes((FIXTURES / "notes-2016-style.md").read_bytes())
    code, out = run(tmp_path / "x.db", "ingest", str(tmp_path / "notes"))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "✓ meeting-notes-2016.md: 6 meetings (1 cancelled), 10 items, 2 links, 1 undated sections"
    assert lines[1] == "✓ meeting-notes-2020.md: 8 meetings (4 cancelled), 12 items, 7 links, 2 undated sections"
    assert lines[2].startswith("Ingested 2 of 2 sources in ")
    assert lines[2].endswith("14 meetings, 22 items, 9 links, 5 cancelled, 3 undated. "
                             "Database: 14 meetings, 22 items.")
    code, out = run(tmp_path / "x.db", "ingest", str(tmp_path / "notes"))
    assert out.splitlines()[:2] == ["= meeting-notes-2016.md: unchanged", "= meeting-notes-2020.md: unchanged"]


def test_meetings_table_and_json(db: Path) -> None:
    code, out = run(db, "meetings")
    assert code == 0
    assert out.splitlines() == [
        "year     meetings cancelled  items  links",
        "2020            6         2     11      7",
        "2024            2         2      0      0",
        "undated         0         0      1      0",
        "total           8         4     12      7",
    ]
    code, out = run(db, "meetings", "--year", "2024", "--json")
    rows = json.loads(out)
    assert [(r["date"], r["cancelled"], r["cancel_reason"]) for r in rows] == [
        ("2024-11-26", True, "Canceled due to US holiday"), ("2024-10-29", True, "Canceled")]


def test_meeting_shows_items_owners_links(db: Path) -> None:
    code, out = run(db, "meeting", "2020-12-08")
    assert code == 0
    assert out.splitlines()[0] == "Tue Dec 8, 2020: 6 agenda items"
    assert "  • [dawnchen] Sidecar containers [proposal] KEP [dawnchen]" in out
    assert "      KEP: https://github.com/kubernetes/enhancements/pull/1980" in out


def test_search_json_shape(db: Path) -> None:
    code, out = run(db, "search", "--json", "sidecar")
    answer = json.loads(out)
    assert answer["query"] == "sidecar" and answer["nothing_found"] is False and answer["partial"] is False
    assert answer["interpreted"]["terms"] == ["sidecar"]
    hits = answer["hits"]
    assert code == 0 and len(hits) == 1
    hit = hits[0]
    assert {"date", "meeting", "text", "owners", "links", "url", "cancelled", "score"} <= set(hit)
    assert hit["date"] == "2020-12-08" and hit["owners"] == ["dawnchen"] and hit["cancelled"] is False
    assert hit["links"][0] == {"url": "https://github.com/kubernetes/enhancements/pull/1980", "kind": "kep",
                               "ref": "kubernetes/enhancements#1980", "label": "KEP"}
    assert hit["url"].endswith("meeting-notes-2020.md#dec-8-2020")


def test_search_queries_file_gives_one_array_per_line(db: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("sidecar\nnothing-like-this-here\n@frank\n")
    code, out = run(db, "search", "--json", "--queries", str(queries))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 3
    assert [len(x["hits"]) for x in lines] == [1, 0, 0]
    assert [x["nothing_found"] for x in lines] == [False, True, True]


def test_search_nothing_found_says_so(db: Path) -> None:
    code, out = run(db, "search", "blockchain")
    assert code == 0 and out.startswith("Nothing found for “blockchain”.")


def test_ask_runs_the_slack_grammar(db: Path) -> None:
    code, out = run(db, "ask", "when", "was", "sidecar", "discussed")
    assert code == 0
    assert out.splitlines()[0] == "“sidecar” came up in 1 meeting: first 2020-12-08, last 2020-12-08"
    code, out = run(db, "ask", "--blocks", "search", "sidecar")
    payload = json.loads(out)
    assert payload["blocks"][0]["type"] == "section"


def _signode(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from slackbot.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=60)


@pytest.mark.parametrize("args, message", [
    (["ingest", "/no/such/notes"], "Error: /no/such/notes: no such file or folder"),
    (["meeting", "not-a-date"], "Error: 'not-a-date' is not a date (try 2018-06-12)"),
    (["meetings", "--year", "1999"], "Error: no meetings in 1999"),
    (["search"], "Error: give a QUERY or --queries FILE"),
])
def test_errors_are_one_line_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    result = _signode("--db", str(tmp_path / "e.db"), *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


def test_db_path_from_environment(tmp_path: Path) -> None:
    result = _signode("meetings", "--json", env={"SIGNODE_DB": str(tmp_path / "env.db")})
    assert result.returncode == 0 and json.loads(result.stdout) == []
    assert (tmp_path / "env.db").exists()


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_text("this is not sqlite " * 100)
    result = _signode("--db", str(bogus), "meetings")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"Error: {bogus} is not a SQLite database; signode will not write into it" \
                                    " (choose another --db)"
    assert bogus.read_text() == "this is not sqlite " * 100


def test_search_path_imports_no_slack_bolt_zoom_or_sqlite_utils(db: Path) -> None:
    code = (f"import sys; from slackbot.cli import main; sys.argv=['signode','--db',{str(db)!r},'search','x'];\n"
            "try:\n main()\nexcept SystemExit: pass\n"
            "print('slack_bolt' in sys.modules or 'slackbot.zoom' in sys.modules or 'sqlite_utils' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "False"
