"""The `signode` command line: ingest notes, list meetings, search, ask, and run the Slack app.

Nothing here imports slack_bolt until `serve` runs, so `signode search` starts fast.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import click

from slackbot import config
from slackbot.errors import SignodeError
from slackbot.store import IngestStats, Store


class Context:
    def __init__(self, db: str | None) -> None:
        self.settings = config.load(db)
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.db_path)
        return self._store


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", help="SQLite database (default: $SIGNODE_DB, else db/signode.db).")
@click.version_option(package_name="signode")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """signode: SIG meeting notes, searchable from Slack and the terminal.

    Example:

        signode ingest ../shared/corpus/sig-node && signode ask "when was sandboxes discussed"
    """
    ctx.obj = Context(db)


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--year", type=int, help="Year for headings without one (default: from the file name or title).")
@click.option("--source-url", default="", help="Page to link meetings to (default: the GitHub archive page).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for a URL.")
@click.option("--force", is_flag=True, help="Replace stored notes even if the new copy lost most meetings.")
@pass_ctx
def ingest(ctx: Context, sources: tuple[str, ...], year: int | None, source_url: str, timeout: float,
           force: bool) -> None:
    """Read meeting notes from files, folders or http(s) URLs into the database.

    With no SOURCE, fetches SIG Node's yearly archive from kubernetes/community. Each source
    replaces what was stored for it, in one transaction; a source that fails leaves it untouched.

    Example:

        signode ingest ../shared/corpus/sig-node
        signode ingest https://raw.githubusercontent.com/kubernetes/community/master/sig-node/archive/meeting-notes-2018.md
    """
    from slackbot.ingest import ingest_source
    from slackbot.sources import archive_urls, expand, source_label

    started = time.perf_counter()
    targets = expand(list(sources)) if sources else archive_urls()
    total, failed = IngestStats(), 0
    for target in targets:
        try:
            result = ingest_source(ctx.store, target, year, source_url, timeout, force)
        except SignodeError as exc:
            failed += 1
            click.echo(f"✗ {exc}", err=True)
            continue
        s = result.stats
        if not s.changed:
            click.echo(f"= {source_label(target)}: unchanged")
            continue
        total.add(s)
        click.echo(f"✓ {source_label(target)}: {s.meetings} meetings ({s.cancelled} cancelled), {s.items} items, "
                   f"{s.links} links, {s.undated} undated sections")
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
@pass_ctx
def meetings(ctx: Context, year: int | None, as_json: bool) -> None:
    """Per-year counts of meetings, cancellations, agenda items and links; or one year's meetings.

    Example:

        signode meetings
        signode meetings --year 2018 --json
    """
    if year is None:
        rows = ctx.store.year_counts()
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
    rows = ctx.store.meetings(year)
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in ("date", "title", "cancelled", "cancel_reason", "url", "items")}
                               | {"cancelled": bool(r["cancelled"])} for r in rows], indent=2))
        return
    if not rows:
        raise click.ClickException(f"no meetings in {year}")
    for r in rows:
        status = f"  cancelled: {r['cancel_reason']}" if r["cancelled"] else ""
        click.echo(f"{r['date'] or 'undated':<11} {r['items']:>3} items  {r['title']}{status}")


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
@click.option("--json", "as_json", is_flag=True, help="Print hits as a JSON array.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most hits to print.")
@click.option("--queries", type=click.File("r"), help="Run one query per line of FILE (with --json: one array "
              "per line), in one process.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this instant (for 'last week').")
@pass_ctx
def search(ctx: Context, query: tuple[str, ...], as_json: bool, limit: int, queries: Any, now_text: str | None) -> None:
    """Search agenda items: typo-tolerant, with people, PR numbers and dates.

    Example:

        signode search runtimclass
        signode search --json --limit 5 "what did dashpole present"
        signode search --json --queries questions.txt
    """
    from slackbot.search import Searcher

    if not query and queries is None:
        raise click.UsageError("give a QUERY or --queries FILE")
    now = _now(now_text)
    searcher = Searcher(ctx.store)
    texts = [line.rstrip("\n") for line in queries] if queries is not None else [" ".join(query)]
    for text in texts:
        answer = searcher.search(text, now, limit)
        if as_json:
            click.echo(json.dumps([h.as_dict() for h in answer.hits], ensure_ascii=False))
            continue
        if not answer.found:
            tip = f" Did you mean: {', '.join(dict.fromkeys(answer.suggestions))}?" if answer.suggestions else ""
            click.echo(f"{answer.message}{tip}")
            continue
        for hit in answer.hits:
            owners = f" [{', '.join(hit.owners)}]" if hit.owners else ""
            click.echo(f"{hit.date or 'undated':<11} {hit.text}{owners}")
            click.echo(f"{'':<11} {hit.url}")


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--blocks", is_flag=True, help="Print the Slack Block Kit JSON instead of text.")
@click.option("--page", default=0, type=click.IntRange(0, 100), help="Page of a long answer.")
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this instant.")
@pass_ctx
def ask(ctx: Context, text: tuple[str, ...], blocks: bool, page: int, now_text: str | None) -> None:
    """Ask what you would ask /signode in Slack; the same grammar, answered here.

    Example:

        signode ask "when was sandboxes discussed"
        signode ask meeting 2018-06-12
        signode ask --blocks search runtimeclass
    """
    from slackbot.commands import Commands

    reply = Commands(ctx.store).handle(" ".join(text), _now(now_text), page)
    if blocks:
        from slackbot.blocks import render_reply

        click.echo(json.dumps(render_reply(reply), indent=2, ensure_ascii=False))
    else:
        click.echo(reply.as_text())


@cli.command()
@click.option("--socket", "mode", flag_value="socket", help="Socket Mode (needs SLACK_BOT_TOKEN, SLACK_APP_TOKEN).")
@click.option("--http", "mode", flag_value="http", help="HTTP mode (needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind in HTTP mode.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535), help="HTTP port.")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@pass_ctx
def serve(ctx: Context, mode: str | None, host: str, port: int, log_level: str) -> None:
    """Run the Slack app, in Socket Mode or as an HTTP server (/slack/events, /healthz).

    SLACK_API_URL overrides the Web API base URL (default https://slack.com/api/).

    Example:

        SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… signode serve --socket
        SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… signode serve --http --port 3000
    """
    import logging

    if mode is None:
        raise click.UsageError("choose --socket or --http")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("slack_bolt").setLevel(max(logging.WARNING, logging.getLevelName(log_level.upper())))
    settings = ctx.settings
    settings.require_bot_token()
    if mode == "socket":
        app_token = settings.require_app_token()
    else:
        settings.require_signing_secret()
    from slackbot.app import build_app
    from slackbot.server import serve_http, serve_socket

    app = build_app(settings, ctx.store, socket_mode=mode == "socket")
    if mode == "socket":
        serve_socket(app, app_token)
    else:
        serve_http(app, host, port)


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
        db = Path(config.db_path(None)).name
        click.echo(f"Error: database problem ({exc}); is {db} a signode database?", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
