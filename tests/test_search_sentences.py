"""Questions as SIG members type them: sentences, names, time scopes, concepts, two topics, typos.

Each example of issue 10's "Why" is here against the real 2015-2025 notes; the people directory,
time phrases (with an injected clock), the sparkline and the glossary have their own tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from slackbot.commands import Actor, Commands
from slackbot.core.charts import sparkline
from slackbot.core.glossary import CONCEPTS
from slackbot.core.people import Directory, Form, SlackProfile, handle_reason
from slackbot.core.query import parse_query
from slackbot.index.search import Searcher
from slackbot.index.store import Store
from tests.conftest import ROOT

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def searcher(corpus_db: Path) -> Iterator[Searcher]:
    store = Store(corpus_db)
    yield Searcher(store)
    store.close()


def meetings(searcher: Searcher, question: str, limit: int = 50) -> list[str]:
    return list(dict.fromkeys(h.date for h in searcher.search(question, NOW, limit).hits if h.date))


def texts(searcher: Searcher, question: str, limit: int = 10) -> list[str]:
    return [h.text.lower() + " " + (h.context or "").lower() for h in searcher.search(question, NOW, limit).hits]


# -- the examples in the issue --------------------------------------------------------------------------

def test_a_sentence_with_filler_words_finds_the_topic(searcher: Searcher) -> None:
    found = searcher.search("did anyone ever bring up the kubelet credential provider", NOW, 20)
    assert found.interpreted["terms"] == ["kubelet credential provider"]
    dates = list(dict.fromkeys(h.date for h in found.hits))
    assert len(dates) >= 6
    assert all("credential" in h.text.lower() or "credential" in h.context.lower() for h in found.hits[:5])


def test_what_was_decided_about_a_topic(searcher: Searcher) -> None:
    top = texts(searcher, "what was decided about cgroup v1 deprecation", 5)
    assert top and all(re.search(r"cgroups? ?v1", t) for t in top[:3]), top


def test_a_full_name_finds_every_form_of_the_person(searcher: Searcher) -> None:
    hits = searcher.search("what has Sergey Kanzhelev presented", NOW, 200).hits
    owners = {o for h in hits for o in h.owners}
    assert {"sergeykanzhelev", "sergey"} <= owners
    assert all({"sergeykanzhelev", "sergey", "sergey kanzhelev", "sergeykanzelev"} & set(h.owners) for h in hits)
    assert len({h.date for h in hits}) >= 60  # one meeting before the directory


def test_since_a_year_scopes_the_topic(searcher: Searcher) -> None:
    hits = searcher.search("swap since 2023", NOW, 50).hits
    assert len({h.date for h in hits}) >= 8
    assert all(h.date and h.date >= "2023-01-01" for h in hits)
    assert all("swap" in (h.text + h.context).lower() for h in hits[:5])


def test_recently_puts_the_newest_first(searcher: Searcher) -> None:
    hits = searcher.search("has the sig talked about sidecar containers recently", NOW, 20).hits
    dates = [h.date or "" for h in hits]
    assert dates and dates == sorted(dates, reverse=True)
    assert dates[0] >= "2024-01-01" and all("sidecar" in h.text.lower() for h in hits[:3])
    image = searcher.search("has the sig talked about image volumes recently", NOW, 20).hits
    assert image and (image[0].date or "") >= "2024-01-01"  # once: 2016 first


@pytest.mark.parametrize("question", ["kubernetes on mars", "did anyone ever talk about kubernetes on mars",
                                      "when did we discuss blockchain based scheduling", "emacs keybindings"])
def test_never_discussed_is_nothing_found(searcher: Searcher, question: str) -> None:
    answer = searcher.search(question, NOW, 20)
    assert not answer.hits and answer.as_dict()["nothing_found"] is True


def test_agenda_for_a_date_answers_that_meeting(corpus_store: Store) -> None:
    commands = Commands(corpus_store)
    for asked in ("agenda for feb 7 2017", "what happened on June 12, 2018", "notes from 2019-12-03"):
        reply = commands.handle(asked, NOW, actor=Actor())
        assert reply.kind == "meeting", asked
    assert "Feb 7, 2017" in commands.handle("agenda for feb 7 2017", NOW).headline_text()
    assert commands.handle("agenda", NOW).kind == "agenda"  # the next meeting, as before


def test_two_topics_prefer_meetings_where_both_came_up(searcher: Searcher, corpus_store: Store) -> None:
    dates = meetings(searcher, "cgroup v2 and swap", 50)[:3]
    for day in dates:
        rows = corpus_store.query("SELECT group_concat(i.text, ' ') AS t FROM items i JOIN meetings m ON"
                                  " m.id = i.meeting_id WHERE m.date = ?", [day])
        text = rows[0]["t"].lower()
        assert re.search(r"cgroups? ?v2|cgroupv2", text) and "swap" in text, day


def test_typos_in_several_words(searcher: Searcher) -> None:
    top = texts(searcher, "grcaeful shutdwon", 5)
    assert top and all("graceful" in t or "shutdown" in t for t in top)
    assert searcher.search("grcaeful shutdwon", NOW).interpreted["terms"] == ["graceful shutdown"]


def test_a_partial_answer_says_what_did_not_match(searcher: Searcher, corpus_store: Store) -> None:
    answer = searcher.search("swap quasar", NOW, 10)  # "quasar": a word from the notes? no: a typo? no
    assert not answer.hits and "quasar" in answer.message
    partial = searcher.search("seccomp windows hugepages", NOW, 10)
    assert partial.hits and partial.partial and partial.missing
    reply = Commands(corpus_store).handle("seccomp windows hugepages", NOW)
    assert reply.headline_text().startswith("Nothing matched all of “seccomp windows hugepages”")


def test_json_output_is_one_object_per_question(corpus_db: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "slackbot", "--db", str(corpus_db), "search", "--json",
                          "kubernetes on mars"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    answer = json.loads(out.stdout)
    assert answer["nothing_found"] is True and answer["hits"] == [] and "mars" in answer["message"]
    assert answer["interpreted"]["terms"] == ["kubernetes", "mars"]


def test_compounds_and_split_words_rejoin(searcher: Searcher) -> None:
    joined = set(meetings(searcher, "runtimeclass"))
    assert len(joined & set(meetings(searcher, "run time class"))) >= 5
    assert len(set(meetings(searcher, "user namespaces")) & set(meetings(searcher, "user name spaces"))) >= 5


# -- people -------------------------------------------------------------------------------------------

FORMS = [Form("sergeykanzhelev", 98, "2020-08-11", "2025-01-07"), Form("sergey", 43, "2020-08-04", "2025-01-07"),
         Form("dchen1107", 6, "2020-01-01", "2020-12-01"), Form("dawn", 71, "2015-12-09", "2024-11-05"),
         Form("dawnchen@google.com", 3, "2022-06-21", "2024-04-16"), Form("mrunalp", 19, "2017-01-01", "2024-01-01"),
         Form("kevin hannon", 15, "2023-01-01", "2024-12-01"), Form("kevin klues", 9, "2019-01-01", "2024-12-01"),
         Form("kevin", 7, "2019-01-01", "2024-01-01"), Form("pehunt", 30, "2019-01-01", "2024-01-01")]


@pytest.mark.parametrize("full, handle, joined", [
    ("sergey kanzhelev", "sergeykanzhelev", True), ("dawn chen", "dchen1107", True),
    ("derek carr", "derekwaynecarr", True), ("derek carr", "decarr", True), ("mrunal patel", "mrunalp", True),
    ("peter hunt", "pehunt", True), ("mike brown", "mikebrow", True), ("lantao liu", "lantaol", True),
    ("dawn chen", "dawnchen@google.com", True), ("dawn chen", "derekwaynecarr", False),
    ("sergey kanzhelev", "sergey", False), ("kevin hannon", "klueska", False)])
def test_handles_are_joined_to_full_names_by_how_people_build_them(full: str, handle: str, joined: bool) -> None:
    assert bool(handle_reason(full, handle)) is joined


def test_a_first_name_joins_only_when_unambiguous_in_its_years() -> None:
    directory = Directory(FORMS)
    sergey = directory.resolve("Sergey Kanzhelev")
    assert {"sergeykanzhelev", "sergey"} <= set(sergey.forms) and "first name" in sergey.reasons["sergey"]
    kevin = directory.resolve("Kevin Hannon")  # two Kevins active at the same time: "kevin" is ambiguous
    assert "kevin hannon" in kevin.forms and "kevin" not in kevin.forms
    dawn = directory.resolve("Dawn Chen")
    assert {"dchen1107", "dawn", "dawnchen@google.com"} <= set(dawn.forms)


def test_slack_profiles_join_the_directory() -> None:
    directory = Directory(FORMS, [SlackProfile("U0PH", "Peter Hunt", "haircommander")])
    found = directory.resolve("@U0PH")
    assert "pehunt" in found.forms and "handle" in found.reasons["pehunt"]


def test_people_command_shows_forms_and_why(corpus_db: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "slackbot", "--db", str(corpus_db), "people", "Dawn", "Chen"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert re.search(r"dchen1107\s+\d+ items, 2020–2020\s+handle: initial and last name", out.stdout), out.stdout
    missing = subprocess.run([sys.executable, "-m", "slackbot", "--db", str(corpus_db), "people", "nobody", "here"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no one called 'nobody here'" in missing.stderr


# -- time ---------------------------------------------------------------------------------------------

CLOCK = dt.datetime(2026, 3, 15, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize("question, start, end", [
    ("swap since 2022", "2022-01-01", "2026-03-15"),
    ("swap before 2021", "2014-01-01", "2020-12-31"),
    ("swap after May 2023", "2023-06-01", "2026-03-15"),
    ("swap between 2021 and 2022", "2021-01-01", "2022-12-31"),
    ("swap from 2019 to march 2020", "2019-01-01", "2020-03-31"),
    ("swap in Q3 2023", "2023-07-01", "2023-09-30"),
    ("swap this year", "2026-01-01", "2026-03-15"),
    ("swap last year", "2025-01-01", "2025-12-31"),
])
def test_time_scopes_against_an_injected_clock(question: str, start: str, end: str) -> None:
    q = parse_query(question, CLOCK)
    assert q.terms == ["swap"]
    assert [(r.start.isoformat(), r.end.isoformat()) for r in q.dates] == [(start, end)]


@pytest.mark.parametrize("question", ["kubernetes on mars", "may we discuss march madness",
                                      "the march to cgroup v2", "swap may be default"])
def test_month_names_used_as_words_are_not_dates(question: str) -> None:
    assert parse_query(question, CLOCK).dates == []


def test_recently_is_an_order_not_a_filter() -> None:
    q = parse_query("anything on evented pleg lately", CLOCK)
    assert q.recent and q.dates == [] and q.terms == ["evented", "pleg"]


# -- sparkline and glossary ---------------------------------------------------------------------------

def test_sparkline_draws_meetings_per_year() -> None:
    assert sparkline({2016: 1, 2017: 3, 2018: 9, 2019: 5, 2020: 2}) == "2016 ▂▃█▅▃ 2020"
    assert sparkline({2016: 4, 2019: 4}) == "2016 █▁▁█ 2019"  # a gap shows as a dip
    assert sparkline({2021: 2}) == "2021 █" and sparkline({}) == ""


def test_a_timeline_reply_carries_its_sparkline(corpus_store: Store) -> None:
    reply = Commands(corpus_store).handle("when was swap discussed", NOW)
    line = reply.data["sparkline"]
    assert re.fullmatch(r"2015 [▁▂▃▄▅▆▇█]{10} 2024", line), line
    assert sum(reply.data["per_year"].values()) == reply.data["meetings"]
    assert f"Meetings per year: {line}" in reply.as_text()
    from slackbot.slack.blocks import render_reply
    assert line in json.dumps(render_reply(reply), ensure_ascii=False)


def test_glossary_entries_are_in_the_notes(corpus_store: Store) -> None:
    assert len(CONCEPTS) >= 40
    text = " ".join(r["text"].lower() for r in corpus_store.query("SELECT text FROM items"))
    text = " " + re.sub(r"[^a-z0-9]+", " ", text) + " "
    absent = [forms for forms in CONCEPTS if not any(f" {f} " in text for f in forms)]
    assert absent == []
    used_both_ways = [forms for forms in CONCEPTS if sum(f" {f} " in text for f in forms) >= 2]
    assert len(used_both_ways) >= 30  # the notes themselves use more than one name for most concepts
