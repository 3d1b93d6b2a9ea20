"""Find agenda items for a question: typo-tolerant terms, acronyms, people, refs and dates.

How a question is matched (learned from Meilisearch and Typesense):
- every term must match (AND); each term may match its exact word, its stem (FTS5 porter), a spelling
  within 1 typo from 5 letters or 2 from 9 when the word itself is not in the notes, an acronym's long
  form or the reverse, and the last term also as a prefix; `runtime class`, `runtime-class` and
  `RuntimeClass` meet through the compound words indexed by text.index_text;
- FTS5 (bm25 over the item's own text, its discussion, its people and its link refs, in that weight)
  proposes candidates; rapidfuzz reranks by how well the item's own line matches;
- hits are grouped by meeting; a term that matches nothing anywhere makes the answer "nothing found"
  with "did you mean" words from the vocabulary, never a list of weak guesses.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from slackbot.query import Query, parse_query
from slackbot.store import Store

CANDIDATES = 400
PLURAL = re.compile(r"\b(\w{3,}?)(?:es|s)\b")
RELATIVE_CUTOFF = 0.3

# Acronyms the notes use without spelling out; the notes' own "Long Form (LF)" pairs are added at load.
GLOSSARY = {
    "nfd": ["node feature discovery"], "npd": ["node problem detector"], "cri": ["container runtime interface"],
    "kep": ["kubernetes enhancement proposal"], "gmsa": ["group managed service account"],
    "userns": ["user namespace", "user namespaces"], "dra": ["dynamic resource allocation"],
    "vpa": ["vertical pod autoscaler", "vertical pod autoscaling"], "hpa": ["horizontal pod autoscaler"],
    "pleg": ["pod lifecycle event generator"], "csi": ["container storage interface"], "oom": ["out of memory"],
    "cni": ["container network interface"], "cdi": ["container device interface"], "e2e": ["end to end"],
    "psp": ["pod security policy"], "qos": ["quality of service"], "ga": ["general availability"],
    "ipvs": ["ip virtual server"], "lts": ["long term support"], "numa": ["non uniform memory access"],
    "gpu": ["graphics processing unit"], "oci": ["open container initiative"],
    "crd": ["custom resource definition"], "kpi": ["key performance indicator"], "rc": ["release candidate"],
    "vm": ["virtual machine"], "ci": ["continuous integration"], "ippr": ["in place pod resize"],
    "pid": ["process id"],
}


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date, "meeting": self.meeting, "text": self.text, "owners": self.owners,
            "links": self.links, "url": self.url, "cancelled": self.cancelled, "score": round(self.score, 2),
            "context": self.context,
        }


@dataclass
class Answer:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def found(self) -> bool:
        return bool(self.hits)

    def meetings(self) -> list[tuple[str | None, list[Hit]]]:
        """Hits grouped by meeting date, in the order of each meeting's best hit."""
        groups: dict[str | None, list[Hit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.date, []).append(hit)
        return list(groups.items())

    def timeline(self) -> list[tuple[str | None, list[Hit]]]:
        """Meetings that touched the topic, newest first; undated sections last."""
        return sorted(self.meetings(), key=lambda g: (g[0] is not None, g[0] or ""), reverse=True)


class Searcher:
    """Answers questions over one store; caches the vocabulary until the store's sources change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version: tuple[Any, ...] | None = None
        self.vocab: dict[str, int] = {}
        self.words: list[str] = []
        self.alphabetical: list[str] = []
        self.owners: dict[str, int] = {}
        self.expansions: dict[str, list[str]] = {}
        self.contractions: dict[tuple[str, ...], str] = {}

    def _refresh(self) -> None:
        version = tuple(self.store.db.execute(
            "SELECT COUNT(*), MAX(id), MAX(ingested_at) FROM sources").fetchone())
        if version == self._version:
            return
        self.vocab = self.store.vocabulary()
        self.words = sorted(self.vocab, key=lambda w: -self.vocab[w])
        self.alphabetical = sorted(self.vocab)
        self.owners = self.store.owner_names()
        pairs = {(short, long) for short, longs in GLOSSARY.items() for long in longs} | self.store.acronyms()
        self.expansions, self.contractions = {}, {}
        for short, long in pairs:
            self.expansions.setdefault(short, []).append(long)
            self.contractions[tuple(long.split())] = short
        self._version = version

    # -- term expansion -------------------------------------------------------------------------
    def typo_budget(self, word: str) -> int:
        return 0 if len(word) < 5 else 1 if len(word) < 9 else 2

    def corrections(self, word: str) -> list[str]:
        """Vocabulary words within the typo budget, closest and most frequent first."""
        budget = self.typo_budget(word)
        if budget == 0 or not word.isalpha():
            return []
        found = process.extract(word, self.words, scorer=OSA.distance, score_cutoff=budget, limit=8)
        found = [f for f in found if f[0][:1] == word[:1] or f[1] <= 1]
        found.sort(key=lambda f: (f[1], -self.vocab.get(f[0], 0)))
        return [f[0] for f in found[:4]]

    def suggest(self, word: str) -> list[str]:
        """Looser neighbours for "did you mean", only among words used more than once."""
        found = process.extract(word, self.words, scorer=fuzz.ratio, score_cutoff=70, limit=10)
        return [f[0] for f in found if self.vocab.get(f[0], 0) > 1 and f[0] != word][:3]

    def known(self, word: str) -> bool:
        return word in self.vocab or (word.isdigit() and len(word) >= 3)

    def alternatives(self, term: str, last: bool) -> list[str] | None:
        """FTS5 alternatives for one term, or None when the term matches nothing in the notes."""
        parts = [p for p in term.split("-") if p]
        if len(parts) > 1:
            joined = "".join(parts)
            compound = ["(" + " AND ".join(_q(p) for p in parts) + ")"] if all(self.known(p) for p in parts) else []
            compound += [_q(joined)] if self.known(joined) else []
            return compound or None
        alts: list[str] = []
        if self.known(term):
            alts.append(_q(term))
            if self.vocab.get(term, 0) <= 2:  # a typo in the notes themselves: add the common spelling
                alts += [_q(w) for w in self.corrections(term) if self.vocab.get(w, 0) >= 10 * self.vocab[term]]
        else:
            alts += [_q(w) for w in self.corrections(term)]
            if _stem_known(term, self.vocab):
                alts.append(_q(term))
        for long in self.expansions.get(term, []):
            alts.append(_q(long))
        if last and len(term) >= 3 and term.isalpha():
            at = bisect.bisect_right(self.alphabetical, term)
            if at < len(self.alphabetical) and self.alphabetical[at].startswith(term):
                alts.append(_q(term) + "*")
        return alts or None

    def canonical(self, term: str) -> str:
        """The spelling a term most likely meant: itself if the notes use it, else its best correction."""
        if self.known(term) or _stem_known(term, self.vocab) or "-" in term:
            return term.replace("-", " ")
        fixes = self.corrections(term)
        return fixes[0] if fixes else term

    def groups(self, terms: list[str]) -> tuple[list[str], list[str]]:
        """AND-groups for the terms, and the terms that matched nothing."""
        groups: list[str] = []
        unmatched: list[str] = []
        i = 0
        while i < len(terms):
            span = self._long_form_at(terms, i)
            if span:
                n, short = span
                groups.append(f"({_q(' '.join(terms[i:i + n]))} OR {_q(short)})")
                i += n
                continue
            term = terms[i]
            nxt = terms[i + 1] if i + 1 < len(terms) else None
            if nxt and (term + nxt) in self.vocab and term + nxt not in terms:
                pair = f"({_q(term)} AND {_q(nxt)})" if self.known(term) and self.known(nxt) else ""
                groups.append(f"({pair + ' OR ' if pair else ''}{_q(term + nxt)})")
                i += 2
                continue
            alts = self.alternatives(term, last=i == len(terms) - 1)
            if alts is None:
                unmatched.append(term)
            else:
                groups.append("(" + " OR ".join(alts) + ")")
            i += 1
        return groups, unmatched

    def _long_form_at(self, terms: list[str], i: int) -> tuple[int, str] | None:
        for n in (5, 4, 3, 2):
            short = self.contractions.get(tuple(terms[i:i + n])) if i + n <= len(terms) else None
            if short:
                return n, short
        return None

    def person_names(self, who: str) -> list[str]:
        """Owner names that a typed name refers to: exact, a word of it, a prefix, or one typo."""
        who = who.lower().lstrip("@")
        names = [n for n in self.owners if n == who or who in n.split() or (len(who) >= 4 and n.startswith(who))]
        if not names and len(who) >= 5:
            names = [f[0] for f in process.extract(who, list(self.owners), scorer=OSA.distance, score_cutoff=1)]
        return names

    # -- answering ------------------------------------------------------------------------------
    def search(self, text: str, now: dt.datetime | None = None, limit: int = 10) -> Answer:
        now = now or dt.datetime.now(dt.UTC)
        self._refresh()
        query = parse_query(text, now)
        answer = Answer(query)
        if query.empty:
            answer.message = "Nothing to search for: type a topic, a person, a PR number or a date."
            return answer
        terms = list(query.terms)
        people_terms = [t for t in terms if t in self.owners and t not in self.vocab]
        terms = [t for t in terms if t not in people_terms]
        people = [n for who in [*query.people, *people_terms] for n in self.person_names(who)]
        if (query.people or people_terms) and not people:
            answer.unmatched += [*query.people, *people_terms]
        groups, unmatched = self.groups(terms)
        answer.unmatched += unmatched
        if answer.unmatched:
            answer.suggestions = [s for w in answer.unmatched for s in self.suggest(w)]
            answer.message = "Nothing found for " + ", ".join(f"“{w}”" for w in answer.unmatched) + "."
            return answer
        if people:
            groups.append("(" + " OR ".join(f"people : {_q(n)}" for n in people) + ")")
        scored = self._candidates(query, groups)
        while not scored and len(groups) > 2 and len(terms) >= 3 and not people:
            # A long question no single item answers whole: drop words from the end, as Meilisearch does.
            answer.ignored.append(terms.pop())
            groups, _ = self.groups(terms)
            scored = self._candidates(query, groups)
        scored = self._filter_dates(query, scored)
        answer.hits = self._rank(query, [self.canonical(t) for t in terms], scored, limit)
        if terms and not people and (" ".join(terms) in self.owners or all(t in self.owners for t in terms)):
            answer.hits = self._owned_first(query, terms, answer.hits, limit)
        if not answer.hits:
            answer.message = "Nothing found" + (" in that period." if query.dates else ".")
        return answer

    def _owned_first(self, query: Query, terms: list[str], hits: list[Hit], limit: int) -> list[Hit]:
        """A bare name (`marquiz`, `dawn`) lists what that person owned, newest first, then mentions."""
        names = {n for t in [" ".join(terms), *terms] for n in self.person_names(t)}
        group = "(" + " OR ".join(f"people : {_q(n)}" for n in sorted(names)) + ")"
        owned = self._rank(query, [], self._filter_dates(query, self._candidates(query, [group])), limit)
        seen = {h.item_id for h in owned}
        return (owned + [h for h in hits if h.item_id not in seen])[: max(limit, len(owned))]

    def phrases(self, terms: list[str]) -> list[str]:
        """The typed words and their acronym/long-form twins, for scoring how well an item matches."""
        base = " ".join(terms)
        out = [base]
        for t in terms:
            out += [base.replace(t, long) for long in self.expansions.get(t, [])]
        for long, short in self.contractions.items():
            phrase = " ".join(long)
            if phrase in base:
                out.append(base.replace(phrase, short))
        return list(dict.fromkeys(out))

    def _candidates(self, query: Query, groups: list[str]) -> dict[int, float]:
        """Candidate agenda items with a relevance in [0, 1] (bm25 normalised, or 1 for exact lookups)."""
        scored: dict[int, float] = {}
        if groups:
            rows = self.store.fts(" AND ".join(groups), CANDIDATES)
            best = max((-r for _, r in rows), default=1.0) or 1.0
            scored = {item: max(-rank, 0.0) / best for item, rank in rows}
        if query.refs or query.numbers:
            by_ref = self.store.items_by_ref(query.refs, query.numbers, CANDIDATES)
            in_text = [_q(n) for n in query.numbers] + [_q(r.replace("-", " ")) for r in query.refs
                                                        if r.startswith("KEP-")]
            number_rows = self.store.fts(" OR ".join(in_text), CANDIDATES) if in_text else []
            ids = set(by_ref) | {i for i, _ in number_rows}
            scored = {i: 1.0 for i in ids} if not groups else {i: s for i, s in scored.items() if i in ids}
        if not groups and not (query.refs or query.numbers) and query.dates:
            for r in query.dates:
                scored.update({i: 1.0 for i in self.store.items_between(r.start, r.end, CANDIDATES)})
        return scored

    def _filter_dates(self, query: Query, scored: dict[int, float]) -> dict[int, float]:
        if not query.dates or not scored:
            return scored
        dates = self.store.item_dates(list(scored))
        keep = {}
        for item, score in scored.items():
            day = dates.get(item)
            if day and any(r.contains(dt.date.fromisoformat(day)) for r in query.dates):
                keep[item] = score
        return keep

    def _rank(self, query: Query, terms: list[str], scored: dict[int, float], limit: int) -> list[Hit]:
        if not scored:
            return []
        texts = self.store.item_texts(list(scored))
        phrase = " ".join(terms)
        variants = self.phrases(terms) if terms else []
        adjacency = _phrase_pattern(variants) if len(variants) > 1 or len(terms) > 1 else None
        ranked: list[tuple[float, int]] = []
        together: set[int] = set()  # items where the words stand side by side (Meilisearch's proximity rule)
        for item, relevance in scored.items():
            own, body, _people = texts.get(item, ("", "", ""))
            own, body = own.lower(), body.lower()
            similarity = max((fuzz.token_set_ratio(p, own) / 100 for p in variants), default=1.0)
            adjacent = 0.0
            if adjacency:  # the words side by side beat the words scattered
                adjacent = 1.0 if adjacency.search(own) else 0.6 if adjacency.search(body) else 0.0
            if adjacent:
                together.add(item)
            ranked.append((0.4 * relevance + 0.3 * similarity + 0.3 * adjacent, item))
        ranked.sort(key=lambda r: (r[1] not in together, -r[0]))
        top = max(r[0] for r in ranked)
        ranked = [r for r in ranked if r[0] >= RELATIVE_CUTOFF * top]
        if not terms:  # a lookup by person, ref or date: newest first
            dates = self.store.item_dates([i for _, i in ranked])
            ranked.sort(key=lambda r: dates.get(r[1]) or "", reverse=True)
        chosen = ranked[: max(limit, 0)] if not query.when else ranked[:max(limit, 200)]
        rows = self.store.hits([i for _, i in chosen])
        return [_hit(rows[i], s, phrase) for s, i in chosen if i in rows]


def _hit(row: dict[str, Any], score: float, phrase: str) -> Hit:
    context = ""
    if phrase and row["discussion"] and fuzz.token_set_ratio(phrase, row["text"].lower()) < 100:
        best = process.extractOne(phrase, row["discussion"], scorer=fuzz.partial_token_set_ratio)
        context = best[0] if best else ""
    return Hit(row["id"], row["date"], row["meeting"], row["text"], row["owners"], row["links"], row["url"],
               bool(row["cancelled"]), round(score * 100, 1), context)


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    """Any of the phrases, word by word, allowing plurals and hyphens between the words."""
    alternatives = []
    for phrase in phrases:
        words = [re.escape(PLURAL.sub(r"\1", w)) + r"(?:e?s)?" for w in phrase.split()]
        alternatives.append(r"\b" + r"[\s-]+".join(words) + r"\b")
    return re.compile("|".join(alternatives))


def _q(text: str) -> str:
    """Quote a word or phrase for FTS5 MATCH so no user text is ever read as syntax."""
    return '"' + text.replace('"', '""') + '"'


def _stem_known(term: str, vocab: dict[str, int]) -> bool:
    """True if a simple plural/verb form of the term is a known word (porter will match it)."""
    for suffix in ("es", "s", "ed", "ing", "ers", "er"):
        if term.endswith(suffix) and term[: -len(suffix)] in vocab:
            return True
    return False
