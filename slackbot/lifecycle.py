"""`signode serve` from start to SIGTERM, the signal Kubernetes sends before it kills a pod.

On SIGTERM or SIGINT, within `grace` seconds in all: stop accepting (close the listening socket or
the Socket Mode connection), let requests being answered finish, let every listener that was acked
finish its work (so an add that was answered 200 is stored), let a running reminder or sync pass
finish (its transaction commits or rolls back; a sync child past the deadline is terminated), then
exit 0. Kubernetes' terminationGracePeriodSeconds must be a little longer than `grace`.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from slackbot.periodic import Every
from slackbot.workers import Workers

log = logging.getLogger("signode")
DEFAULT_GRACE = 10.0


class Stopper:
    """Turns SIGTERM/SIGINT into an event the main thread waits on (handlers run only in the main thread)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name = ""

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signal_name = signal.Signals(signum).name
        self.event.set()

    def wait(self) -> str:
        while not self.event.wait(1.0):
            pass  # wake now and then so the interpreter can run the signal handler promptly
        return self.signal_name


def shut_down(grace: float, stop_intake: Callable[[float], bool], workers: Workers, loops: list[Every],
              after_loops: Callable[[], None] | None = None) -> bool:
    """Drain in order within `grace` seconds; True if everything finished in time."""
    deadline = time.monotonic() + grace

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    for loop in loops:
        loop.stopping.set()  # no new pass starts; a running one finishes below
    intake_done = stop_intake(left())
    work_done = workers.drain(left())
    for loop in loops:
        loop.stop(left())
    loops_done = not any(loop.is_alive() for loop in loops)
    if after_loops:
        after_loops()
    workers.shutdown(wait=False, cancel_futures=True)
    complete = intake_done and work_done and loops_done
    log.info("signode stopped: requests %s, listener work %s, loops %s", "drained" if intake_done else "cut",
             "finished" if work_done else f"cut with {workers.in_flight} in flight",
             "finished" if loops_done else "cut")
    return complete
