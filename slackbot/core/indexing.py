"""What the full-text index holds for a parsed document, computed without a database.

Each agenda item becomes one full-text row: its own text, its discussion (every line under it, depth
first, with their owners), its owners and its link refs, each with the spelling variants search needs
(`index_text`). The document's vocabulary and the acronyms it spells out come from the same texts.
Pure, so `signode ingest` can compute it in a worker process while the store writes the previous file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slackbot.core.text import acronym_pairs, index_text, strip_urls, vocabulary

if TYPE_CHECKING:
    from slackbot.core.notes import Document, Item


@dataclass
class IndexRows:
    """Full-text rows (own, discussion, people, refs), one per agenda item in document order."""

    fts: list[tuple[str, str, str, str]] = field(default_factory=list)
    vocabulary: Counter[str] = field(default_factory=Counter)
    acronyms: set[tuple[str, str]] = field(default_factory=set)


def agenda_row(root: Item) -> tuple[str, str, str, str]:
    """One agenda item's full-text row: its discussion read depth first, as it is shown."""
    body: list[str] = []
    refs: list[str] = [ref for link in root.links for ref in (link.ref, link.kind)]
    pending = list(reversed(root.children))
    while pending:  # without recursion: notes may nest thousands deep
        child = pending.pop()
        body.append(child.text)
        body.extend(child.owners)
        refs.extend(link.ref for link in child.links)
        pending += reversed(child.children)
    own, discussion = index_text(strip_urls(root.text)), index_text(strip_urls(" ".join(body)))
    return own, discussion, " ".join(root.owners), " ".join(refs)


def index_rows(doc: Document) -> IndexRows:
    rows = IndexRows()
    texts: list[str] = []
    for meeting in doc.meetings:
        for root in meeting.items:
            own, discussion, people, refs = agenda_row(root)
            rows.fts.append((own, discussion, people, refs))
            texts += [own + " " + discussion, index_text(people)]  # as indexed, for the vocabulary
    rows.vocabulary = vocabulary(texts, indexed=True)
    rows.acronyms = set().union(*(acronym_pairs(t) for t in texts)) if texts else set()
    return rows
