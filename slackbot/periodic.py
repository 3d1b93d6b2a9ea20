"""A background thread that runs one pass every N seconds: the reminder and sync loops of `serve`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("signode")


class Every(threading.Thread):
    """Call `tick` now and then every `interval` seconds until stopped; a failing pass is logged, not fatal.

    `stop(timeout)` lets a pass in progress finish (its transaction commits) and waits for it, bounded;
    `on_stop` is called first, for a pass that can be told to end early (a sync child process).
    """

    def __init__(self, name: str, interval: float, tick: Callable[[], object],
                 on_stop: Callable[[float], None] | None = None) -> None:
        super().__init__(name=f"signode-{name}", daemon=True)
        self.tick = tick
        self.interval = interval
        self.on_stop = on_stop
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:  # keep the loop alive; the traceback goes to the log
                log.exception("%s pass failed", self.name)
            self.stopping.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self.on_stop:
            self.on_stop(timeout)
        if self.is_alive() and self is not threading.current_thread():
            self.join(timeout)
