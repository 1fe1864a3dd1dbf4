"""Following a record that another process (worker or instance) is generating.

Deliberate choices:
- Subscribe to the record's Redis channel first, then read the record: what
  was published in between is both in the database and in the channel, and
  characters are kept by offset, so none is missed or sent twice.
- Without Redis (or when it fails), re-read the record every
  INTERVIEW_POLL_INTERVAL_S: slower to show new text, still correct, since the
  producer flushes its progress to the database.
- Pacing follows the record's own schedule: character k is due at the first
  character's time + k x delay (the first character's time is created_at +
  first_token_ms), or when it reaches this process if that is later. A
  subscriber that joins late gets everything already due at once.
- The Redis subscription is released when the stream ends or the client
  leaves (`close`).
"""

import time
from array import array
from collections.abc import Callable
from datetime import UTC, datetime

import redis

from ..models import INTERRUPTED, STREAMING, as_utc
from .bus import Subscription
from .graphemes import split_graphemes
from .live import Outcome, bring_forward, outcome_of, start_event_data
from .record import FeedbackRecord

DELETED = Outcome(None, {"code": "deleted", "message": "The record was deleted."})


def _to_monotonic(moment: datetime) -> float:
    moment = as_utc(moment)
    return time.monotonic() - (datetime.now(UTC) - moment).total_seconds()


class FollowedRecord:
    """A feed of a record generated elsewhere (see the module docstring)."""

    def __init__(
        self,
        record: FeedbackRecord,
        subscription: Subscription | None,
        reload: Callable[[], FeedbackRecord | None],
        poll_s: float,
    ) -> None:
        """Follow `record`, read after `subscription` (if any) was made."""
        self._subscription = subscription
        self._reload = reload
        self._poll_s = poll_s
        self.characters: list[str] = []
        self.due_times = array("d")
        self.outcome: Outcome | None = None
        self._origin: float | None = None
        self.start = start_event_data(record)
        self._delay_s = record.delay_ms / 1000
        self._apply(record)

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def wait_for_more(self, seen: int, timeout: float) -> None:
        if self._subscription is not None:
            try:
                message = self._subscription.get(timeout)
            except redis.RedisError:
                self.close()  # fall back to polling the database
                return
            if message is None:
                return
            if "c" in message:
                self._extend(message["o"], message["c"])
                return
        else:
            time.sleep(max(0.0, min(timeout, self._poll_s)))
        self._refresh()

    def _refresh(self) -> None:
        record = self._reload()
        if record is None:
            self.outcome = DELETED
            self.close()
        else:
            self._apply(record)

    def _apply(self, record: FeedbackRecord) -> None:
        if self._origin is None and record.first_token_ms is not None:
            self._origin = _to_monotonic(record.created_at) + record.first_token_ms / 1000
        self._extend(0, split_graphemes(record.feedback))
        if record.status != STREAMING:
            if record.status == INTERRUPTED:
                bring_forward(self.due_times, time.monotonic())  # stopped: no more waiting
            self.outcome = outcome_of(record)
            self.close()

    def _extend(self, offset: int, characters: list[str]) -> None:
        """Append the characters past the ones this feed already has."""
        have = len(self.characters)
        if offset > have:
            self._refresh()  # a gap: the database holds what came between
            return
        now = time.monotonic()
        if self._origin is None:
            self._origin = now
        for index, character in enumerate(characters[have - offset :], start=have):
            self.due_times.append(max(self._origin + index * self._delay_s, now))
            self.characters.append(character)
