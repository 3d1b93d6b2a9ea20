"""Search on the real corpus: how SIG members type, and what must never happen."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slackbot.core.query import MAX_QUERY_CHARS, parse_query
from slackbot.index.search import Searcher
from slackbot.index.store import Store

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


@pytest.fixture
def searcher(corpus_store: Store) -> Searcher:
    return Searcher(corpus_store)


def dates(searcher: Searcher, text: str, limit: int = 10) -> list[str | None]:
    return [h.date for h in searcher.search(text, NOW, limit).hits]


def test_sandboxes_question_finds_the_2018_decision(searcher: Searcher) -> None:
    answer = searcher.search("when was sandboxes discussed", NOW, 50)
    assert answer.query.when
    assert {"2018-05-22", "2018-05-29", "2018-06-12"} <= {h.date for h in answer.hits}
    decision = next(h for h in answer.hits if h.date == "2018-06-12")
    assert decision.text == "Sandboxes API Decision (@tallclair)" and decision.owners == ["tallclair"]
    timeline = [d for d, _ in answer.timeline()]
    assert timeline == sorted(timeline, key=lambda d: d or "", reverse=True)


@pytest.mark.parametrize("typed", ["runtimclass", "RuntimeClass", "runtime class", "runtime-class", "runtimeclas"])
def test_runtimeclass_spellings_all_find_the_kep(searcher: Searcher, typed: str) -> None:
    assert "2018-06-26" in dates(searcher, typed, 50)


@pytest.mark.parametrize("typed, expected", [("sandboxs", "2018-06-12"), ("side-car", "2020-09-22"),
                                             ("sidecar", "2020-09-22"), ("checkpiont", "2022-03-22")])
def test_typos_and_variants(searcher: Searcher, typed: str, expected: str) -> None:
    assert expected in dates(searcher, typed, 50)


def test_short_words_get_no_typo_tolerance(searcher: Searcher) -> None:
    assert searcher.corrections("pid") == []
    assert searcher.typo_budget("cgroup") == 1 and searcher.typo_budget("checkpoint") == 2


def test_acronyms_both_ways(searcher: Searcher) -> None:
    short = set(dates(searcher, "NFD", 50))
    long = set(dates(searcher, "node feature discovery", 50))
    assert "2018-10-09" in short  # spelled out only: "Move Node Feature Discovery to kubernetes-sigs"
    assert "2018-11-06" in long  # abbreviated only: "NFD labels"
    assert "2019-01-29" in dates(searcher, "group managed service account", 50)  # gMSA, learned from the notes


def test_people(searcher: Searcher) -> None:
    owned = searcher.search("what did dashpole present", NOW, 20).hits
    assert owned and all(any(o.startswith("dashpole") or o == "david ashpole" for o in h.owners) for h in owned)
    assert [h.date for h in owned] == sorted([h.date for h in owned], key=lambda d: d or "", reverse=True)
    at = searcher.search("@tallclair", NOW, 10).hits  # the handle and the full name it is built from
    assert at and all({"tallclair", "tim allclair"} & set(h.owners) for h in at)
    assert {"tallclair", "tim allclair"} <= {o for h in at for o in h.owners}
    dawn = searcher.search("dawn", NOW, 5).hits
    assert dawn and all(any("dawn" in o for o in h.owners) for h in dawn)


@pytest.mark.parametrize("typed", ["pr 63437", "#63437", "63437", "kubernetes/kubernetes#63437",
                                   "https://github.com/kubernetes/kubernetes/pull/63437"])
def test_references(searcher: Searcher, typed: str) -> None:
    assert dates(searcher, typed) == ["2018-05-15"]


def test_community_pr_reference(searcher: Searcher) -> None:
    assert set(dates(searcher, "community pull 2290")) == {"2018-06-26", "2018-07-10"}


def test_dates_and_relative_dates(searcher: Searcher) -> None:
    assert set(dates(searcher, "june 2018", 50)) == {"2018-06-05", "2018-06-12", "2018-06-19", "2018-06-26"}
    assert set(dates(searcher, "2018-06-12")) == {"2018-06-12"}
    assert set(dates(searcher, "swap in 2021", 50)) <= {f"2021-{m:02d}-{d:02d}" for m in range(1, 13)
                                                        for d in range(1, 32)}
    recent = searcher.search("last month", dt.datetime(2025, 1, 20, tzinfo=dt.UTC), 50).hits
    assert {h.date for h in recent} == {"2024-12-24", "2024-12-31", "2025-01-07", "2025-01-14"}  # the past month


@pytest.mark.parametrize("text", ["when did we discuss blockchain", "quantum computing", "kafka consumer lag"])
def test_never_discussed_says_nothing_found(searcher: Searcher, text: str) -> None:
    answer = searcher.search(text, NOW)
    assert not answer.hits and answer.message.startswith("Nothing found for")


def test_did_you_mean(searcher: Searcher) -> None:
    answer = searcher.search("kubeletz configuratoin zzzz", NOW)
    assert not answer.hits and "zzzz" in answer.unmatched


def test_link_targets_do_not_drown_text(searcher: Searcher) -> None:
    hits = searcher.search("kubernetes", NOW, 5).hits
    assert all("kubernetes" in (h.text + " " + h.context).lower() for h in hits)


def test_long_query_is_cut_with_a_note() -> None:
    q = parse_query("swap " * 5000, NOW)
    assert len(q.raw) <= MAX_QUERY_CHARS and q.notes


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(['"', '""', "NEAR(", "NEAR(a b, 3)", "AND", "OR NOT", "*", ":", "a:b", "^x", "-", "(", ")",
                     "\x00", "\u202e", "🎉", "' OR 1=1 --", "text:foo", "{people}: x", "runtime*", "\\", "[a](b)",
                     "<!channel>", "x" * 10_000, "@", "#", "pr", "kep-", "2019-02-30", "june 99 2018"]),
    st.lists(st.sampled_from(["swap", "NEAR(", '"', "AND", "*", "@dawn", "#1", "june", "2018", ":", "🎉", "("]),
             max_size=12).map(" ".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_no_query_text_raises(searcher: Searcher, text: str) -> None:
    answer = searcher.search(text, NOW)
    assert answer.hits or answer.message


@pytest.mark.parametrize("split, recall_min, precision_min, mrr_min", [
    ("base", 0.95, 0.9, 0.9),  # the first 69 questions: issue 10 must not lower them
    ("tune", 0.85, 0.85, 0.9),
    ("holdout", 0.8, 0.8, 0.8),  # issue 10's targets, on questions not looked at while building
])
def test_evaluation_meets_its_targets(corpus_store: Store, split: str, recall_min: float, precision_min: float,
                                      mrr_min: float) -> None:
    """The README's tables, as a test: recall@10, precision@5, MRR, never-discussed, per split of eval/."""
    import yaml

    from scripts.evaluate import ROOT, scores, signode_system

    system = signode_system(corpus_store)
    queries = [q for q in yaml.safe_load((ROOT / "eval" / "queries.yaml").read_text())
               if q.get("split", "base") == split]
    assert len(queries) >= 30
    judged = [(q, scores(system(str(q["query"])), set(q["relevant"]))) for q in queries if q["category"] != "never"]
    recall, precision, mrr = (sum(s[i] for _, s in judged) / len(judged) for i in range(3))
    assert recall >= recall_min and precision >= precision_min and mrr >= mrr_min, (recall, precision, mrr)
    typo = [s[0] for q, s in judged if q["category"] in ("typo", "typos")]
    assert sum(typo) / len(typo) >= 0.85
    assert all(not system(str(q["query"])) for q in queries if q["category"] == "never")
