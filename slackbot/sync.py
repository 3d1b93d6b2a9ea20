"""Keep the notes fresh: re-ingest each group's sources, cheaply, keeping the last good index on failure.

A URL is fetched with its stored ETag / Last-Modified, so an unchanged doc costs one 304. A source that
is unreachable, slow, or not notes (a sign-in page, an empty body, a truncated copy) is logged in one
line and left as it was; the next good fetch updates it. Items added in Slack live in their own table
and are never touched here. One source that fails in any way never stops the sources after it.

Inside `signode serve` a pass runs as a child process (`ChildSync`): parsing a large or hostile
document then never holds the server's interpreter lock, so Slack requests keep being answered.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass

from slackbot.errors import SignodeError
from slackbot.groups import Group
from slackbot.index.ingest import ingest_source
from slackbot.index.store import Store

log = logging.getLogger("signode.sync")


@dataclass
class SyncResult:
    source: str
    status: str  # updated | unchanged | failed
    detail: str = ""


def sync_once(store: Store, groups: list[Group], timeout: float = 30.0) -> list[SyncResult]:
    results: list[SyncResult] = []
    owner = {s: g.name for g in reversed(groups) for s in g.sources}  # a shared source: the first group's
    for source in dict.fromkeys(s for g in groups for s in g.sources):
        try:
            result = ingest_source(store, source, timeout=timeout, group=owner[source])
        except SignodeError as exc:
            log.warning("sync kept the last good copy: %s", exc)  # the message names the source
            results.append(SyncResult(source, "failed", str(exc)))
            continue
        except Exception as exc:  # a bug or an odd document: log it whole, keep the copy, go on to the next
            log.exception("sync kept the last good copy of %s after an unexpected error", source)
            results.append(SyncResult(source, "failed", f"{source}: unexpected {type(exc).__name__}: {exc}"))
            continue
        if result.stats.changed:
            log.info("sync updated: source=%s meetings=%d items=%d", source, result.stats.meetings,
                     result.stats.items)
            results.append(SyncResult(source, "updated", f"{result.stats.meetings} meetings"))
        else:
            results.append(SyncResult(source, "unchanged", "304" if result.unchanged_remote else "same content"))
    return results


class ChildSync:
    """One sync pass in a child `signode sync` process, for `serve`'s sync loop."""

    def __init__(self, db: str, groups_file: str, timeout: float = 30.0, max_seconds: float = 600.0) -> None:
        self.argv = [sys.executable, "-m", "slackbot", "--db", db]
        if groups_file:
            self.argv += ["--groups", groups_file]
        self.argv += ["sync", "--timeout", str(timeout)]
        self.max_seconds = max_seconds
        self.process: subprocess.Popen[str] | None = None

    def __call__(self) -> None:
        self.process = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = self.process.communicate(timeout=self.max_seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            log.warning("sync pass took over %.0f s and was stopped; the last good copy is kept", self.max_seconds)
        for line in out.splitlines():
            log.info("sync: %s", line)
        if self.process.returncode not in (0, None):
            last = (err.strip().splitlines() or ["(no message)"])[-1]
            log.warning("sync pass ended with status %s: %s", self.process.returncode, last)

    def stop(self, timeout: float) -> None:
        """Let a running pass finish within `timeout`, else end it (its transaction rolls back)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            log.warning("sync pass cut by shutdown; the last good copy is kept")
