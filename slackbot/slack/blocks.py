"""Block Kit rendering of replies, App Home and modals. All escaping for Slack lives here.

Every string that came from notes or from a person goes through `escape` (or `link`) before it is
placed in mrkdwn, so `<!channel>`, `<@U123>` or `<https://evil|minutes>` shows as text and pings
nobody. Limits are enforced here too: 50 blocks a message, 3000 characters a section, 150 a header,
2000 a button value, 75 a button label.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from slackbot.commands import Entry, Reply, reminder_headline

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON_VALUE = 2000
MAX_ITEM_CHARS = 700
MAX_LINKS = 4

Block = dict[str, Any]


def escape(text: str) -> str:
    """Make text inert in mrkdwn: Slack's three control characters become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link(url: str, label: str) -> str:
    """`<url|label>` for an http(s) URL; anything else is shown as escaped text, never as a link."""
    if not re.match(r"^https?://[^\s<>|]+$", url):
        return escape(label or url)
    safe_label = escape(label or url).replace("|", "¦")
    return f"<{escape(url)}|{truncate(safe_label, 120)}>"


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_SECTION)}]}


def button(text: str, action_id: str, value: dict[str, Any] | str, style: str | None = None) -> Block:
    raw = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    element: Block = {"type": "button", "text": {"type": "plain_text", "text": truncate(text, 75)},
                      "action_id": action_id, "value": raw[:MAX_BUTTON_VALUE]}
    if style:
        element["style"] = style
    return element


def search_page(reply: Reply, page: int) -> dict[str, Any]:
    """What a "More"/"Share" button carries: which page of which search (never a command to run),
    cut so the JSON stays under the 2000-character limit."""
    value: dict[str, Any] = {"q": reply.query[:1500], "w": int(reply.timeline), "p": page}
    if reply.scope:
        value["g"] = reply.scope[:300]
    return value


def entry_text(e: Entry) -> str:
    owners = f" _({escape(', '.join(e.owners))})_" if e.owners else ""
    text = f"• {escape(truncate(e.text, MAX_ITEM_CHARS))}{owners}"
    if e.context:
        text += f"\n      _…{escape(truncate(e.context, 300))}_"
    links = [link(ln["url"], ln.get("label") or ln.get("ref") or ln["url"]) for ln in e.links[:MAX_LINKS]]
    if links:
        more = f" +{len(e.links) - MAX_LINKS}" if len(e.links) > MAX_LINKS else ""
        text += "\n      " + " · ".join(links) + more
    return text


def meeting_line(e: Entry) -> str:
    title = escape(truncate(e.meeting, 80))
    when = e.date or "undated"
    status = " ~cancelled~" if e.cancelled else ""
    group = f"{escape(truncate(e.group, 60))} · " if e.group else ""
    return f"*{when}* · {group}{link(e.url, title) if e.url else title}{status}"


def headline(reply: Reply) -> str:
    return reply.headline.format(*(escape(a) for a in reply.args)) if reply.args else reply.headline


def entry_blocks(reply: Reply) -> list[Block]:
    """One section per meeting, its entries inside, each section under the 3000-character limit."""
    blocks: list[Block] = []
    current: list[str] = []
    last: object = object()
    for e in reply.entries:
        if e.meeting_key != last and current:
            blocks.append(mrkdwn("\n".join(current)))
            current = []
        if e.meeting_key != last and reply.kind != "meeting":
            current.append(meeting_line(e))
        last = e.meeting_key
        piece = entry_text(e)
        if sum(len(c) + 1 for c in current) + len(piece) > MAX_SECTION - 10:
            blocks.append(mrkdwn("\n".join(current)))
            current = []
        current.append(piece)
    if current:
        blocks.append(mrkdwn("\n".join(current)))
    return blocks


REMOVE_ACTION = "remove_item"


def removable(reply: Reply, viewer: str) -> list[Block]:
    """A "Remove" button for each item the viewer added (only an item's author may remove it).

    Slack refuses two elements with one action_id in a block, so each carries its item's number.
    """
    return [button(truncate(f"Remove #{e.item_id}", 75), f"{REMOVE_ACTION}:{e.item_id}", str(e.item_id),
                   style="danger")
            for e in reply.entries if e.item_id and e.author_id == viewer][:5]


def render_reply(reply: Reply, shared: bool = False, viewer: str = "") -> dict[str, Any]:
    """A message payload ({"text", "blocks"}) for a reply; buttons unless it was already shared."""
    top = headline(reply)
    if reply.kind == "meeting" and reply.data.get("url"):
        top += " · " + link(reply.data["url"], "notes")
    blocks: list[Block] = [mrkdwn(top)]
    if reply.data.get("sparkline"):
        blocks.append(context(f"Meetings per year: `{escape(reply.data['sparkline'])}`"))
    body = entry_blocks(reply)
    room = MAX_BLOCKS - 4
    if len(body) > room:
        body = body[:room]
    blocks += body
    if reply.footer:
        blocks.append(context(escape(reply.footer) if reply.kind != "help" else reply.footer))
    actions = []
    if reply.has_more and not shared and reply.query:
        actions.append(button("More", "more_results", search_page(reply, reply.page + 1)))
    if not shared and reply.entries and reply.query:
        actions.append(button("Share in channel", "share_reply", search_page(reply, reply.page)))
    if not shared and reply.kind in ("agenda", "added"):
        actions.append(button("Add item", "open_add_item", "add", style="primary"))
    if not shared and viewer:
        actions += removable(reply, viewer)
    if actions:
        blocks.append({"type": "actions", "elements": actions})
    fallback = re.sub(r"[*_~`]", "", _unlink(top))
    return {"text": truncate(fallback, 3000), "blocks": blocks[:MAX_BLOCKS]}


def _unlink(text: str) -> str:
    return re.sub(r"<[^|>]+\|([^>]+)>", r"\1", text)


def home_view(agenda: Reply, recent: list[dict[str, Any]], viewer: str) -> dict[str, Any]:
    """The App Home tab: the next meeting, its agenda so far, an "Add item" button, recent meetings."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate("signode · SIG meeting notes", MAX_HEADER)}},
        mrkdwn(headline(agenda)),
    ]
    blocks += entry_blocks(agenda)[:60]
    actions = [button("Add item", "open_add_item", "add", style="primary")] + removable(agenda, viewer)
    blocks.append({"type": "actions", "elements": actions})
    blocks.append({"type": "divider"})
    lines = [f"• {link(m['url'], m['date'])} {escape(truncate(m['title'], 80))}"
             + (" ~cancelled~" if m["cancelled"] else f" · {m['items']} items") for m in recent[:10]]
    if lines:
        blocks.append(mrkdwn("*Recent meetings*\n" + "\n".join(lines)))
    blocks.append(context("Ask anything with `/signode`, e.g. `/signode when was sandboxes discussed`."))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def add_item_modal(dates: list[str], text: str = "", link_url: str = "", metadata: str = "") -> dict[str, Any]:
    """The "Add agenda item" modal: the item, an optional link, and which of the next meetings."""
    options = [{"text": {"type": "plain_text", "text": d}, "value": d} for d in dates]
    item: Block = {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 1000}
    if text:
        item["initial_value"] = truncate(text, 1000)
    url: Block = {"type": "url_text_input", "action_id": "link"}
    if link_url and re.match(r"^https?://", link_url):
        url["initial_value"] = link_url[:3000]
    return {
        "type": "modal", "callback_id": "add_item_modal", "private_metadata": metadata[:3000],
        "title": {"type": "plain_text", "text": "Add agenda item"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": "text", "label": {"type": "plain_text", "text": "Item"}, "element": item},
            {"type": "input", "block_id": "link", "optional": True,
             "label": {"type": "plain_text", "text": "Link"}, "element": url},
            {"type": "input", "block_id": "meeting", "label": {"type": "plain_text", "text": "Meeting"},
             "element": {"type": "static_select", "action_id": "date", "options": options,
                         "initial_option": options[0]} if options else {"type": "datepicker", "action_id": "date"}},
        ],
    }


def added_view(reply: Reply) -> dict[str, Any]:
    """What the modal turns into after a successful submit."""
    return {"type": "modal", "title": {"type": "plain_text", "text": "Added"},
            "close": {"type": "plain_text", "text": "Done"},
            "blocks": [mrkdwn(headline(reply))] + entry_blocks(reply)}


def reminder_message(title: str, start: dt.datetime, offset: dt.timedelta, entries: list[Entry]) -> dict[str, Any]:
    """The reminder posted to the group's channel: when (with the zone), the agenda so far, "Add item"."""
    soon, when = reminder_headline(title, start, offset)
    top = f"*{escape(title)}* meets {soon}: *{when}*"
    lines = [entry_text(e) for e in entries[:40]]
    body = "*Agenda so far*\n" + "\n".join(lines) if lines else "_Nothing on the agenda yet._"
    blocks: list[Block] = [mrkdwn(top), mrkdwn(body),
                           {"type": "actions", "elements": [button("Add item", "open_add_item", "add", "primary")]}]
    return {"text": truncate(f"{title} meets {soon}: {when}", 3000), "blocks": blocks}
