"""Plain text from a Slack message as the message shortcut delivers it.

Slack sends a message's `text` in its own markup: `&amp;`, `&lt;`, `&gt;` for the three control
characters, `<#C123|sig-node>` for channels, `<@U123>` for people, `<!here>`, `<url|label>`. A
message may also carry its content only in `blocks` (rich_text), `attachments` or `files`, with an
empty `text`. The "Add to agenda" form wants what a person saw, as plain text: it is escaped again
wherever it is shown, so nothing here can ping anyone or become a link.
"""

from __future__ import annotations

import re
from typing import Any

ANGLE = re.compile(r"<([^<>]{1,3000})>")
MAX_TEXT = 4000


def _special(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("@"):
        return f"@{label.lstrip('@')}" if label else ""
    if target.startswith("!"):
        if label:
            return label if target.startswith("!date") else f"@{label.lstrip('@')}"
        name = target[1:].split("^", 1)[0]
        return f"@{name}" if name in ("here", "channel", "everyone") else ""
    if target.startswith("mailto:"):
        return label or target[len("mailto:"):]
    if label and label != target:
        return f"{label} ({target})"
    return target


def unformat(text: str) -> str:
    """Slack's message markup to the text a person saw (`<#C1|sig-node>` -> `#sig-node`, `&amp;` -> `&`)."""
    text = ANGLE.sub(lambda m: _special(m.group(1)), text[:MAX_TEXT * 2])
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _rich_text(node: Any, out: list[str]) -> None:
    """Walk rich_text elements depth first, keeping what a reader sees."""
    if isinstance(node, list):
        for child in node:
            _rich_text(child, out)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "text":
        out.append(str(node.get("text", "")))
    elif kind == "link":
        out.append(str(node.get("text") or node.get("url") or ""))
    elif kind == "emoji":
        out.append(f":{node.get('name', '')}:")
    elif kind == "broadcast":
        out.append(f"@{node.get('range', 'here')}")
    elif kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote", "rich_text_list", "rich_text"):
        _rich_text(node.get("elements"), out)
        out.append(" ")
    elif kind in ("section", "header"):
        text = node.get("text") or {}
        out.append(unformat(str(text.get("text", ""))) if text.get("type") == "mrkdwn" else str(text.get("text", "")))
        out.append(" ")


def message_text(message: dict[str, Any]) -> str:
    """The text to prefill from a shortcut's message: its text, else its blocks, attachments and files."""
    text = unformat(str(message.get("text") or ""))
    if text:
        return text[:MAX_TEXT]
    parts: list[str] = []
    _rich_text(message.get("blocks") or [], parts)
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            for key in ("pretext", "title", "text"):
                if attachment.get(key):
                    parts.append(unformat(str(attachment[key])))
            if not any(attachment.get(k) for k in ("pretext", "title", "text")) and attachment.get("fallback"):
                parts.append(unformat(str(attachment["fallback"])))
    for file in message.get("files") or []:
        if isinstance(file, dict) and (file.get("title") or file.get("name")):
            parts.append(str(file.get("title") or file.get("name")))
    return " ".join(" ".join(parts).split())[:MAX_TEXT]
