"""The /signode grammar: text in, a platform-neutral `Reply` out, for Slack and the terminal alike.

    search TEXT | when TEXT | meeting DATE | agenda | next | add TEXT [for DATE] | remove ID | help
Bare text is a search; a question that starts with "when" is a timeline. Unknown input gets help.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from dateutil import parser as dateparser

from slackbot.search import Answer, Hit, Searcher
from slackbot.store import Store

PAGE_SIZE = 10
MAX_RESULTS = 200

HELP = """\
*signode* answers questions about SIG Node's meeting notes (2015 to today).
• `/signode search runtimeclass` – agenda items, typo-tolerant (`runtimclass`, `side-car`, `NFD`)
• `/signode when was sandboxes discussed` – a timeline: first, last, every meeting
• `/signode meeting 2018-06-12` – what was on that day's agenda
• `/signode what did dashpole present` · `/signode pr 63170` · `/signode june 2018`
• `/signode agenda` – the next meeting and its agenda so far
• `/signode add Pod overhead KEP review` – add an item to the next meeting (`for 2026-12-08` to pick one)
• `/signode help` – this message"""


@dataclass
class Entry:
    """One line of an answer: an agenda item with its meeting."""

    date: str | None
    meeting: str
    text: str
    owners: list[str] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    cancelled: bool = False
    context: str = ""

    @classmethod
    def from_hit(cls, hit: Hit) -> Entry:
        return cls(hit.date, hit.meeting, hit.text, hit.owners, hit.links, hit.url, hit.cancelled, hit.context)


@dataclass
class Reply:
    """What signode says back. `command` and `page` let a "More" button ask for the next page."""

    kind: str
    headline: str  # a template: user text goes in `args` so Slack rendering can escape it
    entries: list[Entry] = field(default_factory=list)
    footer: str = ""
    command: str = ""
    page: int = 0
    total: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    args: tuple[str, ...] = ()

    def headline_text(self) -> str:
        return self.headline.format(*self.args) if self.args else self.headline

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    def as_text(self) -> str:
        """The reply for a terminal: plain lines, no markup."""
        lines = [_plain(self.headline_text())]
        last_date: object = object()
        for e in self.entries:
            if e.date != last_date and self.kind in ("when", "search", "meeting"):
                status = " (cancelled)" if e.cancelled else ""
                lines.append(f"{e.date or 'undated'} · {e.meeting}{status}  {e.url}".rstrip())
                last_date = e.date
            owners = f" [{', '.join(e.owners)}]" if e.owners else ""
            lines.append(f"  • {e.text}{owners}")
            if e.context:
                lines.append(f"      … {e.context}")
            for link in e.links[:5]:
                label = link.get("label") or link.get("ref") or ""
                lines.append(f"      {label}: {link['url']}" if label else f"      {link['url']}")
        if self.has_more:
            lines.append(f"… {self.total - (self.page + 1) * PAGE_SIZE} more (use --page {self.page + 1})")
        if self.footer:
            lines.append(_plain(self.footer))
        return "\n".join(lines)


def _plain(text: str) -> str:
    return re.sub(r"[*`]", "", text)


class Commands:
    """Parses command text and answers it from the store."""

    def __init__(self, store: Store, searcher: Searcher | None = None) -> None:
        self.store = store
        self.searcher = searcher or Searcher(store)

    def handle(self, text: str, now: dt.datetime | None = None, page: int = 0) -> Reply:
        now = now or dt.datetime.now(dt.UTC)
        text = " ".join((text or "").split())
        word, _, rest = text.partition(" ")
        verb = word.lower()
        if not text or verb in ("help", "-h", "--help", "?"):
            return Reply("help", HELP)
        if verb == "search":
            return self.search(rest, now, page, when=False) if rest else Reply("help", "Search for what?\n" + HELP)
        if verb in ("when", "timeline"):
            topic = re.sub(r"^(was|were|did|is)\s+", "", rest, flags=re.I)
            return self.search("when " + (rest or ""), now, page, when=True) if topic else Reply("help", HELP)
        if verb in ("meeting", "on"):
            return self.meeting(rest)
        return self.search(text, now, page, when=None)

    def search(self, text: str, now: dt.datetime, page: int = 0, when: bool | None = None) -> Reply:
        answer = self.searcher.search(text, now, limit=MAX_RESULTS)
        is_when = answer.query.when if when is None else when
        command = ("when " if is_when and not answer.query.when else "") + text
        if not answer.found:
            return self._nothing(answer, command)
        return self._timeline(answer, command, page) if is_when else self._results(answer, command, page)

    def _nothing(self, answer: Answer, command: str) -> Reply:
        footer = ""
        if answer.suggestions:
            footer = "Did you mean: " + ", ".join(f"`{s}`" for s in dict.fromkeys(answer.suggestions)) + "?"
        return Reply("nothing", answer.message or "Nothing found.", footer=footer, command=command)

    def _results(self, answer: Answer, command: str, page: int) -> Reply:
        hits = answer.hits
        shown = hits[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        meetings = len({h.date for h in hits})
        headline = f"*{len(hits)}* agenda item{'s' if len(hits) != 1 else ''} in *{meetings}* meeting" \
                   f"{'s' if meetings != 1 else ''} for “{{}}”"
        return Reply("search", headline, [Entry.from_hit(h) for h in shown], _ignored(answer), command, page,
                     len(hits), args=(answer.query.raw,))

    def _timeline(self, answer: Answer, command: str, page: int) -> Reply:
        groups = answer.timeline()
        dated = [d for d, _ in groups if d]
        firsts = [hits[0] for _, hits in groups]
        shown = firsts[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        topic = " ".join(answer.query.terms) or answer.query.raw
        if dated:
            headline = (f"“{{}}” came up in *{len(dated)}* meeting{'s' if len(dated) != 1 else ''}: "
                        f"first *{min(dated)}*, last *{max(dated)}*")
        else:
            headline = "“{}” is only in undated sections (such as Future)"
        return Reply("when", headline, [Entry.from_hit(h) for h in shown], _ignored(answer), command, page,
                     len(firsts), {"first": min(dated) if dated else None, "last": max(dated) if dated else None,
                                   "meetings": len(dated)}, args=(topic,))

    def meeting(self, text: str) -> Reply:
        day = parse_day(text)
        if day is None:
            return Reply("help", "“{}” is not a date I can read. Try `/signode meeting 2018-06-12`.", args=(text,))
        meetings = self.store.meetings_on(day)
        if not meetings:
            near = self.store.nearest_meetings(day)
            footer = "Nearest meetings: " + ", ".join(near) if near else ""
            return Reply("nothing", f"No meeting on {day.isoformat()} in the notes.", footer=footer)
        ids = [m["id"] for m in meetings]
        items = self.store.agenda_items(ids)
        rows = self.store.hits([r["id"] for r in items])
        entries = [Entry(rows[r["id"]]["date"], rows[r["id"]]["meeting"], rows[r["id"]]["text"],
                         rows[r["id"]]["owners"], rows[r["id"]]["links"], rows[r["id"]]["url"],
                         bool(rows[r["id"]]["cancelled"])) for r in items if r["id"] in rows]
        m = meetings[0]
        status = f" – cancelled ({m['cancel_reason']})" if m["cancelled"] else ""
        headline = f"*{day.strftime('%a %b %-d, %Y')}*{{}}: {len(entries)} agenda item" \
                   f"{'s' if len(entries) != 1 else ''}"
        return Reply("meeting", headline, entries, data={"url": m["url"]}, args=(status,))


def parse_day(text: str) -> dt.date | None:
    """A calendar date from `2018-06-12`, `June 12 2018`, `12 Jun 2018`; None if unreadable."""
    text = text.strip()
    if not text or len(text) > 40 or not re.search(r"\d", text):
        return None
    try:
        return dateparser.parse(text, default=dt.datetime(dt.date.today().year, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def _ignored(answer: Answer) -> str:
    notes = list(answer.query.notes)
    if answer.ignored:
        notes.append("Ignored: " + ", ".join(f"“{w}”" for w in answer.ignored) + " (no item matched every word).")
    return " ".join(notes)
