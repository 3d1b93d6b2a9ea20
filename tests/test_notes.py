"""The notes parser on hand-written fixtures in each dialect, and on the real 2015-2025 corpus."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from slackbot.core.notes import Document, Meeting, check_is_text, clean_text, parse, parse_date_heading
from slackbot.errors import NotesError
from tests.conftest import FIXTURES, NOTES, corpus_files


def fixture(name: str) -> Document:
    return parse((FIXTURES / name).read_text(), name, year=2016 if "2016" in name else None)


def by_date(doc: Document, iso: str) -> Meeting:
    found = [m for m in doc.meetings if m.date == dt.date.fromisoformat(iso)]
    assert len(found) == 1, f"{iso}: {[m.title for m in found]}"
    return found[0]


def real(year: int) -> Document:
    path = NOTES / f"meeting-notes-{year}.md"
    return parse(path.read_text(), path.name)


# -- hand-written fixtures ------------------------------------------------------------------------

def test_2016_dialect_headings_anchors_and_plain_lines() -> None:
    doc = fixture("notes-2016-style.md")
    assert doc.title == "example-sig weekly meeting"
    dates = [m.date.isoformat() if m.date else None for m in doc.meetings]
    assert dates == [None, "2016-12-13", "2016-11-29", "2016-08-21", "2016-09-18", "2016-02-23", "2016-02-07"]
    assert doc.meetings[0].title == "Future"
    assert doc.meetings[0].items[0].owners == ["kettle"]
    assert by_date(doc, "2016-11-29").title == "Nov 29 Agenda"


def test_2016_dialect_items_tree_owners_links() -> None:
    doc = fixture("notes-2016-style.md")
    dec13 = by_date(doc, "2016-12-13")
    widget, cgroup = dec13.items
    assert widget.text == "Widget API review (@alice)"
    assert widget.owners == ["alice"]
    assert [c.text for c in widget.children] == [
        "https://github.com/kubernetes/kubernetes/pull/12345", "agreed to ship behind a feature gate"]
    link = widget.children[0].links[0]
    assert (link.kind, link.ref) == ("pr", "kubernetes/kubernetes#12345")
    assert cgroup.owners == ["bob builder", "carol chen"]
    assert by_date(doc, "2016-11-29").items[0].owners == ["dave jones"]


def test_2016_dialect_cancelled_body_split_heading_and_zoom_chat() -> None:
    doc = fixture("notes-2016-style.md")
    aug = by_date(doc, "2016-08-21")
    assert aug.cancelled and aug.cancel_reason == "Cancelled due to KubeCon Seattle"
    sept = by_date(doc, "2016-09-18")
    assert not sept.cancelled
    chat = sept.items[1]
    assert chat.text.startswith("From Erin to Everyone: (10:42 AM) I would like")
    feb = by_date(doc, "2016-02-23")
    assert feb.is_heading is False
    assert feb.items[1].links[0].kind == "kep"
    assert by_date(doc, "2016-02-07").items[0].text == "squashed heading date"


def test_2020_dialect_two_dates_cancelled_and_undated_note() -> None:
    doc = fixture("notes-2020-style.md")
    assert doc.year == 2020
    for iso in ("2020-12-22", "2020-12-29"):
        m = by_date(doc, iso)
        assert m.cancelled and m.cancel_reason == "Cancelled"
    assert by_date(doc, "2024-11-26").cancel_reason == "Canceled due to US holiday"
    assert by_date(doc, "2024-10-29").cancelled
    note = [m for m in doc.meetings if m.date is None and m.title.startswith("Dec [all dates]")]
    assert note and note[0].cancelled
    assert not any(m.date == dt.date(2025, 1, 2) for m in doc.meetings)
    assert by_date(doc, "2020-02-28").items[0].text == "odd ordinal"
    assert by_date(doc, "2020-02-25").items[0].text == "missing space before the year"


def test_2020_dialect_owner_marks_links_tables_and_recording() -> None:
    doc = fixture("notes-2020-style.md")
    dec8 = by_date(doc, "2020-12-08")
    texts = [i.text for i in dec8.items]
    assert texts[1] == "Incoming | 14"  # the HTML table, flattened
    sidecar = dec8.items[2]
    assert sidecar.text == "[dawnchen] Sidecar containers [proposal] KEP"
    assert sidecar.owners == ["dawnchen"]
    assert [(ln.kind, ln.ref, ln.label) for ln in sidecar.links] == [
        ("kep", "kubernetes/enhancements#1980", "KEP")]
    assert sidecar.children[0].owners == ["frank"]
    assert sidecar.children[1].owners == ["pohly", "klueska"]
    assert sidecar.children[1].links[0].kind == "doc"
    assert dec8.items[3].owners == ["rata"]
    assert dec8.items[3].links[0].kind == "mailing-list"
    grace = dec8.items[4]
    assert grace.owners == ["grace"] and grace.links[0].kind == "community-pr"
    assert any(i.text.startswith("Recording:") and i.links[0].url == "https://www.youtube.com/watch?v=abc_def"
               for i in dec8.items)
    nov = by_date(doc, "2020-11-24")
    assert nov.items[0].owners == ["ops@example.com"]


@pytest.mark.parametrize("heading, expected", [
    ("Dec 13 {#dec-13}", ["2018-12-13"]), ("Feb7", ["2018-02-07"]), ("Jan31", ["2018-01-31"]),
    ("August 22th, 2023", ["2023-08-22"]), ("February 25,2020", ["2020-02-25"]),
    ("\\`1Oct 29, 2024 (Canceled)", ["2024-10-29"]), ("December 24 & 31, 2019", ["2019-12-24", "2019-12-31"]),
    ("Sept. 30", ["2018-09-30"]),
])
def test_date_headings(heading: str, expected: list[str]) -> None:
    parsed = parse_date_heading(clean_text(heading), 2018)
    assert parsed is not None
    assert [d.isoformat() for d in parsed[0]] == expected


@pytest.mark.parametrize("heading", ["Dec [all dates] - meetings canceled", "Future", "Recording: x", "Feb 30",
                                     "Notes 12"])
def test_not_date_headings(heading: str) -> None:
    assert parse_date_heading(heading, 2018) is None


def test_year_less_heading_below_january_is_last_year() -> None:
    doc = parse("# Notes\n\n## Jan 7, 2025\n\n* a\n\n## Dec 31\n\n* b\n\n## Dec 17\n\n* c\n", "live.md")
    assert [m.date.isoformat() for m in doc.dated] == ["2025-01-07", "2024-12-31", "2024-12-17"]


def test_year_comes_from_explicit_year_then_name_then_title() -> None:
    text = "# SIG Notes (2019)\n\n# Mar 5\n\n* x\n"
    assert parse(text, "notes.md").dated[0].date == dt.date(2019, 3, 5)
    assert parse(text, "meeting-notes-2017.md").dated[0].date == dt.date(2017, 3, 5)
    assert parse(text, "meeting-notes-2017.md", year=2011).dated[0].date == dt.date(2011, 3, 5)
    with pytest.raises(NotesError, match="--year"):
        parse("# Notes\n\n# Mar 5\n\n* x\n", "notes.md")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"   \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    (b"<!DOCTYPE html><html><head><title>Sign in</title></head>", "HTML page"),
    (b"\xff\xfe\xfa bad", "not UTF-8"), (b"x" * (21 * 1024 * 1024), "too large"),
])
def test_refuses_what_is_not_notes(data: bytes, message: str) -> None:
    with pytest.raises(NotesError, match=message):
        check_is_text(data, "bad.md")


def test_text_without_meetings_is_refused() -> None:
    with pytest.raises(NotesError, match="no dated meeting"):
        parse("# A README\n\nSome words about nothing.\n", "README-2020.md")


# -- the real corpus: one test per dialect ------------------------------------------------------------

def test_every_corpus_file_parses_with_meetings_in_its_year() -> None:
    for path in corpus_files():
        doc = parse(path.read_text(), path.name)
        year = int(path.stem[-4:])
        assert doc.dated, path.name
        assert {m.date.year for m in doc.dated if m.date} == {year}, path.name
        dates = [m.date for m in doc.dated]
        assert len(dates) == len(set(dates)), f"{path.name}: a date appears twice"


def test_2015_plain_line_dialect() -> None:
    doc = real(2015)
    dec9 = by_date(doc, "2015-12-09")
    assert dec9.is_heading is False and dec9.items
    assert any(i.owners == ["vishnu"] for i in dec9.items)
    assert by_date(doc, "2015-11-11").cancelled
    assert [m.date.weekday() for m in doc.dated] == [2] * len(doc.dated)  # Wednesdays, never inferred


def test_2016_mixed_headings_and_plain_lines() -> None:
    doc = real(2016)
    assert by_date(doc, "2016-04-04").is_heading is False  # `April 4`, a Monday: taken as written
    assert by_date(doc, "2016-02-23").items
    assert by_date(doc, "2016-08-23").cancelled
    assert by_date(doc, "2016-11-29").title == "Nov 29 Agenda"


def test_2017_squashed_dates() -> None:
    doc = real(2017)
    for iso in ("2017-01-31", "2017-01-10", "2017-02-07"):
        assert by_date(doc, iso).title.replace(" ", "")[:5] in ("Jan31", "Jan10", "Feb7")


def test_2018_dialect_sandboxes_links_cancellations() -> None:
    doc = real(2018)
    jun12 = by_date(doc, "2018-06-12")
    sandboxes = jun12.items[0]
    assert sandboxes.text == "Sandboxes API Decision (@tallclair)"
    assert sandboxes.owners == ["tallclair"]
    may15 = by_date(doc, "2018-05-15")
    refs = {ln.ref for item in may15.items for node in item.walk() for ln in node.links}
    assert "kubernetes/kubernetes#63437" in refs
    dec11 = by_date(doc, "2018-12-11")
    assert dec11.cancelled and "KubeCon" in dec11.cancel_reason
    assert by_date(doc, "2018-11-20").cancel_reason.startswith("Meeting canceled due to USA holiday")
    assert by_date(doc, "2018-09-18").items  # the `#  \` + `Sept 18` heading
    future = [m for m in doc.meetings if m.date is None]
    assert [m.title for m in future] == ["Future"] and len(future[0].items) == 5


def test_2019_two_dates_in_one_heading() -> None:
    doc = real(2019)
    assert by_date(doc, "2019-12-24").cancelled and by_date(doc, "2019-12-31").cancelled


def test_2020_dialect_cancellations_and_owners() -> None:
    doc = real(2020)
    for iso in ("2020-12-22", "2020-12-29", "2020-12-15"):
        assert by_date(doc, iso).cancelled, iso
    dec8 = by_date(doc, "2020-12-08")
    assert any("rata" in i.owners for i in dec8.items)
    assert by_date(doc, "2020-02-25").items


def test_2021_2022_html_tables_and_plain_line_date() -> None:
    dec14 = by_date(real(2021), "2021-12-14")
    assert any(i.text.startswith("Incoming | Completed") for i in dec14.items)
    assert any(i.owners == ["pohly", "klueska"] for i in dec14.items)
    doc = real(2022)
    assert by_date(doc, "2022-12-13").is_heading is False  # `Dec 13th, 2022` as a plain line
    assert by_date(doc, "2022-12-27").cancel_reason == "Canceled for holidays"


def test_2023_odd_ordinals_and_all_dates_note() -> None:
    doc = real(2023)
    assert by_date(doc, "2023-02-28").items and by_date(doc, "2023-08-22").items
    assert by_date(doc, "2023-04-18").cancel_reason == "No call (kubecon)"
    notes = [m for m in doc.meetings if m.date is None]
    assert len(notes) == 1 and notes[0].cancelled and "all dates" in notes[0].title


def test_2024_escaped_brackets_and_stray_backtick() -> None:
    doc = real(2024)
    assert by_date(doc, "2024-11-26").cancel_reason == "Canceled due to US holiday"
    assert by_date(doc, "2024-10-29").cancelled
    assert by_date(doc, "2024-08-27").items  # after an empty `## ` heading


def test_2025_escaped_owner_marks() -> None:
    jan7 = by_date(real(2025), "2025-01-07")
    assert jan7.items[0].owners == ["tim allclair"]
    assert "KEP-4112" in " ".join(i.text for i in jan7.items)


def test_fixture_files_are_our_own(tmp_path: Path) -> None:
    corpus_lines = {ln.strip() for f in corpus_files() for ln in f.read_text().splitlines() if len(ln.strip()) > 50}
    for f in (p for p in FIXTURES.rglob("*") if p.is_file()):
        assert not [ln for ln in f.read_text().splitlines() if ln.strip() in corpus_lines], f.name
