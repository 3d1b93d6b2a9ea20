"""Agenda items written in the notes doc's own markdown, inert when pasted and read back.

An item or an author name can hold anything a person typed in Slack: a newline and `## Mar 3, 2020`
(a new meeting heading), `<!-- … -->` (an HTML comment that hides what follows), `*`, `[`, a backslash.
Each item becomes exactly one bullet line: whitespace is folded, `&`, `<`, `>` become entities and the
other markdown punctuation is backslash-escaped, so the doc shows the text as typed and
`slackbot.core.notes` reads back the same text, owner and links, with no new meeting and no cancellation.
"""

from __future__ import annotations

import datetime as dt
import re

PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~-])")
NAME_JUNK = re.compile(r"[^\w.' @-]")  # what the notes parser accepts in an owner's name


def inert(text: str) -> str:
    """One line of text that markdown and our parser both show as typed."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return PUNCTUATION.sub(r"\\\1", text)


def owner_mark(names: list[str]) -> str:
    """`[alice, bob] `: names reduced to letters, digits, spaces and `.'@-`, so the mark stays one mark."""
    clean = [" ".join(NAME_JUNK.sub(" ", n).split()) for n in names]
    clean = [n for n in clean if n]
    return f"[{', '.join(clean)}] " if clean else ""


def agenda_markdown(day: dt.date, items: list[tuple[list[str], str, list[tuple[str, str]]]]) -> str:
    """`## Dec 8, 2026` then `* [owner] item [label](url)`, one bullet per (owners, text, links) item."""
    lines = [f"## {day.strftime('%b')} {day.day}, {day.year}", ""]
    for owners, text, links in items:
        shown = " ".join(f"[{inert(label or 'link')}]({url})" for label, url in links
                         if re.fullmatch(r"https?://[^\s()<>]+", url))
        lines.append(f"* {owner_mark(owners)}{inert(text)}{' ' + shown if shown else ''}")
    return "\n".join(lines) + "\n"
