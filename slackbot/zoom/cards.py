"""A `Reply` as a Zoom chatbot message card (`content`: `head` + `body`), with Zoom's safety rules.

Markdown stays off on every item (Zoom parses `*`, `_`, `<url|label>` and @-mentions only when an item
asks for Markdown), so text from notes or people shows as typed; control characters are dropped, and
a zero-width space after `@` keeps `@all` from ever reading as a mention. Links are only the URLs
signode parsed itself, put in an item's `link` field. Each text stays well under 4,000 characters;
long answers page with a "More" button whose value names a page of a search, never a command.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from slackbot.commands import Entry, Reply, reminder_headline

MAX_TEXT = 3500
ADD_FIELD = "Add to the agenda"  # an editable field: what a person types there becomes an item
MAX_ITEMS = 40
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
URL = re.compile(r"^https?://[^\s<>|]+$")

Card = dict[str, Any]


def inert(text: str, limit: int = MAX_TEXT) -> str:
    """Text that Zoom shows as typed: no control characters, no mention, within the limit."""
    text = CONTROL.sub(" ", text).replace("@", "@\u200b")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain(template_text: str) -> str:
    """A headline without Slack's mrkdwn emphasis (our own markup, not user text)."""
    return template_text.replace("*", "")


def message(text: str, link: str = "") -> Card:
    item: Card = {"type": "message", "text": inert(text)}
    if link and URL.match(link):
        item["link"] = link
    return item


def entry_items(e: Entry, with_meeting: bool) -> list[Card]:
    items: list[Card] = []
    if with_meeting:
        status = " (cancelled)" if e.cancelled else ""
        group = f"{e.group} · " if e.group else ""
        items.append(message(f"{e.date or 'undated'} · {group}{e.meeting}{status}", e.url))
    owners = f" ({', '.join(e.owners)})" if e.owners else ""
    number = f" #{e.item_id}" if e.item_id else ""
    items.append(message(f"• {e.text}{owners}{number}"))
    for ln in e.links[:4]:
        label = ln.get("label") or ln.get("ref") or ln["url"]
        if URL.match(ln.get("url", "")):
            items.append(message(f"    {label}", ln["url"]))
    return items


def add_field() -> Card:
    """Zoom's editable field: typing there sends `interactive_message_fields_editable` with the text."""
    return {"type": "fields", "items": [{"key": ADD_FIELD, "value": "(type an item here)", "editable": True,
                                         "short": False}]}


def search_page(reply: Reply, page: int) -> str:
    """A button's value: which page of which search (short; Zoom documents no limit, so keep it small)."""
    value: dict[str, Any] = {"a": "more", "q": reply.query[:300], "w": int(reply.timeline), "p": page}
    if reply.scope:
        value["g"] = reply.scope[:200]
    return json.dumps(value, separators=(",", ":"))


def render(reply: Reply, viewer: str = "") -> Card:
    """The card for a reply; `viewer` (a Zoom user) gets Remove buttons for the items they added."""
    head = _plain(reply.headline.format(*reply.args) if reply.args else reply.headline)
    card: Card = {"head": {"text": inert(head, 400)}, "body": []}
    body: list[Card] = card["body"]
    if reply.data.get("sparkline"):
        body.append(message(f"Meetings per year: {reply.data['sparkline']}"))
    if reply.kind == "meeting" and reply.data.get("url"):
        body.append(message("Notes", str(reply.data["url"])))
    last: object = object()
    for e in reply.entries:
        body += entry_items(e, with_meeting=e.meeting_key != last and reply.kind in ("when", "search"))
        last = e.meeting_key
    del body[MAX_ITEMS:]
    if reply.footer:
        body.append(message(_plain(reply.footer).replace("`", "")))
    buttons: list[Card] = []
    if reply.has_more and reply.query:
        buttons.append({"text": "More", "value": search_page(reply, reply.page + 1), "style": "Default"})
    for e in reply.entries:
        if viewer and e.item_id and e.author_id == viewer and len(buttons) < 5:
            buttons.append({"text": f"Remove #{e.item_id}", "value": json.dumps({"a": "rm", "i": e.item_id}),
                            "style": "Danger"})
    if buttons:
        body.append({"type": "actions", "items": buttons})
    if reply.kind in ("agenda", "added"):
        body.append(add_field())
    if not body:
        body.append(message(" "))
    return card


def reminder(title: str, start: dt.datetime, offset: dt.timedelta, entries: list[Entry]) -> Card:
    """The reminder posted to a group's Zoom channel: when (with the zone) and the agenda so far."""
    soon, when = reminder_headline(title, start, offset)
    body: list[Card] = [message("Agenda so far" if entries else "Nothing on the agenda yet.")]
    for e in entries[:MAX_ITEMS - 2]:
        body += entry_items(e, with_meeting=False)
    body.append(add_field())
    return {"head": {"text": inert(f"{title} meets {soon}: {when}", 400)}, "body": body}
