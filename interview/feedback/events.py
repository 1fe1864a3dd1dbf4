"""The event stream of one record: `start`, one `delta` per character, then the end.

Deliberate choices:
- A character is a grapheme cluster (see `graphemes.py`); its event id is its
  1-based index, and the terminal event (`done` or `error`) carries N+1, so a
  client that reconnects with the terminal id learns there is nothing left.
- Each character goes out at the due time its feed gives it (see `pacing.py`).
  Every character already due is written in one chunk: a subscriber that is
  behind (a reconnect, a slow socket) catches up at once instead of drifting.
- After `heartbeat_s` (15 s by default) without a write, a `: ping` comment
  keeps proxies and browsers from closing an idle connection.
- A client that leaves raises GeneratorExit at a `yield`. The generation goes
  on and saves the record, unless the caller passes `on_disconnect` (the
  inline stream does with INTERVIEW_ABORT_ON_DISCONNECT=true).
"""

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ..sse import HEARTBEAT, encode_delta, encode_event, encode_retry, to_json
from .live import Outcome
from .pacing import Pacer


class Feed(Protocol):
    start: dict[str, Any]
    characters: list[str]
    due_times: list[float]
    outcome: Outcome | None

    def wait_for_more(self, seen: int, timeout: float) -> None: ...

    def close(self) -> None: ...


def terminal_event(outcome: Outcome, event_id: int) -> str:
    """Return the `done` event with the saved record, or the `error` event."""
    if outcome.error is not None:
        error = {"code": outcome.error["code"], "message": outcome.error["message"]}
        return encode_event(to_json(error), event="error", event_id=event_id)
    return encode_event(to_json(outcome.record), event="done", event_id=event_id)


def stream_feedback_events(
    feed: Feed,
    *,
    after: int = 0,
    pacer: Pacer,
    heartbeat_s: float,
    on_disconnect: Callable[[], None] | None = None,
) -> Iterator[str]:
    """Yield the record's events, sending only the characters after index `after`."""
    try:
        yield from _events(feed, after, pacer, heartbeat_s)
    except GeneratorExit:
        if on_disconnect is not None and feed.outcome is None:
            on_disconnect()
        raise
    finally:
        feed.close()


def _events(feed: Feed, after: int, pacer: Pacer, heartbeat_s: float) -> Iterator[str]:
    yield encode_retry() + encode_event(to_json(feed.start), event="start")
    clock = pacer.clock
    sent = after
    last_write = clock()
    while True:
        outcome = feed.outcome  # read before the characters: once set, they are complete
        available = len(feed.characters)
        if available > sent:
            yield from _paced_deltas(feed, sent, available, pacer)
            sent, last_write = available, clock()
        elif outcome is not None:
            yield terminal_event(outcome, available + 1)
            return
        else:
            silence = clock() - last_write
            if silence >= heartbeat_s:
                yield HEARTBEAT
                last_write, silence = clock(), 0.0
            feed.wait_for_more(sent, heartbeat_s - silence)


def _paced_deltas(feed: Feed, start: int, stop: int, pacer: Pacer) -> Iterator[str]:
    """Yield characters start+1..stop, each at its due time, the due ones together."""
    batch: list[str] = []
    characters, due_times = feed.characters, feed.due_times
    for index in range(start, stop):
        due = due_times[index]
        if due > pacer.clock():
            if batch:
                yield "".join(batch)
                batch.clear()
            pacer.wait_until(due)
        batch.append(encode_delta(index + 1, characters[index]))
    yield "".join(batch)
