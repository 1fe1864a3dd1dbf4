"""The event stream of a feed, on a simulated clock."""

import json
import time

from interview.feedback.encoders import NativeEncoder
from interview.feedback.events import stream_feedback_events
from interview.feedback.live import Generation, Outcome, StoredFeed
from interview.feedback.pacing import Pacer
from interview.feedback.record import FeedbackRecord
from interview.schemas import feedback_schema
from tests.sse_client import parse_events

from .factories import stored_record
from .test_pacing import FakeClock

START = {"id": "rec1", "model": "m", "created_at": "2026-01-01T00:00:00+00:00"}


NATIVE = NativeEncoder(feedback_schema.dump)


def record(feedback: str, status: str = "completed", error=None) -> FeedbackRecord:
    return stored_record(feedback, status, error)


def events_of(chunks) -> list:
    return list(parse_events(iter(b"".join(chunks).splitlines(keepends=True))))


def test_a_finished_record_replays_at_once_and_ends_with_done_n_plus_one():
    clock = FakeClock()
    chunks = list(
        stream_feedback_events(
            StoredFeed(record("Hi 👋🏽")),
            pacer=Pacer(clock, clock.sleep),
            heartbeat_s=15,
            encoder=NATIVE,
        )
    )
    assert chunks[0].startswith(b"retry: 3000\n\nevent: start\ndata: ")
    assert len(chunks) == 3  # start, every due delta in one write, done
    events = events_of(chunks)
    assert [e.event for e in events] == ["start", "delta", "delta", "delta", "delta", "done"]
    assert [e.id for e in events[1:]] == ["1", "2", "3", "4", "5"]
    assert "".join(e.json()["text"] for e in events[1:-1]) == "Hi 👋🏽"
    assert events[-1].json()["feedback"] == "Hi 👋🏽"
    assert clock.sleeps == []


def test_resume_sends_only_what_follows_the_last_event_id():
    clock = FakeClock()
    events = events_of(
        stream_feedback_events(
            StoredFeed(record("abcd")),
            after=2,
            pacer=Pacer(clock, clock.sleep),
            heartbeat_s=15,
            encoder=NATIVE,
        )
    )
    assert [(e.event, e.id) for e in events] == [
        ("start", None),
        ("delta", "3"),
        ("delta", "4"),
        ("done", "5"),
    ]


def test_a_failed_record_ends_with_its_error_event():
    feed = StoredFeed(
        record("par", "failed", {"code": "upstream_dropped", "message": "closed early"})
    )
    clock = FakeClock()
    events = events_of(
        stream_feedback_events(
            feed, pacer=Pacer(clock, clock.sleep), heartbeat_s=15, encoder=NATIVE
        )
    )
    assert events[-1].event == "error" and events[-1].id == "4"
    assert events[-1].json() == {"code": "upstream_dropped", "message": "closed early"}


def test_live_characters_go_out_at_their_due_times():
    clock = FakeClock()
    generation = Generation(START, delay_s=0.05)
    generation.append(list("abc"), arrived_at=clock.now)
    generation.finish(Outcome(record("abc")))
    sent_at = []
    for chunk in stream_feedback_events(
        generation, pacer=Pacer(clock, clock.sleep), heartbeat_s=15, encoder=NATIVE
    ):
        sent_at.append((clock.now, chunk.count(b"event: delta")))
    assert [count for _, count in sent_at] == [0, 1, 1, 1, 0]
    times = [t for t, count in sent_at if count]
    assert [round(t - times[0], 6) for t in times] == [0.0, 0.05, 0.1]


def test_silence_gets_a_heartbeat_comment():
    generation = Generation(START, delay_s=0.0)
    stream = stream_feedback_events(generation, pacer=Pacer(), heartbeat_s=0.05, encoder=NATIVE)
    next(stream)
    assert next(stream) == b": ping\n\n"
    generation.finish(Outcome(record("")))
    assert json.loads(next(stream).split(b"data: ", 1)[1])["status"] == "completed"


def test_cancel_sends_what_was_received_at_once():
    generation = Generation(START, delay_s=10.0)
    generation.append(list("abc"), arrived_at=0.0)
    generation.cancel()
    generation.append(["d"], arrived_at=0.0)
    assert max(generation.due_times) <= time.monotonic()
