"""What Slack refuses in a Block Kit payload, checked the way Slack checks it.

slack_sdk's models catch many field limits (`validate_json`); Slack's documented rules that the
models do not check are written out here: unique action_id within a block, unique block_id within a
message or view, button and option text limits, block counts, modal title and metadata limits,
non-empty text objects, an initial option that is one of the options, and response_url's rules
(`delete_original` is a request of its own). The local Slack peer refuses whatever this finds.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_TYPES = {"plain_text", "mrkdwn"}
INPUT_ELEMENTS = {"plain_text_input", "url_text_input", "static_select", "datepicker", "users_select",
                  "multi_static_select", "checkboxes", "radio_buttons", "email_text_input", "number_input",
                  "timepicker", "conversations_select", "channels_select", "external_select"}


def _text(obj: Any, where: str, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in TEXT_TYPES:
        return [f"{where}: must be a text object"]
    if plain_only and obj["type"] != "plain_text":
        return [f"{where}: must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: text must be a non-empty string"]
    if len(text) > limit:
        return [f"{where}: must be at most {limit} characters (has {len(text)})"]
    return []


def _element(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict):
        return [f"{where}: must be an object"]
    out: list[str] = []
    kind = el.get("type")
    action_id = el.get("action_id")
    if action_id is not None and (not isinstance(action_id, str) or not action_id or len(action_id) > 255):
        out.append(f"{where}: action_id must be 1-255 characters")
    if kind == "button":
        out += _text(el.get("text"), f"{where}.text", 75, plain_only=True)
        value = el.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > 2000):
            out.append(f"{where}: value must be a string of at most 2000 characters")
        if el.get("style") not in (None, "primary", "danger"):
            out.append(f"{where}: style must be primary or danger")
        if el.get("url") is not None and len(str(el["url"])) > 3000:
            out.append(f"{where}: url must be at most 3000 characters")
    elif kind in ("static_select", "multi_static_select"):
        options = el.get("options") or []
        if not 1 <= len(options) <= 100:
            out.append(f"{where}: options must hold 1-100 options")
        for i, option in enumerate(options):
            out += _text(option.get("text"), f"{where}.options[{i}].text", 75, plain_only=True)
            if not isinstance(option.get("value"), str) or not 0 < len(option["value"]) <= 150:
                out.append(f"{where}.options[{i}]: value must be 1-150 characters")
        if "initial_option" in el and el["initial_option"] not in options:
            out.append(f"{where}: initial_option must be one of options")
    elif kind == "plain_text_input":
        limit = el.get("max_length", 3000)
        if not isinstance(limit, int) or not 1 <= limit <= 3000:
            out.append(f"{where}: max_length must be 1-3000")
        elif len(el.get("initial_value") or "") > limit:
            out.append(f"{where}: initial_value is longer than max_length")
    return out


def block_problems(blocks: Any, limit: int) -> list[str]:
    """Every reason Slack would refuse this list of blocks (empty when it would accept it)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    if len(blocks) > limit:
        return [f"no more than {limit} blocks allowed (has {len(blocks)})"]
    out: list[str] = []
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        parsed = Block.parse(block) if isinstance(block, dict) else None
        if parsed is None:
            out.append(f"{where}: unknown block type {block.get('type') if isinstance(block, dict) else block!r}")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as exc:
            out.append(f"{where}: {exc}")
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not 0 < len(block_id) <= 255:
                out.append(f"{where}: block_id must be 1-255 characters")
            elif block_id in block_ids:
                out.append(f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(str(block_id))
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                out.append(f"{where}: a section needs text or fields")
            if "text" in block:
                out += _text(block["text"], f"{where}.text", 3000)
            for j, f in enumerate(block.get("fields") or []):
                out += _text(f, f"{where}.fields[{j}]", 2000)
            if "accessory" in block:
                out += _element(block["accessory"], f"{where}.accessory")
        elif kind == "header":
            out += _text(block.get("text"), f"{where}.text", 150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                out.append(f"{where}: context needs 1-10 elements")
            for j, el in enumerate(elements):
                if el.get("type") in TEXT_TYPES:
                    out += _text(el, f"{where}.elements[{j}]", 3000)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                out.append(f"{where}: actions needs 1-25 elements")
            seen: set[str] = set()
            for j, el in enumerate(elements):
                out += _element(el, f"{where}.elements[{j}]")
                action_id = el.get("action_id") if isinstance(el, dict) else None
                if action_id in seen:
                    out.append(f"{where}.elements[{j}]: duplicate action_id {action_id!r} in one block")
                if action_id:
                    seen.add(action_id)
        elif kind == "input":
            out += _text(block.get("label"), f"{where}.label", 2000, plain_only=True)
            element = block.get("element") or {}
            if element.get("type") not in INPUT_ELEMENTS:
                out.append(f"{where}.element: {element.get('type')!r} cannot be an input element")
            out += _element(element, f"{where}.element")
    return out


def message_problems(payload: dict[str, Any]) -> list[str]:
    """chat.postMessage / chat.update / response_url bodies: text or blocks, blocks valid, text size."""
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return ["blocks is not JSON"]
    out = block_problems(blocks, MESSAGE_BLOCKS) if blocks is not None else []
    text = payload.get("text")
    if not blocks and not text and not payload.get("attachments"):
        out.append("no_text: a message needs text or blocks")
    if isinstance(text, str) and len(text) > 40000:
        out.append("msg_too_long: text over 40000 characters")
    return out


def view_problems(view: Any, home: bool) -> list[str]:
    """views.open/push/update (a modal) and views.publish (a Home tab)."""
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            return ["view is not JSON"]
    if not isinstance(view, dict):
        return ["view must be an object"]
    kind = view.get("type")
    if kind != ("home" if home else "modal"):
        return [f"view type must be {'home' if home else 'modal'}, not {kind!r}"]
    out = block_problems(view.get("blocks"), VIEW_BLOCKS)
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        out.append(f"view: {exc}")
    if len(view.get("private_metadata") or "") > 3000:
        out.append("private_metadata must be at most 3000 characters")
    if len(view.get("callback_id") or "") > 255:
        out.append("callback_id must be at most 255 characters")
    if kind == "modal":
        out += _text(view.get("title"), "title", 24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                out += _text(view[key], key, 24, plain_only=True)
        if any(b.get("type") == "input" for b in view.get("blocks") or []) and "submit" not in view:
            out.append("a modal with input blocks needs a submit button")
    return out


def response_url_problems(payload: dict[str, Any]) -> list[str]:
    """A post to a response_url: delete_original stands alone; otherwise a valid message."""
    if payload.get("delete_original"):
        extra = sorted(k for k in ("text", "blocks", "attachments") if payload.get(k))
        return [f"delete_original is a request of its own; it came with {', '.join(extra)}"] if extra else []
    out = message_problems(payload)
    if payload.get("response_type") not in (None, "ephemeral", "in_channel"):
        out.append("response_type must be ephemeral or in_channel")
    return out
