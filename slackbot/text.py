"""Word-level text helpers shared by indexing (store) and querying (search).

Both sides must agree on what a word is, or `RuntimeClass`, `runtime class` and `runtime-class`
would stop meaning the same thing.
"""

from __future__ import annotations

import re
from collections import Counter

WORD = re.compile(r"[^\W_]+", re.UNICODE)
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")
HYPHENATED = re.compile(r"\b([^\W_]+)(?:-([^\W_]+))+\b")


def words(text: str) -> list[str]:
    """Lower-case words as FTS5's unicode61 tokenizer sees them."""
    return [w.lower() for w in WORD.findall(text)]


def variants(text: str) -> list[str]:
    """Extra words that make spelling variants meet: camelCase parts and joined hyphen compounds."""
    extra: list[str] = []
    for raw in WORD.findall(text):
        parts = CAMEL_BOUNDARY.split(raw)
        if len(parts) > 1:
            extra += [p.lower() for p in parts]
    for m in HYPHENATED.finditer(text):
        pieces = m.group(0).split("-")
        if 2 <= len(pieces) <= 3 and all(p.isalpha() for p in pieces):
            extra.append("".join(pieces).lower())
    return extra


def index_text(text: str) -> str:
    """The text as stored in the full-text index: the words plus their variants."""
    extra = variants(text)
    return text if not extra else f"{text} {' '.join(extra)}"


def vocabulary(texts: list[str]) -> Counter[str]:
    """Document frequency of every word (with variants) over the given texts."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(words(index_text(text))))
    return df
