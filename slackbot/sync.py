"""Keep the notes fresh: re-ingest each group's sources, cheaply, keeping the last good index on failure.

A URL is fetched with its stored ETag / Last-Modified, so an unchanged doc costs one 304. A source that
is unreachable, slow, or not notes (a sign-in page, an empty body, a truncated copy) is logged in one
line and left as it was; the next good fetch updates it. Items added in Slack live in their own table
and are never touched here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slackbot.errors import SignodeError
from slackbot.groups import Group
from slackbot.ingest import ingest_source
from slackbot.store import Store

log = logging.getLogger("signode.sync")


@dataclass
class SyncResult:
    source: str
    status: str  # updated | unchanged | failed
    detail: str = ""


def sync_once(store: Store, groups: list[Group], timeout: float = 30.0) -> list[SyncResult]:
    results: list[SyncResult] = []
    for source in dict.fromkeys(s for g in groups for s in g.sources):
        try:
            result = ingest_source(store, source, timeout=timeout)
        except SignodeError as exc:
            log.warning("sync kept the last good copy: %s", exc)  # the message names the source
            results.append(SyncResult(source, "failed", str(exc)))
            continue
        if result.stats.changed:
            log.info("sync updated: source=%s meetings=%d items=%d", source, result.stats.meetings,
                     result.stats.items)
            results.append(SyncResult(source, "updated", f"{result.stats.meetings} meetings"))
        else:
            results.append(SyncResult(source, "unchanged", "304" if result.unchanged_remote else "same content"))
    return results
