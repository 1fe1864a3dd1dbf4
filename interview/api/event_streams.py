"""The cap on each caller's open event streams (`GET /feedback/<id>/events`).

A replay of a finished record is cheap but not free, and a follower holds its
connection for as long as the generation runs: past INTERVIEW_MAX_EVENT_STREAMS
streams of one caller open at once, another is 429 problem+json with
Retry-After. A stream holds its slot from the request until its response is
closed (the client read it all, or left). The count is kept per worker
process, where the streams are: N workers let a caller hold up to N times the
cap, and nothing is lost when a worker dies.
"""

from collections import Counter
from threading import Lock

from flask import Flask, Response, current_app
from werkzeug.exceptions import TooManyRequests

from .callers import caller_key

#: A replay ends in a moment; a follower within the generation's minute or two.
RETRY_AFTER_S = 2


class EventStreamSlots:
    """Each caller's open event streams in this process, up to `limit` (None: no cap)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()
        self._lock = Lock()

    def acquire(self, caller: str) -> bool:
        with self._lock:
            if self.limit is not None and self._open[caller] >= self.limit:
                return False
            self._open[caller] += 1
            return True

    def release(self, caller: str) -> None:
        with self._lock:
            self._open[caller] -= 1
            if self._open[caller] <= 0:
                del self._open[caller]


def register_event_stream_slots(app: Flask) -> None:
    app.extensions["interview.event_streams"] = EventStreamSlots(
        app.config["INTERVIEW_MAX_EVENT_STREAMS"]
    )


def holding_a_slot(view):
    """Run an events view in one of the caller's slots, held until its response is closed."""

    def wrapped(*args, **kwargs):
        slots: EventStreamSlots = current_app.extensions["interview.event_streams"]
        caller = caller_key()
        if not slots.acquire(caller):
            raise TooManyRequests(
                f"{slots.limit} event streams are already open for this caller; "
                "close one, or wait for one to end.",
                retry_after=RETRY_AFTER_S,
            )
        try:
            response: Response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            slots.release(caller)
            raise
        response.call_on_close(lambda: slots.release(caller))
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
