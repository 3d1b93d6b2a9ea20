"""The /signode grammar: text in, a platform-neutral `Reply` out, for Slack and the terminal alike.

    search TEXT | when TEXT | meeting DATE | agenda | next | add TEXT [for DATE] | remove ID | help
Bare text is a search; a question that starts with "when" is a timeline. Unknown input gets help.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from rapidfuzz import fuzz

from slackbot.core.charts import sparkline
from slackbot.core.markdown import agenda_markdown
from slackbot.groups import NO_SCHEDULE, Group, default_group
from slackbot.index.search import Answer, Hit, Searcher
from slackbot.index.store import AgendaStore, ScheduleStore, Store

PAGE_SIZE = 10
SCHEDULE_VERBS = frozenset({"agenda", "next", "add", "cancel", "uncancel"})  # need the group's next meetings
MAX_RESULTS = 200
MAX_COMMAND_CHARS = 2000
MAX_ITEM_CHARS = 1000

HELP = """\
*signode* answers questions about SIG Node's meeting notes (2015 to today).
• `/signode search runtimeclass` – agenda items, typo-tolerant (`runtimclass`, `side-car`, `NFD`)
• `/signode when was sandboxes discussed` – a timeline: first, last, every meeting
• `/signode meeting 2018-06-12` – what was on that day's agenda
• `/signode did anyone bring up the credential provider since 2021` – in your own words
• `/signode what has Sergey Kanzhelev presented` · `/signode my items` · `/signode pr 63170` · `/signode june 2018`
• `/signode agenda for feb 7 2017` – what was on a past meeting's agenda
• `/signode agenda` – the next meeting and its agenda so far
• `/signode add Pod overhead KEP review` – add an item to the next meeting (`for 2026-12-08` to pick one)
• `/signode remove 12` – remove an item you added
• `/signode cancel 2026-12-22 holidays` · `/signode uncancel 2026-12-22` – chairs only
• `/signode committee-steering when was the election discussed` – another group's notes (a group's own
  channel answers from its notes; elsewhere a search spans every group)
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
    item_id: int | None = None  # an item added from Slack: can be removed by its author
    author_id: str = ""
    group: str = ""  # the group's title, shown when an answer spans several groups

    @classmethod
    def from_hit(cls, hit: Hit, group: str = "") -> Entry:
        return cls(hit.date, hit.meeting, hit.text, hit.owners, hit.links, hit.url, hit.cancelled, hit.context,
                   group=group)

    @property
    def meeting_key(self) -> tuple[str, str | None]:
        """Entries of one meeting are shown under one meeting line: a group's date."""
        return self.group, self.date


@dataclass
class Reply:
    """What signode says back. A search reply keeps its `query` (and whether it was a timeline) and
    `page`, so "More" and "Share" can ask for a page of the same search, and never anything else."""

    kind: str
    headline: str  # a template: user text goes in `args` so Slack rendering can escape it
    entries: list[Entry] = field(default_factory=list)
    footer: str = ""
    query: str = ""  # set only on search replies: the one kind that can be paged or shared
    page: int = 0
    total: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    timeline: bool = False
    scope: str = ""  # the groups a search covered (comma-separated; "" = every group), for its buttons

    def headline_text(self) -> str:
        return self.headline.format(*self.args) if self.args else self.headline

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    def as_text(self) -> str:
        """The reply for a terminal: plain lines, no markup."""
        lines = [_plain(self.headline_text())]
        if self.data.get("sparkline"):
            lines.append(f"Meetings per year: {self.data['sparkline']}")
        last_date: object = object()
        for e in self.entries:
            if e.meeting_key != last_date and self.kind in ("when", "search", "meeting"):
                status = " (cancelled)" if e.cancelled else ""
                group = f"{e.group} · " if e.group else ""
                lines.append(f"{e.date or 'undated'} · {group}{e.meeting}{status}  {e.url}".rstrip())
                last_date = e.meeting_key
            owners = f" [{', '.join(e.owners)}]" if e.owners else ""
            number = f" (#{e.item_id})" if e.item_id else ""
            lines.append(f"  • {_clip(e.text, 400)}{owners}{number}")
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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain(text: str) -> str:
    return re.sub(r"[*`]", "", text)


@dataclass(frozen=True)
class Actor:
    """Who is asking: a Slack user (ID, display name, time zone) or the terminal's user."""

    user_id: str = "cli"
    name: str = "cli"
    tz: str = "UTC"


class Commands:
    """Parses command text and answers it from the store."""

    def __init__(self, store: Store, searcher: Searcher | None = None, group: Group | None = None,
                 groups: list[Group] | None = None) -> None:
        self.store = store
        self.searcher = searcher or Searcher(store)
        self.groups = list(groups or [group or default_group()])
        self.group = group or self.groups[0]
        self.scope: tuple[str, ...] | None = None  # groups a search covers; None: every group in the index
        self.agenda = AgendaStore(store)
        self.schedule = ScheduleStore(store)

    # -- which group a command is about ------------------------------------------------------------
    def group_for_channel(self, channel: str) -> Group | None:
        """The group whose Slack channel or Zoom channel this is (a reply in #sig-auth: SIG Auth)."""
        if not channel:
            return None
        return next((g for g in self.groups if channel in (g.channel, g.zoom_channel, *g.channels)), None)

    def known_groups(self) -> dict[str, Group | None]:
        """Groups a command may name: the configured ones, and any group whose notes are in the index."""
        known: dict[str, Group | None] = {name: None for name in self.store.group_names()}
        known.update({g.name: g for g in self.groups})
        return known

    def configured(self, name: str) -> Group:
        """The configured group of that name, else the first (a modal's metadata is only a hint)."""
        return next((g for g in self.groups if g.name == name), self.group)

    def title_of(self, name: str) -> str:
        return next((g.title for g in self.groups if g.name == name), name)

    def for_scope(self, group: Group | None, names: tuple[str, ...] | None) -> Commands:
        """This command set answering for one group (agenda, add) and searching `names` (None: all)."""
        view = copy.copy(self)
        view.group = group or self.group
        view.scope = names
        return view

    def view_for(self, text: str, channel: str = "") -> tuple[Commands, str]:
        """The group a command is about: named first (`sig-auth when was oidc discussed`), else the
        channel's group, else every group for a search (the first group for agenda, add, cancel)."""
        word, _, rest = text.partition(" ")
        known = self.known_groups()
        name = word.lower()
        configured = {g.name for g in self.groups}
        # A group only in the index must look like one (`sig-apps`), or `communication about x` would be scoped.
        if rest and (name in configured or name in known and "-" in name and len(known) > 1):
            return self.for_scope(known[name] or _notes_only(name), (name,)), rest
        home = self.group_for_channel(channel)
        if home is not None:
            return self.for_scope(home, (home.name,)), text
        return self, text

    def handle(self, text: str, now: dt.datetime | None = None, page: int = 0, actor: Actor | None = None,
               request_key: str | None = None, channel: str = "") -> Reply:
        """Answer one command. `request_key` identifies the Slack request, so a retry adds nothing twice;
        `channel` (a Slack channel ID or Zoom channel JID) picks the group it is about."""
        now = now or dt.datetime.now(dt.UTC)
        actor = actor or Actor()
        text = " ".join((text or "").split())
        if len(text) > MAX_COMMAND_CHARS:
            return Reply("help", f"That is {len(text)} characters; signode takes at most {MAX_COMMAND_CHARS}.")
        view, text = self.view_for(text, channel)
        if view is not self:
            return view.handle(text, now, page, actor, request_key)
        word, _, rest = text.partition(" ")
        verb = word.lower()
        if not text or verb in ("help", "-h", "--help", "?"):
            return Reply("help", HELP)
        if verb in SCHEDULE_VERBS and not self.group.scheduled and not DATE_REQUEST.match(text):
            return self.unscheduled()
        if verb in ("agenda", "next") and not DATE_REQUEST.match(text):
            return self.next_agenda(now, actor)
        if verb == "add":
            return self.add(rest, now, actor, request_key)
        if verb == "remove":
            return self.remove(rest, actor)
        if verb in ("cancel", "uncancel"):
            return self.cancel(rest, now, actor, undo=verb == "uncancel")
        if verb == "search":
            return self.search(rest, now, page, when=False, actor=actor) if rest \
                else Reply("help", "Search for what?\n" + HELP)
        if verb in ("when", "timeline"):
            topic = re.sub(r"^(was|were|did|is)\s+", "", rest, flags=re.I)
            return self.search("when " + (rest or ""), now, page, when=True, actor=actor) if topic \
                else Reply("help", HELP)
        if verb in ("meeting", "on"):
            return self.meeting(rest)
        asked = DATE_REQUEST.match(text)
        if asked and parse_day(asked.group("day")):
            return self.meeting(asked.group("day"))
        return self.search(text, now, page, when=None, actor=actor)

    def search(self, text: str, now: dt.datetime, page: int = 0, when: bool | None = None,
               actor: Actor | None = None) -> Reply:
        me = (actor.user_id, actor.name) if actor and actor.user_id != "cli" else None
        answer = self.searcher.search(text, now, limit=MAX_RESULTS, me=me, groups=self.scope)
        is_when = answer.query.when if when is None else when
        if not answer.found:
            reply = self._nothing(answer)
            if self.scope and len(self.known_groups()) > 1:
                reply.headline = reply.headline.rstrip(".") + f" in {self.title_of(self.scope[0])}’s notes."
            return reply
        reply = self._timeline(answer, text, page) if is_when else self._results(answer, text, page)
        reply.timeline = is_when
        reply.scope = ",".join(self.scope or ())
        if answer.partial:  # say so before the closest matches, never present them as the answer
            reply.headline = "Nothing matched all of “{}” (the closest lack “{}”): " + reply.headline
            reply.args = (" ".join(answer.interpreted.get("terms", [])), "”, “".join(answer.missing), *reply.args)
            reply.data["partial"] = True
        return reply

    def page_of(self, query: str, timeline: bool, page: int, now: dt.datetime, scope: str = "") -> Reply:
        """A page of a search, for the "More" and "Share" buttons: whatever a button carries, it can
        only ever run a read-only search (never add, remove or cancel) in groups that exist."""
        query = " ".join(query.split())
        if not query or len(query) > MAX_COMMAND_CHARS:
            return Reply("help", "That button no longer works; ask again with `/signode`.")
        known = self.known_groups()
        names = tuple(n for n in scope.split(",") if n in known)[:20] if scope else None
        view = self.for_scope(self.group, names or None)
        return view.search(query, now, max(0, min(page, MAX_RESULTS // PAGE_SIZE)), when=timeline)

    def _label(self, answer: Answer) -> dict[str, str]:
        """Group titles to show beside each hit, when the hits come from more than one group."""
        names = {h.group for h in answer.hits}
        return {n: self.title_of(n) for n in names} if len(names) > 1 else {}

    def _nothing(self, answer: Answer) -> Reply:
        footer = ""
        if answer.suggestions:
            footer = "Did you mean: " + ", ".join(f"`{s}`" for s in dict.fromkeys(answer.suggestions)) + "?"
        return Reply("nothing", answer.message or "Nothing found.", footer=footer)

    def _results(self, answer: Answer, query: str, page: int) -> Reply:
        hits = answer.hits
        shown = hits[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        meetings = len({(h.group, h.date) for h in hits})
        labels = self._label(answer)
        headline = f"*{len(hits)}* agenda item{'s' if len(hits) != 1 else ''} in *{meetings}* meeting" \
                   f"{'s' if meetings != 1 else ''} for “{{}}”"
        if labels:
            headline += f" across *{len(labels)}* groups"
        return Reply("search", headline, [Entry.from_hit(h, labels.get(h.group, "")) for h in shown],
                     _ignored(answer), query, page, len(hits), args=(answer.query.raw,))

    def _timeline(self, answer: Answer, query: str, page: int) -> Reply:
        groups = answer.timeline()
        dated = [d for d, _ in groups if d]
        firsts = [hits[0] for _, hits in groups]
        labels = self._label(answer)
        shown = firsts[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        topic = " ".join(answer.query.terms) or answer.query.raw
        if dated:
            headline = (f"“{{}}” came up in *{len(dated)}* meeting{'s' if len(dated) != 1 else ''}: "
                        f"first *{min(dated)}*, last *{max(dated)}*")
            best = list(dict.fromkeys(h.date for h in answer.hits if h.date))[:3]
            if len(dated) > PAGE_SIZE:
                headline += ". Best matches: " + ", ".join(f"*{d}*" for d in best)
        else:
            headline = "“{}” is only in undated sections (such as Future)"
        per_year: dict[int, int] = {}
        for d in dated:
            per_year[int(d[:4])] = per_year.get(int(d[:4]), 0) + 1
        if labels:
            headline += f" (in {len(labels)} groups)"
        return Reply("when", headline, [Entry.from_hit(h, labels.get(h.group, "")) for h in shown],
                     _ignored(answer), query, page,
                     len(firsts), {"first": min(dated) if dated else None, "last": max(dated) if dated else None,
                                   "meetings": len(dated), "per_year": per_year,
                                   "sparkline": sparkline(per_year)}, args=(topic,))

    def meeting(self, text: str) -> Reply:
        day = parse_day(text)
        if day is None:
            return Reply("help", "“{}” is not a date I can read. Try `/signode meeting 2018-06-12`.", args=(text,))
        meetings = self.store.meetings_on(day, self.scope)
        if not meetings:
            near = self.store.nearest_meetings(day, groups=self.scope)
            footer = "Nearest meetings: " + ", ".join(near) if near else ""
            return Reply("nothing", f"No meeting on {day.isoformat()} in the notes.", footer=footer)
        ids = [m["id"] for m in meetings]
        items = self.store.agenda_items(ids)
        rows = self.store.hits([r["id"] for r in items])
        several = len({m["group_name"] for m in meetings}) > 1  # two groups met that day: say whose is whose
        entries = [Entry(rows[r["id"]]["date"], rows[r["id"]]["meeting"], rows[r["id"]]["text"],
                         rows[r["id"]]["owners"], rows[r["id"]]["links"], rows[r["id"]]["url"],
                         bool(rows[r["id"]]["cancelled"]),
                         group=self.title_of(rows[r["id"]]["group_name"]) if several else "")
                   for r in items if r["id"] in rows]
        if several:
            headline = f"*{day.strftime('%a %b %-d, %Y')}*: {len(entries)} agenda item" \
                       f"{'s' if len(entries) != 1 else ''} in *{len({m['group_name'] for m in meetings})}* groups"
            return Reply("search", headline, entries)
        m = meetings[0]
        status = f" – cancelled ({m['cancel_reason']})" if m["cancelled"] else ""
        headline = f"*{day.strftime('%a %b %-d, %Y')}*{{}}: {len(entries)} agenda item" \
                   f"{'s' if len(entries) != 1 else ''}"
        return Reply("meeting", headline, entries, data={"url": m["url"]}, args=(status,))


    # -- the next meeting's agenda ----------------------------------------------------------------
    def upcoming(self, now: dt.datetime, count: int = 4) -> list[dt.datetime]:
        """The group's next meetings, without the ones cancelled in the notes or in Slack."""
        if not self.group.scheduled:
            return []
        cancelled = self.schedule.cancelled_dates(self.group.name, (now - dt.timedelta(days=1)).date())
        return self.group.schedule.occurrences(now, count, cancelled)

    def agenda_entries(self, day: dt.date) -> list[Entry]:
        """Items for one meeting: what the notes doc already has, then what people added in Slack.

        An item added in Slack that a later ingest finds in the doc (a fuzzy match) is shown once,
        marked "in the doc", instead of twice.
        """
        in_doc: list[Entry] = []
        meetings = self.store.meetings_on(day)
        if meetings:
            rows = self.store.hits([r["id"] for r in self.store.agenda_items([m["id"] for m in meetings])])
            in_doc = [Entry(r["date"], r["meeting"], r["text"], r["owners"], r["links"], r["url"])
                      for r in rows.values()]
        added: list[Entry] = []
        for item in self.agenda.for_meeting(self.group.name, day):
            links = [{"url": item.link, "kind": "link", "ref": "", "label": "link"}] if item.link else []
            twin = next((e for e in in_doc if fuzz.token_set_ratio(item.text.lower(), e.text.lower()) >= 85), None)
            if twin is not None:
                in_doc.remove(twin)
            added.append(Entry(day.isoformat(), "in the doc" if twin else "added in Slack", item.text,
                               [item.author_name or item.author_id], links, url=twin.url if twin else "",
                               item_id=item.id, author_id=item.author_id))
        return in_doc + added

    def cancel(self, rest: str, now: dt.datetime, actor: Actor, undo: bool = False) -> Reply:
        """`cancel DATE [reason]` and `uncancel DATE`, for the group's chairs only."""
        verb = "uncancel" if undo else "cancel"
        day_text, _, reason = rest.strip().partition(" ")
        day = parse_day(day_text)
        if day is None:
            return Reply("help", f"Which meeting? Try `/signode {verb} 2026-12-22 holidays`.")
        if actor.user_id not in self.group.chairs:
            return Reply("help", f"Only the {self.group.title} chairs can {verb} a meeting.")
        if undo:
            done = self.schedule.uncancel(self.group.name, day)
            return Reply("cancelled", f"The {day.isoformat()} meeting is " +
                         ("back on." if done else "not cancelled in Slack (nothing to undo)."))
        upcoming = {d.date() for d in self.group.schedule.occurrences(now, 60)}
        if day not in upcoming:
            return Reply("help", f"{day.isoformat()} is not one of the next {self.group.title} meetings.")
        self.schedule.cancel(self.group.name, day, reason, actor.user_id)
        return Reply("cancelled", f"The {self.group.title} meeting on *{day.isoformat()}* is cancelled"
                     + (": {}." if reason else "."), args=(reason,) if reason else ())

    def markdown(self, day: dt.date) -> str:
        """The agenda in the notes doc's own format, ready to paste: `## Dec 8, 2026` then `* [owner] item`."""
        items = [(e.owners, e.text, [(ln.get("label") or "", ln["url"]) for ln in e.links if ln.get("url")])
                 for e in self.agenda_entries(day)]
        return agenda_markdown(day, items)

    def next_agenda(self, now: dt.datetime, actor: Actor) -> Reply:
        if not self.group.scheduled:
            return self.unscheduled()
        start = self.upcoming(now, 1)[0]
        entries = self.agenda_entries(start.date())
        when = describe_time(start, actor.tz)
        headline = f"Next {self.group.title} meeting: *{when}*. " + (
            f"{len(entries)} item{'s' if len(entries) != 1 else ''} on the agenda so far." if entries
            else "Nothing on the agenda yet.")
        return Reply("agenda", headline, entries, footer="Add one with `/signode add TEXT`.",
                     data={"date": start.date().isoformat(), "start": start.isoformat()})

    def unscheduled(self) -> Reply:
        return Reply("help", f"{self.group.title} has no meeting schedule in signode's groups file, so there is "
                     "no next meeting to show or add to. Its notes can still be searched.")

    def add(self, rest: str, now: dt.datetime, actor: Actor, request_key: str | None, link: str = "") -> Reply:
        if not self.group.scheduled:
            return self.unscheduled()
        text, day_text = rest, ""
        m = re.match(r"^(.*?)\s+for\s+(\S.{0,30})$", rest, flags=re.I)
        if m and parse_day(m.group(2)):
            text, day_text = m.group(1), m.group(2)
        text = text.strip()
        if not text:
            return Reply("help", "What should go on the agenda? Try `/signode add Pod overhead KEP review`.")
        if len(text) > MAX_ITEM_CHARS:
            return Reply("help", f"An agenda item can be at most {MAX_ITEM_CHARS} characters; "
                                 f"this one has {len(text)}.")
        upcoming = [d.date() for d in self.upcoming(now)]
        day = upcoming[0]
        if day_text:
            wanted = parse_day(day_text)
            if wanted not in upcoming:
                options = ", ".join(d.isoformat() for d in upcoming)
                return Reply("help", "“{}” is not one of the next meetings: " + options + ".", args=(day_text,))
            day = wanted
        item, created = self.agenda.add(self.group.name, day, text, link, actor.user_id, actor.name, request_key)
        verb = "Added" if created else "Already added"
        entry = Entry(item.meeting_date, "added in Slack", item.text, [item.author_name or item.author_id],
                      item_id=item.id, author_id=item.author_id)
        return Reply("added", f"{verb} to the {self.group.title} agenda for *{item.meeting_date}*:", [entry],
                     data={"item_id": item.id, "created": created})

    def remove(self, rest: str, actor: Actor) -> Reply:
        if not rest.strip().lstrip("#").isdigit():
            return Reply("help", "Which item? Use `/signode remove 12` with the number shown when it was added.")
        item = self.agenda.get(int(rest.strip().lstrip("#")))
        if item is None:
            return Reply("nothing", f"There is no agenda item {rest.strip()}.")
        if item.author_id != actor.user_id:
            return Reply("help", "Only the person who added an item can remove it.")
        self.agenda.remove(item.id)
        return Reply("removed", "Removed “{}” from the agenda for " + item.meeting_date + ".", args=(item.text,))


DATE_REQUEST = re.compile(
    r"^(?:(?:the\s+)?(?:agenda|notes|minutes|meeting\s+notes)\s+(?:for|from|of|on)|what\s+happened\s+(?:on|at)|"
    r"what\s+was\s+on\s+the\s+agenda\s+(?:for|on))\s+(?P<day>.{4,40}?)\s*\??$", re.I)


def _notes_only(name: str) -> Group:
    """A group whose notes are ingested but which the groups file does not list: searchable, no schedule."""
    return Group(name, name, NO_SCHEDULE, scheduled=False)


def reminder_headline(title: str, start: dt.datetime, offset: dt.timedelta) -> tuple[str, str]:
    """("in 1 hour", "Tue Dec 1, 10:00 PST (18:00 UTC)"): how soon and when, for a reminder on any platform."""
    hours, minutes = offset.total_seconds() / 3600, int(offset.total_seconds() // 60)
    soon = f"in {int(hours)} hour{'s' if hours != 1 else ''}" if hours >= 1 else f"in {minutes} minutes"
    when = f"{start.strftime('%a %b %-d, %H:%M %Z')} ({start.astimezone(dt.UTC).strftime('%H:%M UTC')})"
    return soon, when


def describe_time(start: dt.datetime, viewer_tz: str) -> str:
    """`Tue Dec 1, 10:00 PST` in the meeting's zone, and the viewer's own time when it differs."""
    own = start.strftime("%a %b %-d, %H:%M %Z")
    try:
        viewer = start.astimezone(ZoneInfo(viewer_tz))
    except (ZoneInfoNotFoundError, ValueError):
        return own
    if viewer.utcoffset() == start.utcoffset():
        return own
    return f"{own} ({viewer.strftime('%a %H:%M %Z')} your time)"


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
