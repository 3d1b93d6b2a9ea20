"""The listener pool: bounded, counted, and able to say "busy" before a request is taken on.

Bolt acks a request from a listener thread; if every thread is waiting on a slow Slack (a
response_url that takes 5 s), the next request cannot even be acked and Slack shows the user a
failure while the work may still happen later. So a request reserves a thread before it is
dispatched; when none is free it is refused at once with a clear "busy" answer, and the pool can be
drained on shutdown (every request that was answered 200 finishes its work).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

DEFAULT_WORKERS = 64


class Workers(ThreadPoolExecutor):
    """Bolt's listener executor with a count of work in flight (reserved, queued or running)."""

    def __init__(self, size: int = DEFAULT_WORKERS) -> None:
        super().__init__(max_workers=size, thread_name_prefix="signode-listener")
        self.size = size
        self._in_flight = 0
        self._changed = threading.Condition()
        self._local = threading.local()

    @property
    def in_flight(self) -> int:
        with self._changed:
            return self._in_flight

    def try_reserve(self) -> bool:
        """Take a place for the request this thread is about to dispatch; False when the pool is full."""
        with self._changed:
            if self._in_flight >= self.size:
                return False
            self._in_flight += 1
        self._local.reserved = True
        return True

    def release_unused(self) -> None:
        """After dispatch: give back the place if no listener work was submitted for it."""
        if getattr(self._local, "reserved", False):
            self._local.reserved = False
            self._finished()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if getattr(self._local, "reserved", False):
            self._local.reserved = False  # the request's own place
        else:
            with self._changed:
                self._in_flight += 1  # further work of a request (Bolt's lazy listeners)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self._finished())
        return future

    def _finished(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until no work is in flight (True), or `timeout` seconds pass (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_flight == 0, timeout)
