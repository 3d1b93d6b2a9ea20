"""Other groups' notes: the sample archives against a person's reference, and every date form and
cancellation phrasing as a small fixture written here (not copied from anyone's notes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slackbot.core.notes import Document, parse
from slackbot.errors import NotesError
from tests.conftest import CORPUS, ROOT

OTHER = CORPUS / "other-groups"
REFERENCE = ROOT / "eval" / "other-groups.tsv"


def _reference() -> dict[tuple[str, int], tuple[str, bool]]:
    rows = {}
    for line in REFERENCE.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        file, number, date, status = line.split("\t")
        rows[(file, int(number))] = (date, status == "cancelled")
    return rows


def test_sample_archives_match_the_reference() -> None:
    reference = _reference()
    found: dict[tuple[str, int], tuple[str, bool]] = {}
    for path in sorted(OTHER.glob("*/*.md")):
        doc = parse(path.read_text(), path.name)
        for m in doc.dated:
            assert m.date is not None
            found[(f"{path.parent.name}/{path.name}", m.line)] = (m.date.isoformat(), m.cancelled)
    assert len(reference) >= 270 and len({k[0] for k in reference}) == 25
    right = [k for k, (date, _) in reference.items() if k in found and found[k][0] == date]
    invented = sorted(k for k in found if k not in reference or found[k][0] != reference[k][0])
    wrong_cancel = sorted(k for k in right if found[k][1] != reference[k][1])
    recall = len(right) / len(reference)
    print(f"\nother groups: {len(right)}/{len(reference)} meetings found ({recall:.1%}), "
          f"{len(invented)} invented, {len(wrong_cancel)} cancellations wrong")
    assert recall >= 0.98, sorted(set(reference) - set(right))[:20]
    assert invented == []
    assert wrong_cancel == []
    assert sum(c for _, c in reference.values()) >= 8  # the cancellations are really being checked


def dates(doc: Document) -> list[str]:
    return [m.date.isoformat() for m in doc.dated if m.date]


def meeting(doc: Document, date: str):  # type: ignore[no-untyped-def]
    return next(m for m in doc.dated if m.date and m.date.isoformat() == date)


@pytest.mark.parametrize("heading, expected", [
    ("## 2021-12-09", "2021-12-09"),                       # ISO
    ("## 2021/12/09", "2021-12-09"),
    ("## 12/18/2018", "2018-12-18"),                       # US numeric
    ("### 3/7/19", "2019-03-07"),
    ("## 28 Nov 2023", "2023-11-28"),                      # day first
    ("## 5th of March, 2024", "2024-03-05"),
    ("## November 3rd, 2022", "2022-11-03"),               # month names, full and short, ordinals
    ("## Sept. 14th 2022", "2022-09-14"),
    ("## Tuesday, March 5, 2024", "2024-03-05"),           # a weekday before it
    ("## Agenda (2019-12-12)", "2019-12-12"),              # wrapped in words and brackets
    ("## [NEXT] Triage (2021-12-09)", "2021-12-09"),
    ("## Meeting notes – Dec 5, 2022", "2022-12-05"),
    ("# SIG Foo weekly: 2020-02-04", "2020-02-04"),
])
def test_date_forms_in_headings(heading: str, expected: str) -> None:
    doc = parse(f"# Foo notes\n\n{heading}\n\n* an item\n", "foo.md")
    assert dates(doc) == [expected]
    assert doc.dated[0].items[0].text == "an item"


@pytest.mark.parametrize("line, expected", [
    ("**Jan 12, 2021**", "2021-01-12"),
    ("__2021-01-12__", "2021-01-12"),
    ("**1/12/2021 - weekly**", "2021-01-12"),
    ("Jan 12, 2021", "2021-01-12"),
    ("12 January 2021", "2021-01-12"),
])
def test_bold_and_plain_lines_start_meetings(line: str, expected: str) -> None:
    doc = parse(f"Foo meeting notes\n\n{line}\n\n* discussed quotas\n    * agreed\n\n**Jan 5, 2021**\n\n* older\n",
                "foo.md")
    assert dates(doc) == [expected, "2021-01-05"]
    assert meeting(doc, expected).items[0].text == "discussed quotas"


def test_year_comes_from_the_line_then_the_file_name_then_the_title_then_the_neighbours() -> None:
    body = "## Mar 3\n\n* a\n\n## Feb 24\n\n* b\n"
    assert dates(parse(f"# Notes\n\n{body}", "notes-2019.md"))[0] == "2019-03-03"
    assert dates(parse(f"# SIG Foo 2017 notes\n\n{body}", "notes.md"))[0] == "2017-03-03"
    neighbours = parse(f"# Notes\n\n{body}\n## Feb 17, 2015\n\n* c\n", "notes.md")
    assert dates(neighbours) == ["2015-03-03", "2015-02-24", "2015-02-17"]
    with pytest.raises(NotesError, match="no dated meeting"):
        parse(f"# Notes\n\n{body}", "notes.md")


def test_a_time_line_under_the_date_is_not_a_meeting() -> None:
    doc = parse("# Foo\n\n## Dec 13, 2022\n\n**10:30am Pacific**\n\n21:00 UTC (1:00 PM PDT on 2022-12-13)\n\n"
                "* topic one\n\n## Nov 29, 2022\n\n* topic two\n", "foo.md")
    assert dates(doc) == ["2022-12-13", "2022-11-29"]
    rejected = {d.line: d.reason for d in doc.decisions if not d.accepted}
    assert rejected[7].startswith("a time line")
    assert [i.text for i in doc.dated[0].items] == ["topic one"]  # when the meeting is, not what it discussed
    later = parse("# Foo\n\n## Dec 13, 2022\n\n* topic one\n\n10:30am we agreed to ship\n", "foo.md")
    assert [i.text for i in later.dated[0].items] == ["topic one", "10:30am we agreed to ship"]


@pytest.mark.parametrize("line, reason", [
    ("May 20 - 23, 2019", "a range of dates"),
    ("Aug 6-7th", "a range of dates"),
    ("2022-10-25 – 2022-10-28", "a range of dates"),
    ("1.24 release", "a version number, not a date"),
    ("Release on Dec 3, 2020", "a date inside a sentence"),
    ("Feb 30, 2020", "not a real day"),
])
def test_date_like_headings_that_are_not_meetings(line: str, reason: str) -> None:
    doc = parse(f"# Foo\n\n## Dec 8, 2020\n\n* a\n\n## {line}\n\n* b\n\n## Nov 24, 2020\n\n* c\n", "foo.md")
    assert dates(doc) == ["2020-12-08", "2020-11-24"]
    assert [(d.line, d.reason) for d in doc.decisions if not d.accepted] == [(7, reason)]


def test_dates_in_prose_do_not_start_meetings() -> None:
    text = ("# Foo\n\n## Dec 8, 2020\n\nJan 12 we cut the release branch and then we freeze\n\n"
            "Dec 22, 2020\n\n* a plain date line below the meeting it is in, later than it: a date in the notes\n\n"
            "## Nov 24, 2020\n\n* c\n")
    doc = parse(text, "foo.md")
    assert dates(doc) == ["2020-12-08", "2020-11-24"]
    reasons = {d.reason for d in doc.decisions if not d.accepted}
    assert "out of order with the meetings around it (a date in the notes?)" in reasons


def test_series_are_kept() -> None:
    doc = parse("# Foo\n\n## APAC: 2023-03-02\n\n* a\n\n## EMEA: 2023-03-02\n\n* b\n\n"
                "## [NEXT] Triage (2023-02-28)\n\n* c\n\n## 2023-02-23\n\n* d\n", "foo.md")
    assert [(m.date.isoformat() if m.date else None, m.series) for m in doc.dated] == [
        ("2023-03-02", "APAC"), ("2023-03-02", "EMEA"), ("2023-02-28", "Triage"), ("2023-02-23", "")]


def test_past_meetings_and_templates() -> None:
    doc = parse("# Foo WG\n\n# Upcoming Meetings\n\n## April 17, 2025\n\n* \n\n# Past Meetings\n\n"
                "## March 20, 2025\n\n### Agenda\n\n* quotas\n\n# Meeting Template\n\n## August 15, 2024\n\n"
                "### Agenda\n\n* \n\n# Archive\n\n* [2024 notes](https://example.com/2024)\n", "2025-minutes.md")
    assert dates(doc) == ["2025-04-17", "2025-03-20"]
    assert [(d.line, d.reason) for d in doc.decisions if not d.accepted] == [(19, "inside a template section")]


def test_day_first_numeric_dates_when_the_doc_says_so() -> None:
    doc = parse("# Foo\n\n## 13/02/2024\n\n* a\n\n## 05/02/2024\n\n* b\n", "foo.md")
    assert dates(doc) == ["2024-02-13", "2024-02-05"]
    us = parse("# Foo\n\n## 12/02/2024\n\n* a\n\n## 05/02/2024\n\n* b\n", "foo.md")
    assert dates(us) == ["2024-12-02", "2024-05-02"]


def test_one_file_per_meeting_dated_only_by_its_name() -> None:
    doc = parse("# SIG Foo minutes\n\n* Intro by Alex\n* Demo of a tool\n", "2016-05-18.md")
    assert dates(doc) == ["2016-05-18"]
    assert [i.text for i in doc.dated[0].items] == ["Intro by Alex", "Demo of a tool"]


@pytest.mark.parametrize("heading, body, cancelled, reason", [
    ("## Dec 5, 2022 CANCELED FOR KubeCon", "", True, "CANCELED FOR KubeCon"),
    ("## ~~Dec 5, 2022~~", "* was going to talk about quotas\n", True, "struck through"),
    ("## ~~Dec 5, 2022~~ (holiday)", "", True, "holiday"),
    ("## Dec 5, 2022", "No meeting\n", True, "No meeting"),
    ("## Dec 5, 2022", "**NO MEETING**\n", True, "NO MEETING"),
    ("## Dec 5, 2022 - Postponed", "", True, "Postponed"),
    ("## Dec 5, 2022 (Cancelled?)", "", True, "Cancelled?"),
    ("## Dec 5, 2022 (Cancelled?)", "* quotas\n    * we met after all and agreed\n", False, ""),
    ("## Dec 5, 2022 (postponed from Nov 28)", "* quotas\n", False, ""),
    ("## Dec 5, 2022", "### Updates\n\n* Meeting canceled due to lack of attendance.\n\n### Agenda\n\n* quotas\n",
     True, "Meeting canceled due to lack of attendance."),
    ("## Dec 5, 2022", "* Topics:\n    * canceled to give back time after the retro\n    * retro notes\n",
     True, "canceled to give back time after the retro"),
    ("## Dec 5, 2022", "* SIG updates\n    * SIG Foo\n        * Cancelled due to a fire - next week\n", False, ""),
    ("## Dec 5, 2022", "* [bob] Cancelled pods are not cleaned up\n", False, ""),
    ("## Dec 5, 2022", "* This meeting may be cancelled or postponed\n* quotas\n* limits\n", False, ""),
])
def test_cancellation_phrasings(heading: str, body: str, cancelled: bool, reason: str) -> None:
    doc = parse(f"# Foo\n\n{heading}\n\n{body}\n## Nov 28, 2022\n\n* held\n", "foo.md")
    first = meeting(doc, "2022-12-05")
    assert (first.cancelled, first.cancel_reason) == (cancelled, reason)
    assert not meeting(doc, "2022-11-28").cancelled


def test_hostile_date_lines_stay_linear() -> None:
    import time
    lines = ["## " + "Dec 5 " * 5000, "**" + "1/" * 20000 + "**", "## " + "(" * 30000 + "2020-01-01",
             "Dec " + " " * 50000 + "5", "## " + "Monday, " * 8000]
    start = time.perf_counter()
    parse("# Foo\n\n## Jan 1, 2021\n\n" + "\n\n".join(lines) + "\n", "foo.md")
    assert time.perf_counter() - start < 5  # seconds; quadratic would take minutes


def test_other_group_files_are_read_not_copied() -> None:
    assert not any(Path(ROOT).glob("**/meeting-notes-archive"))
    assert OTHER.is_dir()


def test_check_notes_shows_starts_and_rejections_and_stores_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slackbot.cli import cli

    notes = tmp_path / "foo-2020.md"
    notes.write_text("# Foo\n\n## Dec 8\n\n* a\n\n## May 20 - 23, 2020\n\n* kubecon\n\n**Nov 24**\n\n* c\n")
    empty = tmp_path / "readme.md"
    empty.write_text("# About this folder\n\nNothing dated here.\n")
    db = tmp_path / "untouched.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "check-notes", "-v", str(notes), str(empty)])
    lines = result.output.splitlines()
    assert lines[0].endswith("foo-2020.md: 2 meetings (0 cancelled), 1 undated sections, 1 date-like lines rejected")
    assert "line     3  2020-12-08  'Dec 8'" in lines[1] and "line    11  2020-11-24  'Nov 24'" in lines[2]
    assert "line     7  a range of dates: 'May 20 - 23, 2020'" in lines[3]
    assert "readme.md: readme.md: no dated meeting found" in result.output
    assert result.exit_code == 1 and "1 file with no dated meeting" in result.output
    assert not db.exists()
    as_json = CliRunner().invoke(cli, ["check-notes", "--json", str(notes)])
    report = json.loads(as_json.output)[0]
    assert [s["date"] for s in report["starts"]] == ["2020-12-08", "2020-11-24"]
    assert report["rejected"] == [{"line": 7, "text": "May 20 - 23, 2020", "reason": "a range of dates"}]


def test_a_deeper_dated_heading_out_of_order_is_a_topic_not_a_meeting() -> None:
    doc = parse("# Foo\n\n## Dec 5, 2022\n\n### Jan 10, 2023 release plan\n\n* cut the branch\n\n"
                "### Nov 30, 2022\n\n* in order, deeper: a meeting written one level down\n\n"
                "## Nov 21, 2022\n\n* b\n", "foo.md")
    assert dates(doc) == ["2022-12-05", "2022-11-30", "2022-11-21"]
    assert meeting(doc, "2022-12-05").items[0].text.endswith("Jan 10, 2023 release plan")


# Dialects written after the parser, as held-out checks (first scoring: 13 of 17 meetings found,
# none invented, no cancellation wrong; an oldest-first doc of bold dates, `Aug 22nd - 1.28 release
# retro` read as a range, and `(EMEA)` not taken as a series were then fixed).
HELD_OUT = {
    "wg-oldest-first-bold-dates.md": [("2023-05-04", False, ""), ("2023-05-18", False, ""),
                                      ("2023-06-01", True, ""), ("2023-06-15", False, "")],
    "two-series-slashed-iso.md": [("2023-04-13", False, "EMEA"), ("2023-04-12", False, "APAC"),
                                  ("2023-04-06", False, "EMEA"), ("2023-04-05", True, "APAC")],
    "plain-weekday-day-first.md": [("2023-09-14", False, ""), ("2023-09-07", True, ""), ("2023-08-31", False, "")],
    "dotted-day-first.md": [("2023-09-11", False, ""), ("2023-09-04", True, ""), ("2023-08-28", False, "")],
    "year-from-title.md": [("2023-09-05", False, ""), ("2023-08-29", True, ""), ("2023-08-22", False, "")],
    # A second batch, scored once the same way: 5 of 10 found, none invented; `Meeting of 10 January
    # 2024`, `Week of Jan 3`, `Minutes of 2024-03-12` were read as dates inside sentences, and
    # `16:00 UTC` as a series; then fixed.
    "record-labels-and-rollover.md": [("2024-01-17", True, ""), ("2024-01-10", False, ""), ("2024-01-03", False, ""),
                                      ("2023-12-20", False, "")],
    "dotted-iso-with-times.md": [("2024-02-07", False, ""), ("2024-01-31", True, ""), ("2024-01-24", False, "")],
    "minutes-of-plain-lines.md": [("2024-03-12", False, ""), ("2024-03-05", False, ""), ("2024-02-27", False, "")],
    # Written while adding year headings (not held out): `## 2024` / `## 2023` above year-less dates.
    "year-section-headings.md": [("2024-01-09", False, ""), ("2023-12-12", False, ""), ("2023-11-28", False, "")],
}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_dialects(name: str) -> None:
    doc = parse((ROOT / "tests" / "fixtures" / "dialects" / name).read_text(), name)
    assert [(m.date.isoformat(), m.cancelled, m.series) for m in doc.dated if m.date] == HELD_OUT[name]
