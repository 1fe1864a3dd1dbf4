"""When each character is due, and how a stream waits for that moment.

Deliberate choices:
- Due times are absolute, on the monotonic clock, and fixed when a character
  arrives: character k is due at max(its arrival, due of k-1 + delay). N
  characters therefore take (N-1) x delay when the upstream is faster than the
  pace, never less, and follow the upstream when it is slower. Sleeping
  "delay after each write" would instead drift by every wake-up's overshoot.
- The schedule belongs to the generation, not to a connection, so every
  subscriber of a record (the inline client, a reconnect, a second tab) sends
  character k at the same moment, and a subscriber that is behind sends every
  character already due at once.
- A pacer is the one place a stream waits for a due time. Under gevent (the
  gunicorn worker) one `SharedPacer` per process wakes every stream: a single
  event-loop timer, armed for the earliest due time on a TICK_S grid, resumes
  every stream then due in one pass of the loop. One timer per character per
  stream (`time.sleep`) would cost a loop iteration and a timer for each of
  the thousands of characters due every second. Elsewhere (threads: the CLI,
  tests) `Pacer` sleeps per stream.
"""

import heapq
import itertools
import math
import time
from collections.abc import Callable

import gevent
from gevent import get_hub, monkey
from gevent.hub import Waiter

TICK_S = 0.001


class PacedSchedule:
    """Assigns each arriving character its due time."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self._last_due: float | None = None

    def due(self, arrived_at: float) -> float:
        """Return the due time of the next character, which arrived at `arrived_at`."""
        if self._last_due is None or arrived_at >= self._last_due + self.delay_s:
            due = arrived_at
        else:
            due = self._last_due + self.delay_s
        self._last_due = due
        return due


class Pacer:
    """Waits until a due time on the monotonic clock."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.clock = clock
        self._sleep = sleep
        self.released = False

    def wait_until(self, deadline: float) -> None:
        """Return at `deadline` or, when it has passed (or the pacer is released), at once."""
        # A timer may wake a little early; never send a character before it is due.
        while not self.released and (remaining := deadline - self.clock()) > 0:
            self._sleep(min(remaining, 1.0))

    def release(self) -> None:
        """Stop pacing for good: every stream sends what it has at once (worker shutdown)."""
        self.released = True


class SharedPacer:
    """Waits until a due time, one gevent timer for all the streams of the process."""

    def __init__(self) -> None:
        self.clock = time.monotonic
        self.released = False
        self._loop = get_hub().loop
        self._waiting: list[tuple[float, int, Waiter]] = []  # (due, order, Waiter)
        self._order = itertools.count()
        self._timer = None
        self._armed_for = math.inf

    def wait_until(self, deadline: float) -> None:
        """Return at `deadline` or, when it has passed (or the pacer is released), at once."""
        if self.released or deadline <= self.clock():
            return
        waiter = Waiter()
        heapq.heappush(self._waiting, (deadline, next(self._order), waiter))
        if deadline < self._armed_for:
            self._arm_by(deadline)
        waiter.get()

    def release(self) -> None:
        """Stop pacing for good: every stream sends what it has at once (worker shutdown)."""
        self.released = True
        self._arm_by(self.clock())

    def _arm_by(self, deadline: float) -> None:
        """Make sure the timer fires by `deadline`, rounded up to the tick grid."""
        target = math.ceil(deadline / TICK_S) * TICK_S
        if target >= self._armed_for:
            return
        if self._timer is not None:
            self._timer.close()
        self._loop.update_now()
        self._timer = self._loop.timer(max(0.0, target - self.clock()))
        self._armed_for = target
        self._timer.start(self._resume_due)

    def _resume_due(self) -> None:
        """In the event loop: resume every stream that is due, then arm for the next."""
        self._timer.close()
        self._timer, self._armed_for = None, math.inf
        now = self.clock()
        waiting = self._waiting
        while waiting and (self.released or waiting[0][0] <= now):
            heapq.heappop(waiting)[2].switch(None)  # runs that stream until it waits again
        if waiting:
            self._arm_by(waiting[0][0])


def under_gevent() -> bool:
    """True in a process gevent has patched (a gunicorn gevent worker)."""
    return monkey.is_module_patched("time")


def process_pacer() -> Pacer | SharedPacer:
    """The pacer for every stream of this process: shared under gevent, per stream elsewhere."""
    return SharedPacer() if under_gevent() else Pacer()


def after_due_streams() -> None:
    """Under gevent, return once the event loop has nothing more urgent (a due stream) to run.

    New streams' set-up waits here, so a burst of new streams delays their
    own start, never the characters of the streams already open.
    """
    if under_gevent():
        gevent.idle()
