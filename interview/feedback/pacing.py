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
- `Pacer` is the one place a stream waits for a due time. It sleeps with
  `time.sleep`, which gunicorn's gevent worker has made cooperative; its small
  interface lets one shared timer drive every stream later without touching
  the streams.
"""

import time
from collections.abc import Callable


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
