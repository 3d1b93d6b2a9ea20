"""Word-level text helpers shared by indexing (store) and querying (search).

Both sides must agree on what a word is, or `RuntimeClass`, `runtime class` and `runtime-class`
would stop meaning the same thing.
"""

from __future__ import annotations

import re
from collections import Counter

# Month names as notes and questions write them (dates in headings, `since May 2023`).
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
WORD = re.compile(r"[^\W_]+", re.UNICODE)
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")
HYPHENATED = re.compile(r"\b([^\W_]+)(?:-([^\W_]+))+\b")


URL = re.compile(r"https?://\S+")


def strip_urls(text: str) -> str:
    """Text without its URLs: link targets are indexed as refs, not as words of the item."""
    return URL.sub(" ", text)


def words(text: str) -> list[str]:
    """Lower-case words as FTS5's unicode61 tokenizer sees them."""
    return [w.lower() for w in WORD.findall(text)]


def variants(text: str) -> list[str]:
    """Extra words that make spelling variants meet: camelCase parts and joined hyphen compounds."""
    extra: list[str] = []
    for raw in WORD.findall(text) if CAMEL_BOUNDARY.search(text) else ():
        if raw[1:] == raw[1:].lower():
            continue  # no capital after the first letter: no camelCase boundary to split at
        parts = CAMEL_BOUNDARY.split(raw)
        if len(parts) > 1:
            extra += [p.lower() for p in parts]
    for m in HYPHENATED.finditer(text) if "-" in text else ():
        pieces = m.group(0).split("-")
        if 2 <= len(pieces) <= 3 and all(p.isalpha() for p in pieces):
            extra.append("".join(pieces).lower())
    return extra


def index_text(text: str) -> str:
    """The text as stored in the full-text index: the words plus their variants."""
    extra = variants(text)
    return text if not extra else f"{text} {' '.join(extra)}"


def vocabulary(texts: list[str], indexed: bool = False) -> Counter[str]:
    """Document frequency of every word (with variants) over the given texts (`indexed`: already
    through index_text, as the store's full-text rows are)."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(words(text if indexed else index_text(text))))
    return df


# Words start at a boundary and are at most 40 characters, so no input makes these backtrack for long.
LONG_THEN_SHORT = re.compile(
    r"(?<![\w-])((?:[A-Za-z][\w-]{0,40} +){1,5}[A-Za-z][\w-]{0,40}) ?\(([A-Za-z][A-Za-z0-9]{1,7})\)")
SHORT_THEN_LONG = re.compile(r"\b([A-Z][A-Za-z0-9]{1,7}) ?\(((?:[A-Za-z][\w-]{0,40} +){1,5}[A-Za-z][\w-]{0,40})\)")
MINOR_WORDS = {"and", "of", "for", "the", "to", "in", "on"}
# Cheap necessary conditions for the two patterns above (whitespace folding never creates either).
SHORT_IN_PARENS = re.compile(r"\(\s*[A-Za-z][A-Za-z0-9]{1,7}\s*\)")
CAPS_BEFORE_PARENS = re.compile(r"[A-Z][A-Za-z0-9]{1,7}\s*\(")


def _initials_match(short: str, long_words: list[str]) -> list[str] | None:
    """The trailing words of `long_words` whose initials spell `short`, if any."""
    letters = [c for c in short.lower() if c.isalpha()]
    for start in range(len(long_words)):
        tail = [w for w in long_words[start:] if w.lower() not in MINOR_WORDS]
        if long_words[start].lower() in MINOR_WORDS:
            continue
        if len(tail) == len(letters) and all(w[0].lower() == c for w, c in zip(tail, letters, strict=True)):
            return long_words[start:]
    return None


def acronym_pairs(text: str) -> set[tuple[str, str]]:
    """(short, long) pairs that the text defines, both lower case: ("dra", "dynamic resource allocation")."""
    pairs: set[tuple[str, str]] = set()
    if "(" not in text:
        return pairs
    long_first, short_first = SHORT_IN_PARENS.search(text), CAPS_BEFORE_PARENS.search(text)
    if not long_first and not short_first:
        return pairs  # neither pattern can match: skip the word-by-word scans (most texts)
    text = " ".join(text.split())
    for m in LONG_THEN_SHORT.finditer(text) if long_first else ():
        short = m.group(2)
        if not any(c.isupper() for c in short) or len(short) < 2:
            continue
        long_words = _initials_match(short, m.group(1).split())
        if long_words and len(long_words) >= 2:
            pairs.add((short.lower(), " ".join(long_words).lower()))
    for m in SHORT_THEN_LONG.finditer(text) if short_first else ():
        short = m.group(1)
        if sum(c.isupper() for c in short) < 2:
            continue
        long_words = _initials_match(short, m.group(2).split())
        if long_words and len(long_words) >= 2 and long_words == m.group(2).split():
            pairs.add((short.lower(), " ".join(long_words).lower()))
    return pairs
