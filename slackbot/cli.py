"""The `signode` command line: ingest notes, list meetings, search, ask, and run the Slack app.

Nothing here imports slack_bolt until `serve` runs, so `signode search` starts fast.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from slackbot import config
from slackbot.errors import SignodeError
from slackbot.index.store import IngestStats, Store


class Context:
    db_in_use = ""  # for the one-line error when SQLite itself fails mid-command

    def __init__(self, db: str | None, groups: str | None) -> None:
        self.settings = config.load(db)
        Context.db_in_use = self.settings.db_path
        self.groups_file = groups or self.settings.groups_file
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.db_path)
        return self._store

    def groups(self, lenient: bool = False) -> list[Any]:
        from slackbot.groups import load_groups

        return load_groups(self.groups_file, self.store.latest_meeting, lenient)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", help="SQLite database (default: $SIGNODE_DB, else db/signode.db in a checkout, "
                   "~/.local/share/signode/signode.db when installed).")
@click.option("--groups", metavar="FILE", help="Groups file, signode.toml (default: $SIGNODE_GROUPS, else SIG Node).")
@click.version_option(package_name="signode")
@click.pass_context
def cli(ctx: click.Context, db: str | None, groups: str | None) -> None:
    """signode: SIG meeting notes, searchable from Slack and the terminal.

    Example:

        signode ingest ../shared/corpus/sig-node && signode ask "when was sandboxes discussed"
    """
    ctx.obj = Context(db, groups)


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--year", type=int, help="Year for headings without one (default: from the file name or title).")
@click.option("--source-url", default="", help="Page to link meetings to (default: the GitHub archive page).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for a URL.")
@click.option("--force", is_flag=True, help="Replace stored notes even if the new copy lost most meetings.")
@click.option("--group", "group_name", metavar="NAME",
              help="The group these notes belong to (default: a file's folder when it names a group, "
                   "such as sig-auth/, else the first group: sig-node).")
@pass_ctx
def ingest(ctx: Context, sources: tuple[str, ...], year: int | None, source_url: str, timeout: float,
           force: bool, group_name: str | None) -> None:
    """Read meeting notes from files, folders or http(s) URLs into the database.

    With no SOURCE, fetches SIG Node's yearly archive from kubernetes/community. Each source
    replaces what was stored for it, in one transaction; a source that fails leaves it untouched.

    A folder is read with its sub-folders; each sub-folder named like a group (sig-*, wg-*, ug-*,
    committee-*, or a group in the groups file) holds that group's notes. README files are skipped.

    Example:

        signode ingest ../shared/corpus/sig-node
        signode ingest ../shared/corpus          # SIG Node and every group's folder beside it
        signode ingest --group sig-auth notes-2024.md
        signode ingest https://raw.githubusercontent.com/kubernetes/community/master/sig-node/archive/meeting-notes-2018.md
    """
    from slackbot.groups import group_of_path, valid_name
    from slackbot.index.ingest import ingest_many
    from slackbot.index.sources import archive_urls, expand_tree, source_label

    if group_name is not None and not valid_name(group_name):
        raise click.BadParameter(f"{group_name!r}: a group name is lower-case letters, digits and hyphens",
                                 param_hint="--group")
    started = time.perf_counter()
    store = ctx.store  # a database signode may not use stops here, before any source is read
    found = expand_tree(list(sources)) if sources else [(url, None) for url in archive_urls()]
    targets = [t for t, _ in found]
    configured = ctx.groups(lenient=True)
    known = {g.name for g in configured} if ctx.groups_file else set()
    default = configured[0].name
    total, failed = IngestStats(), 0
    group_of = {target: group_name or group_of_path(target, known, folder) or default for target, folder in found}
    for target, result in ingest_many(store, list(group_of.items()), year, source_url, timeout, force):
        group = group_of[target]
        if isinstance(result, SignodeError):
            failed += 1
            click.echo(f"✗ {result}", err=True)
            continue
        s = result.stats
        if not s.changed:
            click.echo(f"= {source_label(target)}: unchanged")
            continue
        total.add(s)
        where = f" ({group})" if group != default else ""
        click.echo(f"✓ {source_label(target)}{where}: {s.meetings} meetings ({s.cancelled} cancelled), "
                   f"{s.items} items, {s.links} links, {s.undated} undated sections")
    elapsed = time.perf_counter() - started
    counts = ctx.store.counts()
    click.echo(f"Ingested {len(targets) - failed} of {len(targets)} sources in {elapsed:.1f} s: {total.meetings} "
               f"meetings, {total.items} items, {total.links} links, {total.cancelled} cancelled, "
               f"{total.undated} undated. Database: {counts['meetings']} meetings, {counts['items']} items.")
    if failed:
        raise click.ClickException(f"{failed} source{'s' if failed > 1 else ''} could not be ingested")


@cli.command()
@click.option("--year", type=int, help="List that year's meetings instead of the per-year counts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--group", "group_names", multiple=True, metavar="NAME",
              help="Only this group's meetings (repeatable; default: every group in the database).")
@pass_ctx
def meetings(ctx: Context, year: int | None, as_json: bool, group_names: tuple[str, ...]) -> None:
    """Per-year counts of meetings, cancellations, agenda items and links; or one year's meetings.

    A meeting is one group's date: two groups meeting on one day count twice.

    Example:

        signode meetings
        signode meetings --year 2018 --json
        signode meetings --group committee-steering
    """
    groups = _known_groups(ctx, group_names)
    if year is None:
        rows = ctx.store.year_counts(groups=groups)
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        if not rows:
            raise click.ClickException("the database is empty: run `signode ingest` first")
        click.echo(f"{'year':<8}{'meetings':>9}{'cancelled':>10}{'items':>7}{'links':>7}")
        for r in rows:
            click.echo(f"{r['year'] or 'undated':<8}{r['meetings']:>9}{r['cancelled']:>10}"
                       f"{r['items']:>7}{r['links']:>7}")
        click.echo(f"{'total':<8}{sum(r['meetings'] for r in rows):>9}{sum(r['cancelled'] for r in rows):>10}"
                   f"{sum(r['items'] for r in rows):>7}{sum(r['links'] for r in rows):>7}")
        return
    rows = ctx.store.meetings(year, groups=groups)
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in ("date", "title", "cancelled", "cancel_reason", "url", "items")}
                               | {"cancelled": bool(r["cancelled"])} for r in rows], indent=2))
        return
    if not rows:
        raise click.ClickException(f"no meetings in {year}")
    several = len({r["group_name"] for r in rows}) > 1
    for r in rows:
        status = f"  cancelled: {r['cancel_reason']}" if r["cancelled"] else ""
        group = f"({r['group_name']}) " if several else ""
        click.echo(f"{r['date'] or 'undated':<11} {r['items']:>3} items  {group}{r['title']}{status}")


@cli.command()
@click.argument("date")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def meeting(ctx: Context, date: str, as_json: bool) -> None:
    """What was on one meeting's agenda.

    Example:

        signode meeting 2018-06-12
    """
    from slackbot.commands import Commands, parse_day

    if parse_day(date) is None:
        raise click.ClickException(f"{date!r} is not a date (try 2018-06-12)")
    reply = Commands(ctx.store).meeting(date)
    if reply.kind == "nothing" and not as_json:
        raise click.ClickException(reply.headline_text() + (f" {reply.footer}" if reply.footer else ""))
    if as_json:
        click.echo(json.dumps({"date": date, "entries": [e.__dict__ for e in reply.entries], **reply.data},
                              indent=2))
    else:
        click.echo(reply.as_text())


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True,
              help='Print one JSON object: {"query", "interpreted", "nothing_found", "partial", "hits": [...]}.')
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most hits to print.")
@click.option("--queries", type=click.File("r"), help="Run one query per line of FILE (with --json: one object "
              "per line), in one process.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this instant (for 'last week').")
@click.option("--group", "group_names", multiple=True, metavar="NAME",
              help="Search only this group's notes (repeatable; default: every group in the database).")
@pass_ctx
def search(ctx: Context, query: tuple[str, ...], as_json: bool, limit: int, queries: Any, now_text: str | None,
           group_names: tuple[str, ...]) -> None:
    """Search agenda items: typo-tolerant, with people, PR numbers and dates.

    With notes of several groups in the database, hits come from all of them (each names its group)
    unless --group narrows the search.

    Example:

        signode search runtimclass
        signode search --json --limit 5 "what did dashpole present"
        signode search --json --queries questions.txt
        signode search --group committee-steering election
    """
    from slackbot.index.search import Searcher

    if not query and queries is None:
        raise click.UsageError("give a QUERY or --queries FILE")
    groups = _known_groups(ctx, group_names)
    now = _now(now_text)
    searcher = Searcher(ctx.store)
    texts = [line.rstrip("\n") for line in queries] if queries is not None else [" ".join(query)]
    for text in texts:
        answer = searcher.search(text, now, limit, groups=groups)
        if as_json:
            click.echo(json.dumps(answer.as_dict(), ensure_ascii=False))
            continue
        if not answer.found:
            tip = f" Did you mean: {', '.join(dict.fromkeys(answer.suggestions))}?" if answer.suggestions else ""
            click.echo(f"{answer.message}{tip}")
            continue
        if answer.partial:
            click.echo(f"Nothing matched all of “{' '.join(answer.interpreted.get('terms', []))}” (the closest lack "
                       f"“{'”, “'.join(answer.missing)}”):")
        several = len({h.group for h in answer.hits}) > 1
        for hit in answer.hits:
            owners = f" [{', '.join(hit.owners)}]" if hit.owners else ""
            group = f"({hit.group}) " if several else ""
            click.echo(f"{hit.date or 'undated':<11} {group}{hit.text}{owners}")
            click.echo(f"{'':<11} {hit.url}")


@cli.command()
@click.argument("name", nargs=-1, required=True)
@pass_ctx
def people(ctx: Context, name: tuple[str, ...]) -> None:
    """Show which names in the notes signode takes to mean this person, and why.

    NAME is a handle, a full name, a first name or a Slack user ID seen by the bot.

    Example:

        signode people Sergey Kanzhelev
        signode people @dchen1107
    """
    from slackbot.index.search import Searcher

    searcher = Searcher(ctx.store)
    searcher.search("x")  # loads the directory from the notes and the Slack profiles seen
    found = searcher.directory.describe(" ".join(name))
    if not found:
        raise click.ClickException(f"no one called {' '.join(name)!r} in the notes")
    click.echo(f"“{' '.join(name)}” is, in the notes:")
    for form, why, seen in found:
        where = f"{seen.count} items, {seen.first[:4]}–{seen.last[:4]}" if seen and seen.first else "not an owner"
        click.echo(f"  {form:<28} {where:<22} {why}")


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--blocks", is_flag=True, help="Print the Slack Block Kit JSON instead of text.")
@click.option("--page", default=0, type=click.IntRange(0, 100), help="Page of a long answer.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this instant.")
@click.option("--channel", default="", metavar="ID", help="Answer as if asked in this Slack/Zoom channel.")
@pass_ctx
def ask(ctx: Context, text: tuple[str, ...], blocks: bool, page: int, now_text: str | None, channel: str) -> None:
    """Ask what you would ask /signode in Slack; the same grammar, answered here.

    With several groups, a question searches them all (each hit labelled with its group) unless it
    starts with a group's name or --channel is a group's channel.

    Example:

        signode ask "when was sandboxes discussed"
        signode ask meeting 2018-06-12
        signode ask --blocks search runtimeclass
        signode ask committee-steering when was the election discussed
    """
    from slackbot.commands import Commands

    groups = ctx.groups()
    reply = Commands(ctx.store, group=groups[0], groups=groups).handle(" ".join(text), _now(now_text), page,
                                                                       channel=channel)
    if blocks:
        from slackbot.slack.blocks import render_reply

        click.echo(json.dumps(render_reply(reply), indent=2, ensure_ascii=False))
    else:
        click.echo(reply.as_text())


@cli.command()
@click.option("--socket", "mode", flag_value="socket", help="Socket Mode (needs SLACK_BOT_TOKEN, SLACK_APP_TOKEN).")
@click.option("--http", "mode", flag_value="http", help="HTTP mode (needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET).")
@click.option("--zoom", "mode", flag_value="zoom", help="Zoom alone over HTTP (needs the four ZOOM_* settings).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind in HTTP mode.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535), help="HTTP port.")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option("--sync-minutes", default=15, show_default=True, type=click.IntRange(0, 10080),
              help="Re-ingest the groups' notes sources this often, in a child process (0: never).")
@click.option("--workers", default=64, show_default=True, type=click.IntRange(1, 512),
              help="Listener threads; when all are busy, new requests are told to try again.")
@click.option("--read-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 300),
              help="HTTP mode: seconds a client may take to send a request's headers, and again its body.")
@click.option("--grace", default=10.0, show_default=True, type=click.FloatRange(0, 600),
              help="Seconds to finish in-flight work after SIGTERM/SIGINT before exiting.")
@pass_ctx
def serve(ctx: Context, mode: str | None, host: str, port: int, log_level: str, sync_minutes: int,
          workers: int, read_timeout: float, grace: float) -> None:
    """Run the Slack app (Socket Mode or HTTP) and, with ZOOM_* set, the Zoom chatbot (/zoom/events).

    --http serves /slack/events, /zoom/events (when Zoom is configured) and /healthz on one port;
    --zoom serves Zoom alone. SLACK_API_URL, ZOOM_API_URL and ZOOM_OAUTH_URL override the services'
    base URLs. SIGTERM or SIGINT stops it gracefully: no new requests, in-flight ones finished (within
    --grace), exit 0.

    Example:

        SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… signode serve --socket
        SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… signode serve --http --port 3000
        ZOOM_CLIENT_ID=… ZOOM_CLIENT_SECRET=… ZOOM_BOT_JID=… ZOOM_SECRET_TOKEN=… signode serve --zoom
    """
    import logging

    if mode is None:
        raise click.UsageError("choose --socket, --http or --zoom")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("slack_bolt").setLevel(max(logging.WARNING, logging.getLevelName(log_level.upper())))
    settings = ctx.settings
    slack = mode in ("socket", "http")
    if slack:
        settings.require_bot_token()
        app_token = settings.require_app_token() if mode == "socket" else ""
        if mode == "http":
            settings.require_signing_secret()
    zoom_settings = settings.require_zoom() if mode == "zoom" or settings.zoom_configured() else None
    if zoom_settings and mode == "socket":
        raise click.UsageError("Zoom sends its events over HTTP: use --http (Slack and Zoom) or --zoom")
    from slackbot.commands import Commands
    from slackbot.lifecycle import Stopper, shut_down
    from slackbot.periodic import Every
    from slackbot.reminders import run_once
    from slackbot.sync import ChildSync
    from slackbot.workers import Workers

    stopper = Stopper()
    stopper.install()  # from here on SIGTERM means "drain and exit 0"
    groups = ctx.groups()
    loops: list[Every] = []
    pool: Workers
    post = None
    if slack:
        from slackbot.slack.app import build_app

        app = build_app(settings, ctx.store, socket_mode=mode == "socket", groups=groups, workers=workers)
        pool = app.workers

        def post(channel: str, message: dict[str, Any]) -> str:
            return str(app.client.chat_postMessage(channel=channel, **message)["ts"])
    else:
        app, pool = None, Workers(workers)
    zoom = None
    others = {}
    if zoom_settings:
        from slackbot.zoom.client import ZoomClient
        from slackbot.zoom.events import ZoomApp, reminder_sender

        zoom_client = ZoomClient(zoom_settings)
        zoom = ZoomApp(Commands(ctx.store, group=groups[0], groups=groups), zoom_client, pool,
                       lambda: dt.datetime.now(dt.UTC))
        others["zoom"] = reminder_sender(zoom_client)
    loops.append(Every("reminders", 60, lambda: run_once(ctx.store, groups, post, dt.datetime.now(dt.UTC),
                                                          others=others)))
    if sync_minutes > 0:
        child = ChildSync(settings.db_path, ctx.groups_file or "")
        loops.append(Every("sync", sync_minutes * 60, child, on_stop=child.stop))
    if mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        assert app is not None
        handler = SocketModeHandler(app, app_token, web_client=app.client)
        handler.connect()
        print("signode connected in Socket Mode", flush=True)

        def stop_intake(timeout: float) -> bool:
            handler.close()
            return True
    else:
        from slackbot.server import http_server

        server = http_server(app, host, port, settings.signing_secret, read_timeout, zoom=zoom)
        threading.Thread(target=server.serve_forever, name="signode-http", daemon=True).start()
        stop_intake = server.drain
    for loop in loops:
        loop.start()
    name = stopper.wait()
    click.echo(f"signode got {name}; finishing in-flight work (up to {grace:.0f} s)", err=True)
    shut_down(grace, stop_intake, pool, loops)


@cli.command()
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for each source.")
@pass_ctx
def sync(ctx: Context, timeout: float) -> None:
    """Re-ingest every group's notes sources once; a source that fails keeps its last good copy.

    Example:

        signode --groups signode.toml sync
    """
    from slackbot.sync import sync_once

    results = sync_once(ctx.store, ctx.groups(), timeout)
    for r in results:
        click.echo(f"{r.status:<9} {r.source} {r.detail}".rstrip())
    if any(r.status == "failed" for r in results):
        raise click.ClickException(f"{sum(r.status == 'failed' for r in results)} source(s) failed; kept their "
                                   "last good copy")


@cli.command()
@click.option("--once", is_flag=True, required=True, help="Do one pass and exit (for cron or a CronJob).")
@click.option("--now", "now_text", metavar="ISO_INSTANT", help="Pretend it is this instant.")
@click.option("--dry-run", is_flag=True, help="Print what is due; send and record nothing.")
@click.option("--grace", default=15, show_default=True, type=click.IntRange(0, 1440),
              help="Minutes a reminder may be late before it is skipped as missed.")
@pass_ctx
def remind(ctx: Context, once: bool, now_text: str | None, dry_run: bool, grace: int) -> None:
    """Send the reminders that are due, each exactly once (`signode serve` does this every minute).

    Example:

        signode remind --once
        signode remind --once --dry-run --now 2026-12-07T18:00:00Z
    """
    from slackbot.reminders import Poster, Sender, run_once

    groups = ctx.groups()
    post: Poster | None = None
    others: dict[str, Sender] = {}
    if not dry_run and any(g.channel for g in groups):
        from slackbot.slack.app import make_client

        client = make_client(ctx.settings)

        def post(channel: str, message: dict[str, Any]) -> str:
            return str(client.chat_postMessage(channel=channel, **message)["ts"])
    if not dry_run and any(g.zoom_channel for g in groups):
        from slackbot.zoom.client import ZoomClient
        from slackbot.zoom.events import reminder_sender

        others["zoom"] = reminder_sender(ZoomClient(ctx.settings.require_zoom()))
    outcomes = run_once(ctx.store, groups, post, _now(now_text), dry_run, dt.timedelta(minutes=grace), others)
    for o in outcomes:
        click.echo(f"{o.status:<9} {o.due.group} {o.due.start_utc} -{_hours(o.due.offset)} {o.platform} "
                   f"{o.detail}".rstrip())
    if not outcomes:
        click.echo("nothing due" + ("" if any(g.reminder_targets() for g in groups)
                                    else " (no group has a channel set)"))


def _hours(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


@cli.command("check-notes")
@click.argument("files", nargs=-1, required=True)
@click.option("--year", type=int, help="Year for dates without one (default: from the file name or title).")
@click.option("--verbose", "-v", is_flag=True, help="List every meeting start and every rejected line.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array, an object per file.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for a URL.")
def check_notes(files: tuple[str, ...], year: int | None, verbose: bool, as_json: bool, timeout: float) -> None:
    """Show what signode reads in notes files, folders or URLs (a Google Doc link too), storing nothing.

    Per file: the meetings found, the lines taken as meeting starts (with their dates) and the
    date-like lines rejected, with why (a range, a version, a time, a date inside a sentence, out of
    order with the meetings around it, inside a template). Exit status 1 if a file has no meeting.

    Example:

        signode check-notes ../shared/corpus/other-groups/communication
        signode check-notes -v notes-2024.md
        signode check-notes https://docs.google.com/document/d/DOC_ID/edit
    """
    from slackbot.check_notes import check_file, render
    from slackbot.index.sources import expand

    reports = [check_file(path, year, timeout) for path in expand(list(files))]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=1, ensure_ascii=False))
    else:
        for report in reports:
            click.echo("\n".join(render(report, verbose)))
        total = sum(r.meetings for r in reports)
        click.echo(f"{len(reports)} files, {total} meetings")
    bad = [r for r in reports if not r.meetings]
    if bad:
        raise click.ClickException(f"{len(bad)} file{'s' if len(bad) > 1 else ''} with no dated meeting")


@cli.command()
@click.option("--group", "group_name", help="Group name (default: the first one).")
@click.option("--date", "date_text", help="Meeting date (default: the next meeting).")
@click.option("--markdown", is_flag=True, help="Print in the notes doc's own format, ready to paste.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this instant.")
@pass_ctx
def agenda(ctx: Context, group_name: str | None, date_text: str | None, markdown: bool, now_text: str | None) -> None:
    """The next meeting's agenda so far (or another meeting's), as text or as notes markdown.

    Example:

        signode agenda
        signode agenda --date 2026-12-08 --markdown
    """
    from slackbot.commands import Commands, parse_day
    from slackbot.groups import find

    groups = ctx.groups()
    commands = Commands(ctx.store, group=find(groups, group_name), groups=groups)
    now = _now(now_text)
    if not date_text and not commands.group.scheduled:
        raise click.ClickException(commands.unscheduled().headline + " (give --date for a past meeting)")
    day = parse_day(date_text) if date_text else commands.upcoming(now, 1)[0].date()
    if day is None:
        raise click.ClickException(f"{date_text!r} is not a date (try 2026-12-08)")
    if markdown:
        click.echo(commands.markdown(day), nl=False)
        return
    entries = commands.agenda_entries(day)
    click.echo(f"{commands.group.title} meeting on {day.isoformat()}: {len(entries)} items")
    for e in entries:
        owners = f"[{', '.join(e.owners)}] " if e.owners else ""
        click.echo(f"  • {owners}{e.text}" + (f" (#{e.item_id})" if e.item_id else ""))


@cli.group()
def groups() -> None:
    """The groups signode serves (signode.toml) and their schedules.

    Example:

        signode groups import ../shared/corpus/sigs.yaml --group sig-node -o signode.toml
    """


@groups.command("list")
@pass_ctx
def groups_list(ctx: Context) -> None:
    """Show each group, its schedule, channel, chairs and next meetings.

    Example:

        signode --groups signode.toml groups list
    """
    now = dt.datetime.now(dt.UTC)
    counts = ctx.store.group_meetings()
    for g in ctx.groups():
        when = g.schedule.describe() if g.scheduled else "no schedule (searchable only)"
        click.echo(f"{g.name}: {g.title} · {when} · channel {g.channel or '(none)'} · "
                   f"chairs {', '.join(g.chairs) or '(none)'} · {counts.get(g.name, 0)} meetings in the index")
        for start in g.schedule.occurrences(now, 3) if g.scheduled else []:
            click.echo(f"  next {start.isoformat()}")


@groups.command("import")
@click.argument("sigs_yaml", type=click.Path(exists=True, dir_okay=False))
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every SIG, WG, UG and committee in sigs.yaml.")
@click.option("--group", "group_names", multiple=True, help="A group's dir in sigs.yaml (repeatable; "
              "same as naming it after SIGS_YAML). Default: sig-node.")
@click.option("--channel", "channels", multiple=True, metavar="[GROUP=]ID",
              help="Slack channel ID of a group (repeatable): answers there come from its notes, reminders go there.")
@click.option("--chair", "chairs", multiple=True, metavar="[GROUP=]USER",
              help="Slack user ID of a group's chair (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE (default: print).")
def groups_import(sigs_yaml: str, names: tuple[str, ...], everything: bool, group_names: tuple[str, ...],
                  channels: tuple[str, ...], chairs: tuple[str, ...], output: str | None) -> None:
    """Make signode.toml groups from kubernetes/community's sigs.yaml (schedule, zone, notes doc).

    A group whose schedule sigs.yaml leaves open (biweekly with no start date) is written
    `unscheduled`: its notes are searchable, and it gets an agenda and reminders once its notes are
    ingested (the last meeting anchors the schedule) or you fill in the date. With one group, --channel
    and --chair take a bare ID; with several, GROUP=ID.

    Example:

        signode groups import ../shared/corpus/sigs.yaml --group sig-node --channel C0123 -o signode.toml
        signode groups import ../shared/corpus/sigs.yaml --all --channel sig-auth=C0456 -o signode.toml
    """
    from slackbot.groups import import_groups

    wanted = [*names, *group_names]
    if everything and wanted:
        raise click.UsageError("give --all or group names, not both")
    chosen = None if everything else (wanted or ["sig-node"])
    single = chosen[0] if chosen and len(chosen) == 1 else None
    by_group = _pairs(channels, single, "--channel")
    chair_pairs = _pairs(chairs, single, "--chair")
    text = import_groups(sigs_yaml, chosen, {g: v[-1] for g, v in by_group.items()},
                         {g: tuple(v) for g, v in chair_pairs.items()})
    if output:
        Path(output).write_text(text)
        click.echo(f"wrote {output}: {text.count('[[group]]')} groups")
    else:
        click.echo(text, nl=False)


def _pairs(values: tuple[str, ...], single: str | None, option: str) -> dict[str, list[str]]:
    """`GROUP=ID` values (or bare IDs when one group is imported), grouped by group."""
    out: dict[str, list[str]] = {}
    for value in values:
        group, sep, ident = value.partition("=")
        if not sep:
            if single is None:
                raise click.BadParameter(f"{value!r}: with several groups, write GROUP=ID", param_hint=option)
            group, ident = single, value
        if not ident.strip() or not group.strip():
            raise click.BadParameter(f"{value!r} should be GROUP=ID", param_hint=option)
        out.setdefault(group.strip(), []).append(ident.strip())
    return out


@cli.group()
def schedule() -> None:
    """Meeting schedules read from sigs.yaml.

    Example:

        signode schedule check ../shared/corpus/sigs.yaml --after 2026-03-01T00:00:00Z
    """


@schedule.command("check")
@click.argument("sigs_yaml", type=click.Path(exists=True, dir_okay=False))
@click.option("--after", "after_text", required=True, metavar="ISO_INSTANT", help="List meetings after this.")
@click.option("--count", default=3, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of objects.")
def schedule_check(sigs_yaml: str, after_text: str, count: int, as_json: bool) -> None:
    """Read every meeting in sigs.yaml and print its next dates, or why they cannot be known.

    Example:

        signode schedule check ../shared/corpus/sigs.yaml --after 2026-03-01T00:00:00Z --count 2 --json
    """
    from slackbot.core.schedule import parse_meeting
    from slackbot.groups import sigs_meetings

    after = _now(after_text)
    rows = []
    for group, sub, entry in sigs_meetings(sigs_yaml):
        parsed = parse_meeting(entry)
        rows.append({
            "group": group, "subproject": sub, "description": entry.get("description", ""),
            "determinable": parsed.rule is not None,
            "next_utc": [t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                         for t in parsed.rule.occurrences(after, count)] if parsed.rule else None,
            "reason": parsed.reason, "rule": parsed.rule.describe() if parsed.rule else None,
        })
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return
    known = sum(r["determinable"] for r in rows)
    for r in rows:
        where = r["group"] + (f"/{r['subproject']}" if r["subproject"] else "")
        click.echo(f"{where:<50} {', '.join(r['next_utc']) if r['next_utc'] else '-- ' + r['reason']}")
    click.echo(f"{known} of {len(rows)} meetings determined")


@cli.command()
@click.argument("target", type=click.Path(dir_okay=False))
@pass_ctx
def backup(ctx: Context, target: str) -> None:
    """Copy the database to TARGET with VACUUM INTO: consistent even while signode serve runs.

    Example:

        signode backup /backups/signode-$(date +%F).db
    """
    if Path(target).exists():
        raise click.ClickException(f"{target} exists; choose a new file name")
    ctx.store.backup(target)
    counts = Store(target).counts()
    click.echo(f"backed up to {target}: {counts['meetings']} meetings, {counts['items']} agenda items")


@cli.command()
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for each source.")
@pass_ctx
def doctor(ctx: Context, timeout: float) -> None:
    """Check the database, the groups file, the Slack tokens and channels, and every notes source.

    Example:

        signode --groups signode.toml doctor
    """
    from slackbot.doctor import run_checks

    failed = 0
    for check in run_checks(ctx.settings, ctx.store, ctx.groups_file, timeout):
        failed += check.status == "FAIL"
        click.echo(f"{check.status:<4} {check.name}: {check.detail}")
    if failed:
        raise click.ClickException(f"{failed} check{'s' if failed > 1 else ''} failed")


def _known_groups(ctx: Context, names: tuple[str, ...]) -> list[str] | None:
    """The --group names, each checked against the groups with notes in the database (None: all groups)."""
    if not names:
        return None
    known = ctx.store.group_names()
    missing = [g for g in names if g not in known]
    if missing:
        raise click.BadParameter(f"no notes for {', '.join(map(repr, missing))} in the database; groups with notes: "
                                 f"{', '.join(known) or '(none)'}", param_hint="--group")
    return list(names)


def _now(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO date or instant", param_hint="--now") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 1, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SignodeError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except sqlite3.DatabaseError as exc:
        db = Context.db_in_use or config.db_path(None)
        click.echo(f"Error: database problem in {db} ({exc})", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
