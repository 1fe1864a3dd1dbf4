"""Properties of the stream and the records, checked by Hypothesis on arbitrary input.

- What `sse.py` and the event stream write is read back exactly by
  eventsource-parser (tests/clients/sse_parse.mjs), the WHATWG-conformant parser
  the Vercel AI SDK and many other clients use: written by others, to the
  specification, sharing no code with ours. The stream's bytes are cut anywhere
  (inside a UTF-8 sequence, between CR and LF) and decoded as a browser does.
- The producer's path, from upstream pieces to `delta` events, sends every
  grapheme cluster exactly once and in order, on time, however the upstream
  cuts its text and whenever the pieces arrive: the real splitter, schedule,
  pacer and event stream, on a simulated clock, so nothing sleeps.
- Keyset pagination lists each record once, newest first, whatever the page
  size and however many records share a timestamp.

Locally each run explores new examples; in CI (CI set) the examples are fixed.
"""

import base64
import json
import os
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from itertools import accumulate

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interview.extensions import db
from interview.feedback.encoders import NativeEncoder
from interview.feedback.events import stream_feedback_events
from interview.feedback.graphemes import GraphemeSplitter, split_graphemes
from interview.feedback.live import Generation, Outcome, StoredFeed
from interview.feedback.pacing import Pacer
from interview.feedback.record import FeedbackRecord
from interview.feedback.records import list_records
from interview.schemas import feedback_schema
from interview.sse import HEARTBEAT, encode_event

from .conftest import NODE
from .factories import feedback_record, stored_record

PROPERTIES = settings(
    max_examples=150, deadline=None, database=None, derandomize=bool(os.environ.get("CI"))
)
START = {"id": "rec1", "model": "m", "created_at": "2026-01-01T00:00:00+00:00"}

# Code points that make grapheme clusters and SSE framing interesting: line breaks
# of every kind, NUL, combining marks, ZWJ sequences, skin tones, flags, Hangul
# jamo, a Devanagari conjunct, a prepended mark, separators JSON or SSE could trip on.
TRICKY = (
    '\r\n\t \x00a e:"\\{}'
    "\u0301\u0308\u200c\u200d\ufe0f\ufeff\u2028\u0085"
    "\U0001f44d\U0001f3fd\U0001f468\U0001f469\U0001f467\U0001f1f0\U0001f1f7"
    "\u1100\u1161\u11a8\u0915\u094d\u0937\u093f\u0600"
)
texts = st.one_of(st.text(), st.text(alphabet=st.sampled_from(TRICKY)))


class EventSourceParser:
    """eventsource-parser in one Node process for all examples, one stream per line."""

    def __init__(self, clients_dir) -> None:
        self.process = subprocess.Popen(
            [str(NODE), "sse_parse.mjs"],
            cwd=clients_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def parse(self, chunks: list[bytes]) -> dict:
        """Return the events, retries, comments and errors the parser saw in these chunks."""
        encoded = [base64.b64encode(chunk).decode() for chunk in chunks]
        self.process.stdin.write(json.dumps({"chunks": encoded}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def sse_parser(node_clients):
    parser = EventSourceParser(node_clients)
    yield parser
    parser.close()


def cut(data: bytes, positions: list[int]) -> list[bytes]:
    """Cut `data` at these byte offsets, as a network might."""
    bounds = [0, *sorted(set(positions)), len(data)]
    return [data[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def without(text: str, characters: str) -> str:
    return "".join(c for c in text if c not in characters)


def record(feedback: str, status: str = "completed", error=None) -> FeedbackRecord:
    return stored_record(feedback, status, error)


class FakeClock:
    """A clock that only moves when the code under test sleeps or waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.on_advance = lambda: None

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.advance_to(self.now + seconds)

    def advance_to(self, moment: float) -> None:
        self.now = max(self.now, moment)
        self.on_advance()


# -- the wire format, read back by an independent parser ------------------------------


@PROPERTIES
@given(text=texts, error_message=st.none() | texts, data=st.data())
def test_a_stream_reads_back_as_the_text_with_its_event_ids(sse_parser, text, error_message, data):
    if error_message is None:
        stored = record(text)
    else:
        stored = record(text, "failed", {"code": "upstream_dropped", "message": error_message})
    clock = FakeClock()
    writes = stream_feedback_events(
        StoredFeed(stored),
        pacer=Pacer(clock, clock.sleep),
        heartbeat_s=15,
        encoder=NativeEncoder(feedback_schema.dump),
    )
    wire = HEARTBEAT.encode().join(writes)  # keep-alives between the writes
    positions = data.draw(st.lists(st.integers(0, len(wire)), max_size=12), label="cuts")

    parsed = sse_parser.parse(cut(wire, positions))

    characters = split_graphemes(text)
    start, *deltas, end = parsed["events"]
    assert parsed["errors"] == []
    assert parsed["retries"] == [3000]
    assert set(parsed["comments"]) <= {"ping"}
    assert (start["event"], start["id"], json.loads(start["data"])) == ("start", None, START)
    assert [(e["event"], e["id"]) for e in deltas] == [
        ("delta", str(n)) for n in range(1, len(characters) + 1)
    ]
    assert [json.loads(e["data"])["text"] for e in deltas] == characters
    assert "".join(json.loads(e["data"])["text"] for e in deltas) == text
    assert end["id"] == str(len(characters) + 1)
    if error_message is None:
        assert end["event"] == "done"
        assert json.loads(end["data"])["feedback"] == text
    else:
        assert end["event"] == "error"
        assert json.loads(end["data"]) == {"code": "upstream_dropped", "message": error_message}


field_values = st.none() | texts | st.integers(min_value=0)


@PROPERTIES
@given(text=texts, event=st.none() | texts, event_id=field_values, data=st.data())
def test_encode_event_keeps_any_data_name_and_id(sse_parser, text, event, event_id, data):
    wire = encode_event(text, event=event, event_id=event_id).encode("utf-8")
    positions = data.draw(st.lists(st.integers(0, len(wire)), max_size=6), label="cuts")

    parsed = sse_parser.parse(cut(wire, positions))

    assert parsed["errors"] == []
    if text == "":
        # The specification dispatches no event with empty data; this parser does.
        assert [e["data"] for e in parsed["events"]] in ([], [""])
        return
    [received] = parsed["events"]
    assert received["data"] == text.replace("\r\n", "\n").replace("\r", "\n")
    # a line break would start another field, and clients drop an id with NUL
    if event is None:
        assert received["event"] is None
    else:
        assert received["event"] == (without(event, "\r\n") or None)
    if event_id is None:
        assert received["id"] is None
    else:
        assert received["id"] == without(str(event_id), "\r\n\0")


# -- the producer's path: pieces in, one delta per grapheme out, on time --------------


class SimulatedGeneration(Generation):
    """A `Generation` fed as `producer.produce` feeds it, by pieces arriving over time.

    Time is in whole units (the schedule's delay too), so every sum is exact.
    """

    def __init__(self, pieces: list[tuple[float, str]], ends_at: float, delay: float, clock):
        super().__init__(START, delay_s=delay)
        self.pending = list(pieces)
        self.ends_at = ends_at
        self.clock = clock
        self.splitter = GraphemeSplitter()
        self.text = "".join(piece for _, piece in pieces)
        clock.on_advance = self.deliver

    def next_arrival(self) -> float | None:
        if self.pending:
            return self.pending[0][0]
        return None if self.outcome is not None else self.ends_at

    def deliver(self) -> None:
        """Append what the upstream has sent by now, each piece at its arrival time."""
        while self.pending and self.pending[0][0] <= self.clock.now:
            arrived_at, piece = self.pending.pop(0)
            self.append(self.splitter.feed(piece), arrived_at)
        if not self.pending and self.outcome is None and self.ends_at <= self.clock.now:
            self.append(self.splitter.flush(), self.ends_at)
            self.finish(Outcome(record(self.text)))

    def wait_for_more(self, seen: int, timeout: float) -> None:
        arrival = self.next_arrival()
        deadline = self.clock.now + timeout
        self.clock.advance_to(deadline if arrival is None else min(arrival, deadline))


class RecordingEncoder(NativeEncoder):
    def __init__(self, clock) -> None:
        super().__init__(feedback_schema.dump)
        self.clock = clock
        self.deltas: list[tuple[int, str, float]] = []

    def delta(self, index: int, text: str) -> str:
        self.deltas.append((index, text, self.clock.now))
        return super().delta(index, text)


@st.composite
def upstream_pieces(draw, text: str) -> list[tuple[float, str]]:
    """Cut `text` anywhere (inside a cluster too) into pieces with arrival times."""
    cuts = draw(st.lists(st.integers(0, len(text)), max_size=len(text)))
    bounds = [0, *sorted(set(cuts)), len(text)]
    pieces = [text[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]
    gaps = draw(st.lists(st.integers(0, 6), min_size=len(pieces), max_size=len(pieces)))
    return list(zip(map(float, accumulate(gaps)), pieces, strict=True))


@PROPERTIES
@given(text=texts, delay=st.integers(0, 3), data=st.data())
def test_every_grapheme_goes_out_once_in_order_and_on_time(text, delay, data):
    heartbeat_s = 4.0  # longer than any delay here, so no wait outlasts it
    pieces = data.draw(upstream_pieces(text), label="pieces")
    ends_at = (pieces[-1][0] if pieces else 0.0) + data.draw(st.integers(0, 6), label="end")
    clock = FakeClock()
    generation = SimulatedGeneration(pieces, ends_at, float(delay), clock)
    characters = split_graphemes(text)
    after = data.draw(st.integers(0, len(characters)), label="last event id")
    encoder = RecordingEncoder(clock)

    writes = []
    for chunk in stream_feedback_events(
        generation,
        after=after,
        pacer=Pacer(clock, clock.sleep),
        heartbeat_s=heartbeat_s,
        encoder=encoder,
    ):
        writes.append((clock.now, chunk))

    # every grapheme after the resume point, exactly once, in order, then the end
    assert [(i, t) for i, t, _ in encoder.deltas] == list(enumerate(characters, start=1))[after:]
    assert generation.characters == characters
    assert f"id: {len(characters) + 1}\nevent: done\n".encode() in writes[-1][1]
    # each at its due time, never sooner than the pace or than the upstream sent it
    sent_at = [at for _, _, at in encoder.deltas]
    assert sent_at == list(generation.due_times[after:])
    assert all(b - a >= delay for a, b in zip(sent_at, sent_at[1:], strict=False))
    received_by = [arrival for arrival, piece in pieces for _ in piece]
    ends = list(accumulate(len(c) for c in characters))
    assert all(at >= received_by[end - 1] for at, end in zip(sent_at, ends[after:], strict=True))
    # and, for a subscriber from the start, never a silence longer than the heartbeat
    # interval (one resuming after characters not yet due waits for them in silence)
    times = [at for at, _ in writes]
    assert after > 0 or all(b - a <= heartbeat_s for a, b in zip(times, times[1:], strict=False))


@PROPERTIES
@given(text=texts, delay=st.integers(0, 3))
def test_a_burst_takes_n_minus_one_delays(text, delay):
    clock = FakeClock()
    generation = SimulatedGeneration([(0.0, text)], 0.0, float(delay), clock)
    encoder = RecordingEncoder(clock)
    list(
        stream_feedback_events(
            generation, pacer=Pacer(clock, clock.sleep), heartbeat_s=4.0, encoder=encoder
        )
    )
    assert [at for _, _, at in encoder.deltas] == [
        float(k * delay) for k in range(len(split_graphemes(text)))
    ]


# -- keyset pagination ----------------------------------------------------------------


@pytest.fixture
def paged_app(make_app, database_url):
    """The app; on PostgreSQL in a session time zone far from UTC, as a server may be set."""
    if database_url.startswith("postgresql"):
        return make_app(DATABASE_URL=database_url + "?options=-c%20TimeZone%3DAsia/Kolkata")
    return make_app()


@settings(PROPERTIES, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(0, 3_000_000), max_size=12),
    limit=st.integers(1, 5),
)
def test_pages_list_every_record_once_newest_first(paged_app, offsets, limit):
    owner = uuid.uuid4().hex  # examples share the database, not their records
    base = datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)
    with paged_app.app_context():
        records = [
            feedback_record(owner=owner, created_at=base + timedelta(microseconds=offset))
            for offset in offsets
        ]
        db.session.add_all(records)
        db.session.commit()
        newest_first = [
            r.feedback_id
            for r in sorted(records, key=lambda r: (r.created_at, r.feedback_id), reverse=True)
        ]
        listed, cursor = [], None
        while True:
            db.session.remove()  # each page is another request, with its own session
            page, cursor = list_records(owner, limit, cursor)
            assert len(page) <= limit
            listed += [r.feedback_id for r in page]
            if cursor is None or len(listed) > len(records):
                break
        db.session.remove()
    assert listed == newest_first
