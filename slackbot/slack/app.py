"""Bolt wiring: `build_app` makes the app, `register` adds one handler per Slack feature.

Every handler acks first and does its work after, on a bounded pool (workers.py), so Slack never
waits on a search or a Web API call; when the pool is full a request is refused at once with a "busy"
answer instead of an ack that never comes. User errors become replies; anything else reaches the one
`@app.error` handler, which logs the traceback and tells the user something went wrong, without it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from slackbot.commands import Actor, Commands
from slackbot.config import Settings
from slackbot.errors import ConfigError
from slackbot.groups import Group, default_group
from slackbot.index.store import Store
from slackbot.slack.blocks import REMOVE_ACTION, add_item_modal, added_view, home_view, render_reply
from slackbot.slack.message import message_text
from slackbot.workers import DEFAULT_WORKERS, Workers

log = logging.getLogger("signode")

# What the app handles; tests check these against manifest.yml and against the blocks we render.
COMMAND = "/signode"
SHORTCUTS = {"add_agenda_item": "global", "add_to_agenda": "message"}
VIEWS = {"add_item_modal"}
ACTIONS = {"more_results", "share_reply", "open_add_item", REMOVE_ACTION}  # remove_item:<id>, one per item
REMOVE_ACTIONS = re.compile(rf"^{REMOVE_ACTION}(?::\d+)?$")
EVENTS = {"app_home_opened", "app_mention"}
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
BUSY = "signode is busy right now; nothing was done. Please try again in a minute."
Clock = Callable[[], dt.datetime]


class SignodeApp(App):
    """Bolt's App, admitting a request only when a listener thread is free for it."""

    workers: Workers

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        body = req.body if isinstance(req.body, dict) else {}
        if body.get("type") == "url_verification" or "ssl_check" in body:
            return super().dispatch(req)  # answered by Bolt itself, no listener
        if not self.workers.try_reserve():
            kind, name, user = describe_request(body)
            log.warning("slack request refused: busy kind=%s name=%s user=%s in_flight=%d", kind, name, user,
                        self.workers.in_flight)
            return busy_response(body)
        try:
            return super().dispatch(req)
        finally:
            self.workers.release_unused()


def busy_response(body: dict[str, Any]) -> BoltResponse:
    """What a refused request gets: words where Slack shows them, a retry where Slack retries."""
    if "command" in body:
        return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": BUSY}),
                            headers={"content-type": "application/json"})
    if body.get("type") == "view_submission":
        return BoltResponse(status=200, body=json.dumps({"response_action": "errors", "errors": {"text": BUSY}}),
                            headers={"content-type": "application/json"})
    if body.get("type") == "event_callback":
        return BoltResponse(status=503, body="busy")  # Slack retries the event later
    return BoltResponse(status=200, body="")


def make_client(settings: Settings) -> WebClient:
    """A Web API client for the configured base URL that waits out 429s (Retry-After)."""
    client = WebClient(token=settings.require_bot_token(), base_url=settings.api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def build_app(settings: Settings, store: Store, client: WebClient | None = None, socket_mode: bool = False,
              clock: Clock | None = None, groups: list[Group] | None = None,
              workers: int = DEFAULT_WORKERS) -> SignodeApp:
    """The Bolt app. HTTP mode verifies signatures; Socket Mode needs no signing secret."""
    client = client or make_client(settings)
    pool = Workers(workers)
    try:
        app = SignodeApp(
            client=client,
            signing_secret=None if socket_mode else settings.require_signing_secret(),
            request_verification_enabled=not socket_mode,
            process_before_response=False,
            logger=log,
            listener_executor=pool,
        )
    except (BoltError, SlackApiError) as exc:
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN: {exc}") from None
    app.workers = pool
    groups = groups or [default_group()]
    commands = Commands(store, group=groups[0], groups=groups)
    register(app, commands, clock or (lambda: dt.datetime.now(dt.UTC)), socket_mode)
    return app


def register(app: App, commands: Commands, clock: Clock, socket_mode: bool = False) -> None:
    """Attach every handler. One function per Slack feature, all sharing `commands`."""
    zones: dict[str, str] = {}

    if socket_mode:  # in HTTP mode the server logs each request with its status and latency

        @app.middleware
        def log_request(body: dict[str, Any], next: Callable[[], None]) -> None:
            """One line per request: what it was (never its text) and who, then the handler runs."""
            kind, name, user = describe_request(body)
            log.info("slack request kind=%s name=%s user=%s via=socket", kind, name, user)
            next()

    names: dict[str, str] = {}

    def actor(client: WebClient, user_id: str, name: str = "") -> Actor:
        """Who is asking: time zone and name from users.info (once per user), remembered in the people
        directory so "my items" and "@U123" find their items under the names the notes use."""
        if user_id and user_id not in zones:
            try:
                user = client.users_info(user=user_id)["user"]
                zones[user_id] = user.get("tz") or "UTC"
                profile = user.get("profile") or {}
                real = user.get("real_name") or profile.get("real_name") or ""
                display = profile.get("display_name") or user.get("name") or ""
                names[user_id] = real or display
                commands.store.save_profile(user_id, real, display)
            except SlackApiError as exc:
                log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
                zones[user_id] = "UTC"
        return Actor(user_id, name or names.get(user_id) or user_id, zones.get(user_id, "UTC"))

    @app.command(COMMAND)
    def slash_command(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        who = actor(client, body.get("user_id", ""), body.get("user_name", ""))
        reply = commands.handle(body.get("text", ""), clock(), actor=who, request_key=body.get("trigger_id"),
                                channel=str(body.get("channel_id", "")))
        _respond(respond, response_type="ephemeral", **render_reply(reply, viewer=who.user_id))

    @app.action("more_results")
    def more_results(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        query, timeline, page, scope = _search_page(action)
        reply = commands.page_of(query, timeline, page, clock(), scope)
        _respond(respond, replace_original=True, **render_reply(reply, viewer=body["user"]["id"]))

    @app.action("share_reply")
    def share_reply(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        query, timeline, page, scope = _search_page(action)
        reply = commands.page_of(query, timeline, page, clock(), scope)
        if not reply.query:  # not a search any more: say so privately, share nothing
            _respond(respond, response_type="ephemeral", replace_original=False, **render_reply(reply))
            return
        _respond(respond, response_type="in_channel", replace_original=False, **render_reply(reply, shared=True))
        _respond(respond, delete_original=True)  # Slack takes the delete as a request of its own

    @app.action("open_add_item")
    def open_add_item(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        channel = str((body.get("channel") or {}).get("id", ""))
        client.views_open(trigger_id=body["trigger_id"], view=_add_modal(commands, clock, channel))

    @app.action(REMOVE_ACTIONS)
    def remove_item(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                    client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        reply = commands.handle(f"remove {action.get('value', '')}", clock(), actor=actor(client, user))
        if body.get("response_url"):
            _respond(respond, response_type="ephemeral", replace_original=False, **render_reply(reply))
        else:
            publish_home(client, user)

    @app.shortcut("add_agenda_item")
    def add_agenda_item(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view=_add_modal(commands, clock, ""))

    @app.shortcut("add_to_agenda")
    def add_to_agenda(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        channel = shortcut.get("channel", {}).get("id", "")
        ts = shortcut.get("message", {}).get("ts", "")
        permalink = ""
        if channel and ts:
            try:
                permalink = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink", "")
            except SlackApiError as exc:
                log.warning("chat.getPermalink failed: %s", exc.response.get("error"))
        text = message_text(shortcut.get("message") or {})
        client.views_open(trigger_id=shortcut["trigger_id"], view=_add_modal(commands, clock, channel, text, permalink))

    @app.view("add_item_modal")
    def add_item_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        text = " ".join((values["text"]["text"].get("value") or "").split())
        link = values.get("link", {}).get("link", {}).get("value") or ""
        chosen = values.get("meeting", {}).get("date", {})
        date = (chosen.get("selected_option") or {}).get("value", "") or chosen.get("selected_date") or ""
        if not text:
            ack(response_action="errors", errors={"text": "Write what should go on the agenda."})
            return
        if link and not re.match(r"^https?://\S+$", link):
            ack(response_action="errors", errors={"link": "A link starts with http:// or https://."})
            return
        user = body["user"]
        who = Actor(user["id"], user.get("name") or user.get("username") or user["id"])
        target = commands.for_scope(commands.configured(str(view.get("private_metadata", ""))), None)
        reply = target.add(f"{text} for {date}" if date else text, clock(), who, f"view:{view['id']}", link)
        if reply.kind != "added":
            ack(response_action="errors", errors={"text": reply.headline_text()[:150]})
            return
        ack(response_action="update", view=added_view(reply))

    @app.view_closed("add_item_modal")
    def add_item_closed(ack: Ack) -> None:
        ack()  # nothing was added; nothing to undo

    @app.event("app_home_opened")
    def app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            publish_home(client, event["user"])

    def publish_home(client: WebClient, user: str) -> None:
        who = actor(client, user)
        agenda = commands.next_agenda(clock(), who)
        recent = commands.store.meetings(limit=10, dated=True, groups=[commands.group.name])  # the agenda's group
        client.views_publish(user_id=user, view=home_view(agenda, recent, user))

    @app.event("app_mention")
    def app_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if body.get("event_id") and not commands.agenda.first_time(body["event_id"]):
            return  # a retry of an event already answered
        text = MENTION.sub(" ", event.get("text", ""), count=1)  # the bot's own; others name people
        who = actor(client, event.get("user", ""))
        reply = commands.handle(text, clock(), actor=who, request_key=f"event:{body.get('event_id', '')}",
                                channel=str(event.get("channel", "")))
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                **render_reply(reply, shared=True))

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        log.error("handler failed: %s", error, exc_info=error)
        url = body.get("response_url") if isinstance(body, dict) else None
        if url:
            WebhookClient(url).send(text="Sorry, something went wrong on signode's side. It has been logged.",
                                    response_type="ephemeral", replace_original=False)
        return BoltResponse(status=500, body="")


def _respond(respond: Respond, **payload: Any) -> None:
    """Post to the response_url and log (never silently drop) a post that Slack refuses."""
    result = respond(**payload)
    if result.status_code != 200:
        log.error("slack refused a response_url post: status=%s body=%s", result.status_code, result.body[:300])


def describe_request(body: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, name, user) of a Slack request for the log: the verb of a command, never its text."""
    if "command" in body:
        verb = (body.get("text") or "").split(" ", 1)[0].lower()[:20]
        return "command", f"{body['command']}:{verb if verb.isalpha() else 'search'}", body.get("user_id", "")
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        return "event", str(event.get("type", "")), str(event.get("user", ""))
    user = str((body.get("user") or {}).get("id", ""))
    if body.get("type") == "block_actions":
        return "action", ",".join(a.get("action_id", "") for a in body.get("actions", [])), user
    if body.get("type") in ("view_submission", "view_closed"):
        return "view", str((body.get("view") or {}).get("callback_id", "")), user
    return str(body.get("type", "unknown")), str(body.get("callback_id", "")), user


def _search_page(action: dict[str, Any]) -> tuple[str, bool, int, str]:
    """(query, timeline, page, groups) from a More/Share button; anything else in the value is ignored
    (and `page_of` keeps only groups that exist)."""
    try:
        value = json.loads(action.get("value") or "{}")
        return (str(value.get("q", "")), bool(value.get("w")), max(0, min(int(value.get("p", 0)), 100)),
                str(value.get("g", ""))[:300])
    except (ValueError, TypeError, AttributeError):
        return "", False, 0, ""


def _add_modal(commands: Commands, clock: Clock, channel: str, text: str = "", link: str = "") -> dict[str, Any]:
    """The add-item modal for the channel's group (else the first group), which it remembers."""
    group = commands.group_for_channel(channel) or commands.group
    dates = [d.date().isoformat() for d in commands.for_scope(group, None).upcoming(clock())]
    return add_item_modal(dates, text, link, metadata=group.name)
