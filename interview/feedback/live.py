"""The characters of a record as its subscribers see them, live or stored.

A *feed* is what the event stream reads: `start` (the start event's data),
`characters` and their `due_times` (append-only lists), `outcome` (set once, when
the record is finished), `wait_for_more(seen, timeout)` and `close()`.

- `Generation`: a record being generated in this process. The producer appends
  characters as they arrive; subscribers wait on its condition.
- `StoredFeed`: a stored record that is finished; everything is due at once.
- `FollowedRecord` (`follow.py`): a record another process is generating.
"""

import threading
import time
from array import array
from collections.abc import MutableSequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..models import FAILED
from .graphemes import split_graphemes
from .pacing import PacedSchedule
from .providers import ProviderStream
from .record import FeedbackRecord, utc_isoformat


@dataclass(frozen=True)
class Outcome:
    """How a record ended: the saved record for `done`, or the error for `error`."""

    record: FeedbackRecord | None
    error: dict[str, str] | None = None


def start_event_data(record: FeedbackRecord) -> dict[str, Any]:
    return {
        "id": record.feedback_id,
        "model": record.model,
        "created_at": utc_isoformat(record.created_at),
    }


def outcome_of(record: FeedbackRecord) -> Outcome:
    """Return the terminal outcome of a finished stored record."""
    if record.status == FAILED:
        return Outcome(record, record.error or {"code": "failed", "message": "Failed."})
    return Outcome(record)


class Generation:
    """A record's feedback while this process generates it."""

    def __init__(self, start: dict[str, Any], delay_s: float) -> None:
        self.feedback_id: str = start["id"]
        self.start = start
        self.characters: list[str] = []
        self.due_times = array("d")  # compact: no float object per character
        self.outcome: Outcome | None = None
        self.cancel_requested = False
        self._woken = threading.Event()  # set by cancel() and wake(): stop pausing
        self._schedule = PacedSchedule(delay_s)
        self._changed = threading.Condition()
        self._upstream: ProviderStream | None = None
        self._produced = threading.Event()  # the producer has returned

    def attach(self, upstream: ProviderStream) -> None:
        """Remember the upstream stream, so `cancel` can close it."""
        self._upstream = upstream
        if self.cancel_requested:
            upstream.close()

    def append(self, characters: list[str], arrived_at: float) -> None:
        if not characters:
            return
        with self._changed:
            for character in characters:
                self.due_times.append(self._schedule.due(arrived_at))
                self.characters.append(character)
            self._changed.notify_all()

    def finish(self, outcome: Outcome) -> None:
        with self._changed:
            self.outcome = outcome
            self._changed.notify_all()

    def cancel(self) -> None:
        """Ask the producer to stop: close the upstream, keep the text so far.

        Characters already received but not yet due go out at once, so every
        subscriber reaches `done` promptly with the same text as the record.
        """
        self.cancel_requested = True
        self._woken.set()
        with self._changed:
            self._schedule = PacedSchedule(0.0)  # what still arrives is due on arrival
            bring_forward(self.due_times, time.monotonic())
            self._changed.notify_all()
        if self._upstream is not None:
            self._upstream.close()

    def ahead_s(self, now: float) -> float:
        """How long until the last character received so far is due."""
        return self.due_times[-1] - now if self.due_times else 0.0

    def pause(self, timeout: float) -> None:
        """The producer waits here while ahead of the pace, until `wake` or `cancel`."""
        self._woken.wait(timeout)

    def wake(self) -> None:
        """End the producer's pauses for good: read what the upstream has sent, now."""
        self._woken.set()

    def wait_for_more(self, seen: int, timeout: float) -> None:
        """Return when there are more than `seen` characters, the end, or after `timeout`."""
        with self._changed:
            self._changed.wait_for(
                lambda: len(self.characters) > seen or self.outcome is not None, timeout
            )

    def close(self) -> None:
        """A subscriber is done with this feed; the generation goes on."""

    def producer_returned(self) -> None:
        """The producer is done with this generation: saved, announced, unregistered."""
        self._produced.set()

    def wait_produced(self, timeout: float | None = None) -> bool:
        """Wait until the producer has returned; False after `timeout`."""
        return self._produced.wait(timeout)


def bring_forward(due_times: MutableSequence[float], now: float) -> None:
    """Make every character due no later than `now`."""
    for index, due in enumerate(due_times):
        if due > now:
            due_times[index] = now


class StoredFeed:
    """A finished stored record: its text, and every character due at once (`replay.py`)."""

    def __init__(self, record: FeedbackRecord) -> None:
        self.start = start_event_data(record)
        self.text: str = record.feedback
        self.characters = stored_characters(self.text)
        self.due_times = array("d", bytes(8 * len(self.characters)))  # all 0.0
        self.outcome: Outcome = outcome_of(record)

    def wait_for_more(self, seen: int, timeout: float) -> None:
        """Nothing more comes: the record is finished."""

    def close(self) -> None:
        """Nothing to release."""


@lru_cache(maxsize=16)
def stored_characters(text: str) -> list[str]:
    """The characters of a stored text, split once for a burst of its replays (never mutated)."""
    return split_graphemes(text)


class LiveGenerations:
    """The generations this application runs in this process, by record id."""

    def __init__(self) -> None:
        self._by_id: dict[str, Generation] = {}

    def add(self, generation: Generation) -> None:
        self._by_id[generation.feedback_id] = generation

    def get(self, feedback_id: str) -> Generation | None:
        return self._by_id.get(feedback_id)

    def discard(self, feedback_id: str) -> None:
        self._by_id.pop(feedback_id, None)

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def all(self) -> list[Generation]:
        return list(self._by_id.values())
