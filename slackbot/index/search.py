"""Find agenda items for a question, in the person's own words: graded, not all-or-nothing.

How a question is matched (learned from Meilisearch, Typesense and BM25):
- the question is cut into terms (terms.py); words that carry no topic are dropped: question words and
  fillers (query.py's list) and the words most common in these notes (in over a quarter of all items);
- each term is weighted by how informative it is (idf), may match its stem, a spelling within 1 typo
  from 5 letters or 2 from 9, a compound (`run time class`), a prefix (last word), and its other names
  (acronyms, the glossary, long forms the notes define) at a lower weight;
- FTS5 proposes candidates (items with every term, then items with any), and each candidate is scored
  by how much of the question's weight it covers (in its own line, or in its discussion), how much its
  meeting covers (two topics in one meeting beat one), whether the words stand side by side, bm25, and
  how well its line reads like the question;
- a question whose most informative words the notes never use is "nothing found" (with "did you mean"),
  and one that no meeting covers whole says so ("Nothing matched all of …; closest:").
People (a handle, a full name, a first name, a Slack user) go through the people directory, dates and
scopes (`since 2022`, `recently`) through query.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from slackbot.core.glossary import expansions
from slackbot.core.people import Directory, Form, SlackProfile
from slackbot.core.query import Query, parse_query
from slackbot.core.terms import Term, Vocabulary, phrase_terms, quote
from slackbot.index import lexicon
from slackbot.index.store import Store

CANDIDATES = 400
RANKED = 150  # candidates scored in Python: the best by bm25 when FTS5 proposes more
FINE_RANKED = 60  # of those, the best by coverage get proximity and likeness scores too
PLURAL = re.compile(r"\b(\w{3,}?)(?:es|s)\b")
COMMON_SHARE = 0.25  # a word in more than this share of all items names no topic
UNKNOWN_SHARE = 0.4  # unknown words carrying this much of a question's weight: nothing found
NOTHING_BELOW = 0.5  # no meeting covers this much of the question: nothing found
OTHER_NAME = 0.85  # a term matched only through another name (glossary, acronym) counts this much
IN_DISCUSSION = 0.75  # a term found only in the discussion under an item, not in its own line
RECENT_DAYS = 365


@dataclass
class Hit:
    """One agenda item that answers the question, with everything needed to show it."""

    item_id: int
    date: str | None
    meeting: str
    text: str
    owners: list[str]
    links: list[dict[str, str]]
    url: str
    cancelled: bool
    score: float
    context: str = ""
    covered: set[str] = field(default_factory=set)  # the question's terms this item covers
    group: str = "sig-node"  # whose notes: the label when an answer spans groups
    series: str = ""

    def as_dict(self) -> dict[str, Any]:
        """One hit for `search --json` (every field a person sees, plus the score)."""
        return {
            "date": self.date, "meeting": self.meeting, "text": self.text, "owners": self.owners,
            "links": self.links, "url": self.url, "cancelled": self.cancelled, "score": round(self.score, 2),
            "context": self.context, "group": self.group, "series": self.series,
        }


@dataclass
class Answer:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    message: str = ""
    partial: bool = False  # no meeting covers the whole question: these are the closest
    missing: list[str] = field(default_factory=list)  # terms the best hit does not cover
    interpreted: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.hits)

    def as_dict(self) -> dict[str, Any]:
        """The whole answer for `search --json`: how the question was read, whether anything matched."""
        return {"query": self.query.raw, "interpreted": self.interpreted, "nothing_found": not self.hits,
                "partial": self.partial, "missing": self.missing, "message": self.message,
                "suggestions": list(dict.fromkeys(self.suggestions)), "hits": [h.as_dict() for h in self.hits]}

    def meetings(self) -> list[tuple[str | None, list[Hit]]]:
        """Hits grouped by meeting (a group's date), in the order of each meeting's best hit."""
        by_meeting: dict[tuple[str, str | None], list[Hit]] = {}
        for hit in self.hits:
            by_meeting.setdefault((hit.group, hit.date), []).append(hit)
        return [(date, hits) for (_, date), hits in by_meeting.items()]

    def timeline(self) -> list[tuple[str | None, list[Hit]]]:
        """Meetings that touched the topic, newest first; undated sections last."""
        return sorted(self.meetings(), key=lambda g: (g[0] is not None, g[0] or ""), reverse=True)


class Searcher:
    """Answers questions over one store; caches what it learns from the notes until the sources change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version: tuple[Any, ...] | None = None
        self._df: dict[str, int] = {}
        self.owners: dict[str, int] = {}
        self.other_names: dict[str, list[str]] = {}
        self.total = 1
        self.common: set[str] = set()
        self.directory = Directory([])

    def _refresh(self) -> None:
        """Reload what is learned from the notes when a source or a Slack profile changed.

        Cheap whatever the corpus size (the cold start of `signode search`): word frequencies and the
        typo index stay in SQLite (lexicon.py) and are asked per word; only owners and acronyms load.
        """
        version = tuple(self.store.conn.execute(
            "SELECT (SELECT COUNT(*) FROM sources), (SELECT MAX(id) FROM sources), (SELECT MAX(ingested_at) FROM"
            " sources), (SELECT COUNT(*) FROM slack_people), (SELECT MAX(updated_at) FROM slack_people)").fetchone())
        if version == self._version:
            return
        conn = self.store.conn
        self._df = {}
        forms = [Form(n, c, first, last) for n, c, first, last in lexicon.owner_stats(conn)]
        self.owners = {f.name: f.count for f in forms}
        self.total = max(1, lexicon.agenda_items(conn))
        self.common = lexicon.common(conn, COMMON_SHARE * self.total)
        self.other_names = expansions()
        for short, long in self.store.acronyms():
            self.other_names.setdefault(short, [])
            self.other_names.setdefault(long, [])
            if long not in self.other_names[short]:
                self.other_names[short].append(long)
            if short not in self.other_names[long]:
                self.other_names[long].append(short)
        self.directory = Directory(forms, [SlackProfile(*p) for p in self.store.profiles()])
        self._version = version

    def df(self, word: str) -> int:
        """How many agenda items use the word (0 if none), remembered until the notes change."""
        if word not in self._df:
            self._df.update({word: 0, **lexicon.frequencies(self.store.conn, [word])})
        return self._df[word]

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.df, self.total, self.corrections, self._has_prefix, self.other_names)

    # -- words ----------------------------------------------------------------------------------
    def typo_budget(self, word: str) -> int:
        return 0 if len(word) < 5 else 1 if len(word) < 9 else 2

    def corrections(self, word: str) -> list[str]:
        """Words of the notes within the typo budget, closest and most frequent first (from the typo index)."""
        budget = self.typo_budget(word)
        if budget == 0 or not word.isalpha():
            return []
        near = lexicon.near(self.store.conn, word, budget)
        found = [(w, OSA.distance(word, w)) for w in near if w != word]
        found = [(w, d) for w, d in found if d <= budget and (w[:1] == word[:1] or d <= 1)]
        found.sort(key=lambda f: (f[1], -near[f[0]]))
        self._df.update(near)
        return [w for w, _ in found[:4]]

    def suggest(self, word: str) -> list[str]:
        """Looser neighbours for "did you mean", only among words used more than once."""
        if len(word) < 4 or not word.isalpha():
            return []
        near = lexicon.near(self.store.conn, word, 2)
        scored = [(fuzz.ratio(word, w), w) for w, df in near.items() if df > 1 and w != word]
        return [w for score, w in sorted(scored, reverse=True) if score >= 70][:3]

    def _has_prefix(self, word: str) -> bool:
        return lexicon.has_prefix(self.store.conn, word)

    def person_names(self, who: str) -> list[str]:
        """Owner forms a typed name refers to (people directory), else one typo away from a form."""
        names = self.directory.resolve(who).forms
        who = who.lower().lstrip("@")
        if not names:
            names = [n for n in self.owners if who in n.split() or (len(who) >= 4 and n.startswith(who))]
        if not names and len(who) >= 5:
            names = [f[0] for f in process.extract(who, list(self.owners), scorer=OSA.distance, score_cutoff=1)]
        return [n for n in names if n in self.owners]

    def _names_in(self, words: list[str]) -> tuple[list[str], list[str]]:
        """Full names typed among the words (`dawn chen`, `sergey kanzhelev`): (other words, names)."""
        rest: list[str] = []
        names: list[str] = []
        i = 0
        while i < len(words):
            for n in (3, 2):
                span = " ".join(words[i:i + n])
                if i + n <= len(words) and all(w.isalpha() for w in words[i:i + n]) \
                        and span not in self.other_names and self._is_person(span):
                    names.append(span)
                    i += n
                    break
            else:
                rest.append(words[i])
                i += 1
        return rest, names

    def _is_person(self, span: str) -> bool:
        found = self.directory.resolve(span)
        return any(not r.startswith("first name") for r in found.reasons.values())

    # -- answering ------------------------------------------------------------------------------
    def search(self, text: str, now: dt.datetime | None = None, limit: int = 10,
               me: tuple[str, str] | None = None, groups: Sequence[str] | None = None) -> Answer:
        """Answer a question. `me` is the asker (Slack user ID, name), for "my items"; `groups` limits
        the answer to those groups' notes (None: every group)."""
        now = now or dt.datetime.now(dt.UTC)
        self._refresh()
        query = parse_query(text, now)
        answer = Answer(query)
        if query.mine and me:
            query.people += [me[0]] + ([me[1]] if me[1] else [])
        elif query.mine and not query.terms:
            answer.message = "“My items” needs to know who you are: ask in Slack, or name the person."
            return answer
        if query.empty and not query.people:
            answer.message = "Nothing to search for: type a topic, a person, a PR number or a date."
            return answer
        words, typed_names = self._names_in(list(query.terms))
        bare = words if words and (" ".join(words) in self.owners or all(w in self.owners for w in words)) else []
        people = list(dict.fromkeys(n for who in [*query.people, *typed_names] for n in self.person_names(who)))
        if (query.people or typed_names) and not people:
            answer.unmatched += [*query.people, *typed_names]
        vocab = self.vocabulary()
        terms = phrase_terms(words, vocab)
        topical = [t for t in terms if " " in t.word or t.word not in self.common]
        terms = topical or terms  # the notes' most common words name no topic, unless they are all there is
        answer.interpreted = {"terms": [t.corrected or t.word for t in terms], "people": people,
                              "dates": [[r.start.isoformat(), r.end.isoformat()] for r in query.dates],
                              "recent": query.recent}
        unknown = [t for t in terms if not t.known]
        weight = sum(t.weight for t in terms)
        if unknown and (answer.unmatched or len(unknown) == len(terms)
                        or sum(t.weight for t in unknown) >= UNKNOWN_SHARE * weight):
            answer.unmatched += [t.word for t in unknown]
        if answer.unmatched:
            answer.suggestions = [s for w in answer.unmatched for s in self.suggest(w)]
            answer.message = "Nothing found for " + ", ".join(f"“{w}”" for w in answer.unmatched) + "."
            return answer
        terms = [t for t in terms if t.known]
        if unknown:
            answer.ignored = [t.word for t in unknown]
        scored = self._filter_dates(query, self._candidates(query, terms, people, limit, groups))
        answer.hits, cover, seen = self._rank(query, terms, scored, limit, now)
        if terms and not people and bare:  # a bare name (`marquiz`, `dawn`): what they owned comes first
            answer.hits = self._owned_first(query, [" ".join(bare), *bare], answer.hits, limit, now, groups)
            cover = 1.0
        if not answer.hits or cover < NOTHING_BELOW:
            answer.hits = []
            nowhere = [t.corrected or t.word for t in terms if t.word not in seen]
            answer.message = ("Nothing found for " + ", ".join(f"“{w}”" for w in nowhere) if nowhere and terms
                              else "Nothing found") + (" in that period." if query.dates else ".")
        elif cover < 0.999 and len(terms) > 1:
            top = answer.hits[0]
            answer.missing = [t.corrected or t.word for t in terms if t.word not in top.covered]
            answer.partial = bool(answer.missing)
        return answer

    def _owned_first(self, query: Query, names: list[str], hits: list[Hit], limit: int, now: dt.datetime,
                     groups: Sequence[str] | None = None) -> list[Hit]:
        """A bare name (`marquiz`, `dawn`) lists what that person owned, newest first, then mentions;
        items under the very form typed come before those under the person's other forms."""
        forms = sorted({n for t in names for n in self.person_names(t)})
        typed = [n for n in names if n in self.owners]
        owned: list[Hit] = []
        for group in ([typed, [f for f in forms if f not in typed]] if typed else [forms]):
            if group:
                candidates = self._candidates(query, [], group, groups=groups)
                found, _, _ = self._rank(query, [], self._filter_dates(query, candidates), limit, now)
                owned += [h for h in found if h.item_id not in {o.item_id for o in owned}]
        seen = {h.item_id for h in owned}
        return (owned + [h for h in hits if h.item_id not in seen])[: max(limit, len(owned))]

    def _candidates(self, query: Query, terms: list[Term], people: list[str], limit: int = RANKED,
                    groups: Sequence[str] | None = None) -> dict[int, float]:
        """Candidate agenda items with a relevance in [0, 1] (bm25 normalised, or 1 for exact lookups)."""
        scored: dict[int, float] = {}
        alternatives = ["(" + " OR ".join(t.fts) + ")" for t in terms]
        who = "(" + " OR ".join(f"people : {quote(n)}" for n in people) + ")" if people else ""
        if alternatives or who:
            rows = self.store.fts(" AND ".join(alternatives + ([who] if who else [])), CANDIDATES, groups)
            if len(rows) < CANDIDATES and len(alternatives) > 1:
                anyof = "(" + " OR ".join(alternatives) + ")" + (f" AND {who}" if who else "")
                known = {i for i, _ in rows}
                rows += [r for r in self.store.fts(anyof, CANDIDATES, groups) if r[0] not in known]
            best = max((-r for _, r in rows), default=1.0) or 1.0
            keep = CANDIDATES if query.when else max(RANKED, 2 * limit)  # a timeline wants every meeting
            scored = {item: max(-rank, 0.0) / best for item, rank in rows[:keep]}
        if query.refs or query.numbers:
            by_ref = self.store.items_by_ref(query.refs, query.numbers, CANDIDATES, groups)
            in_text = [quote(n) for n in query.numbers] + [quote(r.replace("-", " ")) for r in query.refs
                                                           if r.startswith("KEP-")]
            number_rows = self.store.fts(" OR ".join(in_text), CANDIDATES, groups) if in_text else []
            ids = set(by_ref) | {i for i, _ in number_rows}
            scored = {i: 1.0 for i in ids} if not alternatives else {i: s for i, s in scored.items() if i in ids}
        if not alternatives and not who and not (query.refs or query.numbers) and query.dates:
            for r in query.dates:
                scored.update({i: 1.0 for i in self.store.items_between(r.start, r.end, CANDIDATES, groups)})
        return scored

    def _filter_dates(self, query: Query, scored: dict[int, float]) -> dict[int, float]:
        if not query.dates or not scored:
            return scored
        meetings = self.store.item_meetings(list(scored))
        keep = {}
        for item, score in scored.items():
            day = meetings.get(item, (None, ""))[0]
            if day and any(r.contains(dt.date.fromisoformat(day)) for r in query.dates):
                keep[item] = score
        return keep

    def phrases(self, terms: list[Term]) -> list[str]:
        """The question's words and the same with each term's other names, for proximity and similarity."""
        words = [t.corrected or t.word for t in terms]
        base = " ".join(words)
        out = [base]
        for i, t in enumerate(terms):
            out += [" ".join([*words[:i], other, *words[i + 1:]]) for other in t.other[:4]]
        return list(dict.fromkeys(out))

    def _rank(self, query: Query, terms: list[Term], scored: dict[int, float], limit: int,
              now: dt.datetime) -> tuple[list[Hit], float, set[str]]:
        """Hits in order, the best meeting coverage (1.0 for lookups by person, ref or date), and the
        terms that any candidate covers at all."""
        if not scored:
            return [], 0.0, set()
        texts = self.store.item_texts(list(scored))
        meetings = self.store.item_meetings(list(scored))
        dates = {item: date for item, (date, _) in meetings.items()}
        meeting_key = {item: (meetings.get(item, (None, ""))[1], dates.get(item)) for item in scored}  # a group's
        weight = sum(t.weight for t in terms) or 1.0
        matchers = [t.matcher() for t in terms]
        variants = self.phrases(terms)[:3] if terms else []
        adjacency = _phrase_pattern(variants) if len(terms) > 1 or len(variants) > 1 else None
        covered: dict[int, dict[str, float]] = {}
        lowered: dict[int, tuple[str, str]] = {}
        for item in scored:
            own, body, people = texts.get(item, ("", "", ""))
            own, rest = own.lower(), f"{body} {people}".lower()
            lowered[item] = (own, rest)
            found: dict[str, float] = {}
            for term, matcher in zip(terms, matchers, strict=True):
                hit = matcher.score(own, OTHER_NAME)
                if hit < 1.0:
                    hit = max(hit, IN_DISCUSSION * matcher.score(rest, OTHER_NAME))
                if hit:
                    found[term.word] = hit
            covered[item] = found
        by_meeting: dict[tuple[str, str | None], dict[str, float]] = {}
        for item, found in covered.items():
            merged = by_meeting.setdefault(meeting_key[item], {})
            for word, value in found.items():
                merged[word] = max(merged.get(word, 0.0), value)
        weights = {t.word: t.weight for t in terms}

        def share(found: dict[str, float]) -> float:
            return sum(weights[w] * v for w, v in found.items()) / weight if terms else 1.0

        ranked: list[tuple[float, int]] = []
        best_meeting = 0.0
        meeting_of: dict[int, float] = {}  # how much of the question the item's meeting touched at all
        for item, relevance in scored.items():
            item_cover = share(covered[item])
            meeting_cover = share(by_meeting.get(meeting_key[item], {}))
            meeting_of[item] = share({w: 1.0 for w in by_meeting.get(meeting_key[item], {})})
            best_meeting = max(best_meeting, meeting_cover)
            ranked.append((0.45 * item_cover + 0.25 * meeting_cover + 0.1 * relevance, item))
        ranked.sort(key=lambda r: -r[0])
        finer = []  # proximity and likeness only decide among the best: they cost most per item
        for score, item in ranked[:FINE_RANKED]:
            own, body = lowered[item]
            similarity = max((fuzz.token_set_ratio(p, own) / 100 for p in variants), default=1.0)
            adjacent = 0.0
            if adjacency:
                adjacent = 1.0 if adjacency.search(own) else 0.6 if adjacency.search(body) else 0.0
            finer.append((score + 0.12 * adjacent + 0.08 * similarity, item))
        ranked = finer + ranked[FINE_RANKED:]
        ranked.sort(key=lambda r: -r[0])
        top = ranked[0][0]
        ranked = [r for r in ranked if r[0] >= 0.4 * top] if terms else ranked
        if query.when and terms:  # a timeline counts the meetings that covered the question, not near misses
            whole = max(meeting_of.values())
            ranked = [r for r in ranked if meeting_of[r[1]] >= 0.9 * whole]
        if not terms or query.recent:  # by person, ref or date, or "recently": newest first
            soon = (now.date() - dt.timedelta(days=RECENT_DAYS)).isoformat()
            ranked.sort(key=lambda r: ((dates.get(r[1]) or "") >= soon, dates.get(r[1]) or ""), reverse=True)
        chosen = ranked[: max(limit, 0)] if not query.when else ranked[:max(limit, 200)]
        rows = self.store.hits([i for _, i in chosen])
        phrase = " ".join(t.corrected or t.word for t in terms)
        hits = [_hit(rows[i], s, phrase) for s, i in chosen if i in rows]
        for h in hits:
            h.covered = set(covered.get(h.item_id, {}))
        seen = {w for found in covered.values() for w in found}
        return hits, best_meeting if terms else 1.0, seen


def _hit(row: dict[str, Any], score: float, phrase: str) -> Hit:
    context = ""
    if phrase and row["discussion"] and fuzz.token_set_ratio(phrase, row["text"].lower()) < 100:
        best = process.extractOne(phrase, row["discussion"], scorer=fuzz.partial_token_set_ratio)
        context = best[0] if best else ""
    return Hit(row["id"], row["date"], row["meeting"], row["text"], row["owners"], row["links"], row["url"],
               bool(row["cancelled"]), round(score * 100, 1), context, group=row["group_name"],
               series=row["series"])


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    """Any of the phrases, word by word, allowing plurals and hyphens between the words."""
    alternatives = []
    for phrase in phrases:
        words = [re.escape(PLURAL.sub(r"\1", w)) + r"(?:e?s)?" for w in phrase.split()]
        alternatives.append(r"\b" + r"[\s-]+".join(words) + r"\b")
    return re.compile("|".join(alternatives))
