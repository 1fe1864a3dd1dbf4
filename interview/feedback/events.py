"""The event stream of one record: `start`, one `delta` per character, then the end.

Deliberate choices:
- A character is a grapheme cluster (see `graphemes.py`); its event id is its
  1-based index, and the terminal event (`done` or `error`) carries N+1, so a
  client that reconnects with the terminal id learns there is nothing left.
- Each character goes out at the due time its feed gives it (see `pacing.py`).
  Every character already due is written in one chunk: a subscriber that is
  behind (a reconnect, a slow socket) catches up at once instead of drifting.
- After `heartbeat_s` (15 s by default) without a write, a `: ping` comment
  keeps proxies and browsers from closing an idle connection (for protocols
  whose clients ignore comments).
- What goes on the wire is the encoder's business (`encoders.py`): this API's
  own events, the AI SDK's or OpenAI's on the compatibility routes.
  The stream yields it as UTF-8 bytes, ready for the server to write as is.
- A finished stored record is replayed from its encoded run (`replay.py`) when
  the caller passes a `ReplayCache`: the same bytes, encoded once, written in
  large pieces with the event loop let go between them.
- A client that leaves raises GeneratorExit at a `yield`. The generation goes
  on and saves the record, unless the caller passes `on_disconnect` (the
  inline stream does with INTERVIEW_ABORT_ON_DISCONNECT=true).
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from .encoders import EventEncoder
from .live import Outcome, StoredFeed
from .pacing import Pacer, SharedPacer
from .replay import ReplayCache, in_pieces
from .telemetry import StreamWatch, watch_stream


class Feed(Protocol):
    """What the stream reads of a record: a `Generation`, a `StoredFeed` or a `FollowedRecord`."""

    start: dict[str, Any]
    characters: list[str]
    due_times: Sequence[float]
    outcome: Outcome | None

    def wait_for_more(self, seen: int, timeout: float) -> None: ...

    def close(self) -> None: ...


def stream_feedback_events(
    feed: Feed,
    *,
    after: int = 0,
    pacer: Pacer | SharedPacer,
    heartbeat_s: float,
    on_disconnect: Callable[[], None] | None = None,
    encoder: EventEncoder,
    replays: ReplayCache | None = None,
) -> Iterator[bytes]:
    """Yield the record's events, sending only the characters after index `after`."""
    watch = watch_stream(after)
    try:
        if replays is not None and isinstance(feed, StoredFeed) and encoder.replay_key:
            yield from _replay(feed, after, encoder, replays, watch)
        else:
            yield from _events(feed, after, pacer, heartbeat_s, encoder, watch)
    except GeneratorExit:
        if on_disconnect is not None and feed.outcome is None:
            on_disconnect()
        raise
    finally:
        watch.close()
        feed.close()


def _events(
    feed: Feed,
    after: int,
    pacer: Pacer | SharedPacer,
    heartbeat_s: float,
    encoder: EventEncoder,
    watch: StreamWatch,
) -> Iterator[bytes]:
    yield encoder.opening(feed.start).encode()
    clock = pacer.clock
    sent = after
    last_write = clock()
    while True:
        outcome = feed.outcome  # read before the characters: once set, they are complete
        available = len(feed.characters)
        if available > sent:
            yield from _paced_deltas(feed, sent, available, pacer, encoder, watch)
            sent, last_write = available, clock()
        elif outcome is not None:
            yield encoder.terminal(outcome, available + 1).encode()
            return
        else:
            silence = clock() - last_write
            if silence >= heartbeat_s:
                if encoder.heartbeat is not None:
                    yield encoder.heartbeat.encode()
                last_write, silence = clock(), 0.0
            feed.wait_for_more(sent, heartbeat_s - silence)


def _replay(
    feed: StoredFeed,
    after: int,
    encoder: EventEncoder,
    replays: ReplayCache,
    watch: StreamWatch,
) -> Iterator[bytes]:
    """The events of a finished record, as `_events` writes them, from its encoded run."""
    yield encoder.opening(feed.start).encode()
    count = len(feed.characters)
    if count > after:
        run = replays.run(encoder.replay_key, feed.text, feed.characters, encoder)
        yield from in_pieces(run.after(after))
        watch.sent(count - after)
    yield encoder.terminal(feed.outcome, count + 1).encode()


def _paced_deltas(
    feed: Feed,
    start: int,
    stop: int,
    pacer: Pacer | SharedPacer,
    encoder: EventEncoder,
    watch: StreamWatch,
) -> Iterator[bytes]:
    """Yield characters start+1..stop, each at its due time, the due ones together.

    `watch` hears of each batch once it is written (the yield has returned).
    """
    batch: list[str] = []
    characters, due_times = feed.characters, feed.due_times
    for index in range(start, stop):
        due = due_times[index]
        if due > pacer.clock():
            if batch:
                yield "".join(batch).encode()
                watch.sent(len(batch))
                batch.clear()
            pacer.wait_until(due)
        batch.append(encoder.delta(index + 1, characters[index]))
    yield "".join(batch).encode()
    watch.sent(len(batch))
