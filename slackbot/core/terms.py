"""What each word of a question can match, and how much it matters: the half of search before SQL.

A `Term` is one thing the person asked about (a word, or words that name one thing: `run time class`
-> `runtimeclass`, `dynamic resource allocation`). It carries:
- `fts`: FTS5 alternatives, each quoted (the word, its typo corrections within 1 edit from 5 letters
  and 2 from 9, a compound, a prefix for the last word) and then its other names (acronyms and the
  glossary, both ways);
- `own` / `other`: the same forms as patterns, to tell per item which terms it covers, and whether
  through the person's own words or through another name (which counts a little less);
- `weight`: how informative the word is in these notes (BM25's idf), so `kubernetes` counts little and
  `dockershim` a lot, and a word the notes never use (`mars`) weighs most of all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ers", "er", "ed", "es", "s", "e")


@dataclass
class Term:
    word: str
    fts: list[str] = field(default_factory=list)
    own: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    weight: float = 1.0
    corrected: str = ""  # the spelling the notes use, when the typed word is a typo

    @property
    def known(self) -> bool:
        return bool(self.fts)

    def matcher(self) -> Matcher:
        return Matcher(_Forms.of(self.own), _Forms.of(self.other))


@dataclass(frozen=True)
class _Forms:
    """Word forms as two patterns: the first stems as plain literals (fast to scan for), and the whole
    forms, tried only where a literal starts a word."""

    literal: re.Pattern[str]
    full: re.Pattern[str]

    @classmethod
    def of(cls, forms: list[str]) -> _Forms | None:
        forms = [f for f in dict.fromkeys(forms) if f.split()]
        if not forms:
            return None
        firsts = sorted({stem(f.split()[0]) for f in forms}, key=len, reverse=True)
        full = re.compile("|".join(_form_regex(f) for f in forms))
        return cls(re.compile("|".join(re.escape(f) for f in firsts)), full)

    def found(self, text: str) -> bool:
        for m in self.literal.finditer(text):
            start = m.start()
            if (start == 0 or not text[start - 1].isalnum()) and self.full.match(text, start):
                return True
        return False


@dataclass(frozen=True)
class Matcher:
    """Tells whether a text has a term in the person's own words (1.0) or only under another name."""

    own: _Forms | None
    other: _Forms | None

    def score(self, text: str, other_weight: float) -> float:
        if self.own and self.own.found(text):
            return 1.0
        if self.other and self.other.found(text):
            return other_weight
        return 0.0


def stem(word: str) -> str:
    """A crude stem for matching in Python what FTS5's porter stemmer matches (`containers` ~ `container`)."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _form_regex(form: str) -> str:
    """A word or phrase as a regex: each word by its stem, words joined with or without a space or hyphen
    (matched where a word starts; see _Forms.found)."""
    words = [re.escape(stem(w)) + r"\w*" for w in form.split()]
    return r"[\s-]*".join(words)


def idf(df: int, total: int) -> float:
    """BM25's inverse document frequency: rare words weigh more; an unknown word (df 0) weighs most."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def quote(text: str) -> str:
    """Quote a word or phrase for FTS5 MATCH so no user text is ever read as syntax."""
    return '"' + text.replace('"', '""') + '"'


@dataclass
class Vocabulary:
    """What the notes know: document frequencies, other names, spelling fixes, prefixes."""

    df: Callable[[str], int]
    total: int
    corrections: Callable[[str], list[str]]
    has_prefix: Callable[[str], bool]
    other_names: dict[str, list[str]]

    def known(self, word: str) -> bool:
        return self.df(word) > 0 or (word.isdigit() and len(word) >= 3)

    def stem_known(self, word: str) -> bool:
        return any(word.endswith(s) and self.df(word[: -len(s)]) > 0 for s in ("es", "s", "ed", "ing", "ers", "er"))


def build_term(word: str, vocab: Vocabulary, last: bool) -> Term:
    """Everything one typed word can match; `fts` is empty when the notes have nothing like it."""
    term = Term(word)
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1:  # `side-car`, `runtime-class`: the pieces together, or joined into one word
        joined = "".join(parts)
        if all(vocab.known(p) for p in parts):
            term.fts.append("(" + " AND ".join(quote(p) for p in parts) + ")")
            term.own.append(" ".join(parts))
        if vocab.known(joined):
            term.fts.append(quote(joined))
            term.own.append(joined)
        term.weight = idf(min((vocab.df(p) for p in [joined, *parts]), default=0), vocab.total)
        return term
    df = vocab.df(word)
    if vocab.known(word):
        term.fts.append(quote(word))
        term.own.append(word)
        if df <= 2:  # a typo in the notes themselves: add the common spelling
            common = [w for w in vocab.corrections(word) if vocab.df(w) >= 10 * max(df, 1)]
            term.fts += [quote(w) for w in common]
            term.own += common
    else:
        fixes = vocab.corrections(word)
        term.fts += [quote(w) for w in fixes]
        term.own += fixes
        term.corrected = fixes[0] if fixes else ""
        if vocab.stem_known(word):
            term.fts.append(quote(word))
            term.own.append(word)
        df = max((vocab.df(w) for w in fixes), default=0)
    for form in [word, *term.own]:
        for other in vocab.other_names.get(form, []):
            if other not in term.other and other not in term.own:
                term.other.append(other)
                term.fts.append(quote(other))
    if last and len(word) >= 3 and word.isalpha() and vocab.has_prefix(word) and not vocab.known(word) \
            and not term.fts:  # a word still being typed (`runtimecl`), not an unknown word in a sentence
        term.fts.append(quote(word) + "*")
        term.own.append(word)
    term.weight = idf(df, vocab.total)
    return term


def _singular(phrase: str) -> str:
    """The phrase with its last word in the singular (`device plugins` -> `device plugin`)."""
    head, _, last = phrase.rpartition(" ")
    for plural, single in (("ies", "y"), ("es", ""), ("s", "")):
        if last.endswith(plural) and len(last) > len(plural) + 2:
            return f"{head} {last[: -len(plural)] + single}".strip()
    return phrase


def phrase_terms(words: list[str], vocab: Vocabulary) -> list[Term]:
    """Terms for a question's words. Several words make one term when they are one name: a concept of
    the glossary or a long form the notes define (`dynamic resource allocation`, `cgroup v2`), or words
    that the notes also write joined (`run time class` -> `runtimeclass`, `graceful node shutdown` ->
    `GracefulNodeShutdown`); such a term matches the words side by side or the joined word."""
    terms: list[Term] = []
    fixed = [w if vocab.known(w) or "-" in w else (vocab.corrections(w)[:1] or [w])[0] for w in words]
    i = 0
    while i < len(words):
        for n in (5, 4, 3, 2):
            if i + n > len(words):
                continue
            pieces = [p for w in fixed[i:i + n] for p in w.split("-") if p]  # `grcaeful shutdwon` is a name too
            phrase, joined = " ".join(pieces), "".join(pieces)
            singular = _singular(phrase)
            if phrase not in vocab.other_names and singular in vocab.other_names:
                phrase = singular  # `graphics processing units` is the glossary's `graphics processing unit`
            glossary = phrase in vocab.other_names
            compound = n <= 3 and joined.isalnum() and vocab.df(joined) > 0
            if not (glossary or compound):
                continue
            term = Term(phrase, [quote(phrase)], [phrase], [])
            if compound:
                term.fts.append(quote(joined))
                term.own.append(joined)
            for other in vocab.other_names.get(phrase, []) + vocab.other_names.get(joined, []):
                if other not in term.other and other not in term.own:
                    term.other.append(other)
                    term.fts.append(quote(other))
            term.weight = max(idf(vocab.df(joined), vocab.total) if compound else 0.0,
                              sum(idf(vocab.df(p), vocab.total) for p in pieces) / len(pieces) * 1.5)
            terms.append(term)
            i += n
            break
        else:
            terms.append(build_term(words[i], vocab, last=i == len(words) - 1 and len(words) <= 2))
            i += 1
    return terms
