"""Zoom chatbot events in, answers out: the same /signode grammar as Slack, rendered as cards.

`receive` runs on the HTTP thread and only decides: refused (401/400), the URL validation answer, a
retry already handled (200), busy (503, Zoom retries later), or taken (200, the work goes to the
listener pool). The work then answers through the chatbot API, never in the HTTP response.

    bot_notification             a slash command in a channel, or any message in a 1:1 with the bot
    interactive_message_actions  a button: "More" (edits the card to the next page), "Remove #12"
    interactive_message_select   a dropdown choice, read like a button value
    interactive_message_fields_editable  text typed in a card's "Add to the agenda" field: added as an item
    bot_installed                a welcome message to the installer
    app_deauthorized             the account's added items are deleted, as Zoom requires
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from slackbot import signatures
from slackbot.commands import Actor, Commands, Reply
from slackbot.index.store import AgendaStore
from slackbot.reminders import Reminder, Sender
from slackbot.workers import Workers
from slackbot.zoom import cards, webhook
from slackbot.zoom.client import ZoomClient, ZoomError

log = logging.getLogger("signode.zoom")
EVENTS_PATH = "/zoom/events"
WELCOME = "signode answers questions about the SIG's meeting notes. Type /signode help to start."

Clock = Callable[[], dt.datetime]


class ZoomApp:
    def __init__(self, commands: Commands, client: ZoomClient, workers: Workers, clock: Clock) -> None:
        self.commands = commands
        self.client = client
        self.workers = workers
        self.clock = clock
        self.secret = client.settings.secret_token
        self.agenda = AgendaStore(commands.store)

    def receive(self, raw: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """(HTTP status, JSON body) for one delivery; the work itself runs later on the pool."""
        refused = signatures.problem(self.secret, raw, headers.get("x-zm-request-timestamp", ""),
                                  headers.get("x-zm-signature", ""))
        if refused:
            log.info("zoom request refused status=401 reason=%s", refused)
            return 401, json.dumps({"error": refused})
        event = webhook.parse(raw)
        if event is None:
            log.info("zoom request refused status=400 reason=not a JSON object")
            return 400, json.dumps({"error": "the body is not a JSON object"})
        validation = webhook.url_validation(self.secret, event)
        if validation is not None:
            return 200, json.dumps(validation)
        kind = str(event.get("event", ""))
        if not self.workers.try_reserve():
            log.warning("zoom request refused: busy event=%s", kind)
            return 503, json.dumps({"error": "busy, retry later"})
        try:
            request_id = headers.get("x-zm-request-id", "")
            keys = [f"zoom-body:{hashlib.sha256(raw).hexdigest()}"] + ([f"zoom-req:{request_id}"] if request_id else [])
            if not all([self.agenda.first_time(k) for k in keys]):
                log.info("zoom request event=%s is a retry of one already handled", kind)
                return 200, json.dumps({"message": "already handled"})
            self.workers.submit(self._work, event, request_id)
            log.info("zoom request event=%s status=200", kind)
            return 200, json.dumps({"message": "Zoom event processed successfully."})
        finally:
            self.workers.release_unused()

    def _work(self, event: dict[str, Any], request_id: str) -> None:
        kind = event.get("event")
        payload = event.get("payload") or {}
        try:
            if kind == "bot_notification":
                self._command(payload, request_id)
            elif kind in ("interactive_message_actions", "interactive_message_select"):
                self._button(kind, payload)
            elif kind == "interactive_message_fields_editable":
                self._typed_item(payload, request_id)
            elif kind == "bot_installed":
                self.client.send(str(payload.get("userJid", "")), str(payload.get("accountId", "")),
                                 {"head": {"text": "signode"}, "body": [cards.message(WELCOME)]},
                                 user_jid=str(payload.get("userJid", "")))
            elif kind == "app_deauthorized":
                account = str(payload.get("account_id", ""))
                if account:
                    gone = self.agenda.forget_authors(f"zoom:{account}:")
                    log.info("zoom account deauthorized; %d added items deleted", gone)
            else:
                log.info("zoom event %s ignored", kind)
        except ZoomError as exc:
            log.error("zoom answer failed: %s", exc)

    def _actor(self, payload: dict[str, Any]) -> Actor:
        account, user = str(payload.get("accountId", "")), str(payload.get("userId", ""))
        return Actor(f"zoom:{account}:{user}", str(payload.get("userName") or user), "UTC")

    def _reply(self, payload: dict[str, Any], reply: Reply, actor: Actor) -> None:
        self.client.send(str(payload.get("toJid", "")), str(payload.get("accountId", "")),
                         cards.render(reply, viewer=actor.user_id), user_jid=str(payload.get("userJid", "")))

    def _command(self, payload: dict[str, Any], request_id: str) -> None:
        actor = self._actor(payload)
        key = str(payload.get("triggerId") or payload.get("messageId") or request_id or "")
        reply = self.commands.handle(str(payload.get("cmd", "")), self.clock(), actor=actor,
                                     request_key=f"zoom:{key}" if key else None,
                                     channel=str(payload.get("toJid", "")))
        self._reply(payload, reply, actor)

    def _typed_item(self, payload: dict[str, Any], request_id: str) -> None:
        edit = payload.get("fieldEditItem") or {}
        if edit.get("key") != cards.ADD_FIELD:
            log.info("zoom edit of an unknown field ignored")
            return
        text = " ".join(str(edit.get("newValue", "")).split())
        actor = self._actor(payload)
        view, _ = self.commands.view_for("", str(payload.get("toJid", "")))  # the channel's group
        reply = view.add(text, self.clock(), actor, f"zoom:{request_id}" if request_id else None)
        self._reply(payload, reply, actor)

    def _button(self, kind: str, payload: dict[str, Any]) -> None:
        if kind == "interactive_message_select":
            chosen = (payload.get("selectedItems") or [{}])[0]
        else:
            chosen = payload.get("actionItem") or {}
        try:
            value = json.loads(str(chosen.get("value", "")))
        except ValueError:
            value = {}
        value = value if isinstance(value, dict) else {}
        actor = self._actor(payload)
        if value.get("a") == "more":
            reply = self.commands.page_of(str(value.get("q", "")), bool(value.get("w")),
                                          max(0, min(int(value.get("p", 0) or 0), 100)), self.clock(),
                                          str(value.get("g", ""))[:300])
            message_id = str(payload.get("messageId", ""))
            if message_id:
                self.client.edit(message_id, str(payload.get("accountId", "")), cards.render(reply),
                                 user_jid=str(payload.get("userJid", "")))
            else:
                self._reply(payload, reply, actor)
        elif value.get("a") == "rm" and str(value.get("i", "")).isdigit():
            self._reply(payload, self.commands.handle(f"remove {value['i']}", self.clock(), actor=actor), actor)
        else:
            log.info("zoom button with an unknown value ignored")


def reminder_sender(client: ZoomClient) -> Sender:
    """Posts a reminder to a group's Zoom channel (for `signode serve` and `remind --once`)."""

    def send(channel: str, r: Reminder) -> str:
        return client.send(channel, r.group.zoom_account, cards.reminder(r.group.title, r.start, r.offset, r.entries))

    return send
