"""Housekeeping inside one process: progress flushes, stop requests, the stale sweep."""

import threading
import time
from datetime import timedelta

import pytest

from interview.extensions import db, runtime_of
from interview.feedback.maintenance import stop_requested_generations, sweep_stale_records
from interview.feedback.records import request_cancel, stop_requests_among
from interview.models import Feedback, utcnow

from .factories import feedback_record
from .fake_openai import Fault
from .sse_client import stream_from_response

BODY = {"question": "Why?", "answer": "Because I care about users."}
TEXT = "abcdefghijklmnopqrstuvwxyz" * 4


@pytest.fixture
def app(make_app):
    # Outside gevent, closing a socket does not wake a thread blocked reading it:
    # a cancelled hanging upstream ends at the read timeout, so keep it short.
    return make_app(INTERVIEW_UPSTREAM_TIMEOUT_S="1")


def other_process_record(app, *, minutes_silent: float, feedback: str = "partial") -> str:
    """Insert a `streaming` record as if another process were generating it."""
    with app.app_context():
        record = feedback_record(
            feedback=feedback,
            status="streaming",
            first_token_ms=5,
            created_at=utcnow() - timedelta(minutes=minutes_silent),
            progress_at=utcnow() - timedelta(minutes=minutes_silent),
        )
        db.session.add(record)
        db.session.commit()
        return record.feedback_id


def status_of(app, feedback_id):
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        return record.status, record.feedback


def test_text_is_flushed_while_the_upstream_is_silent(app, client, upstream):
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(hang_after=3))
    response = client.post("/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"})
    feedback_id = response.get_json()["id"]
    upstream.wait_for_requests(1)
    time.sleep(0.4)
    runtime_of(app).flusher.flush_waiting()
    # the last character is held back: the next chunk could still extend it
    assert status_of(app, feedback_id) == ("streaming", TEXT[:11])
    client.post(f"/api/v1/feedback/{feedback_id}/cancel")


def test_the_text_of_many_generations_is_flushed_batch_after_batch(
    make_app, upstream, monkeypatch
):
    # The upstreams hang until released: no read timeout may end one first, however
    # slowly a loaded machine makes the five requests.
    app = make_app(INTERVIEW_UPSTREAM_TIMEOUT_S="30")
    client = app.test_client()
    monkeypatch.setattr("interview.feedback.progress.FLUSH_BATCH_ROWS", 2)
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(*(Fault(hang_after=3) for _ in range(5)))
    async_request = {"Prefer": "respond-async"}
    ids = [
        client.post("/api/v1/feedback", json=BODY, headers=async_request).get_json()["id"]
        for _ in range(5)
    ]
    upstream.wait_for_requests(5)
    time.sleep(0.4)
    runtime_of(app).flusher.flush_waiting()
    assert [status_of(app, feedback_id) for feedback_id in ids] == [("streaming", TEXT[:11])] * 5
    for feedback_id in ids:
        client.post(f"/api/v1/feedback/{feedback_id}/cancel")
    upstream.release_hangs()  # the blocked reads end now, not at the read timeout


def test_a_flagged_or_deleted_record_stops_its_generation_here(app, client, upstream):
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(hang_after=2), Fault(hang_after=2))
    ids = [
        client.post("/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"}).get_json()[
            "id"
        ]
        for _ in range(2)
    ]
    upstream.wait_for_requests(2)
    with app.app_context():
        request_cancel(ids[0])
        db.session.delete(db.session.get(Feedback, ids[1]))
        db.session.commit()
        assert sorted(stop_requests_among(ids)) == sorted(ids)
        stop_requested_generations(runtime_of(app).live)
    deadline = time.monotonic() + 5
    while status_of(app, ids[0])[0] == "streaming":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert status_of(app, ids[0]) == ("interrupted", TEXT[:8])


def test_the_sweep_ends_only_records_without_a_sign_of_life(app):
    stale = other_process_record(app, minutes_silent=5)
    fresh = other_process_record(app, minutes_silent=0)
    with app.app_context():
        swept = sweep_stale_records(runtime_of(app))
    assert swept == [stale]
    assert status_of(app, stale) == ("interrupted", "partial")
    assert status_of(app, fresh)[0] == "streaming"
    with app.app_context():
        db.session.delete(db.session.get(Feedback, fresh))
        db.session.commit()


def test_cancelling_a_record_whose_worker_died_ends_it_at_once(app, client):
    orphan = other_process_record(app, minutes_silent=5)
    assert client.post(f"/api/v1/feedback/{orphan}/cancel").status_code == 202
    assert status_of(app, orphan) == ("interrupted", "partial")


@pytest.mark.parametrize("with_redis", [False, True])
def test_a_record_generated_elsewhere_is_followed_until_it_ends(make_app, request, with_redis):
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if with_redis else {}
    app = make_app(INTERVIEW_POLL_INTERVAL_S="0.05", **extra)
    feedback_id = other_process_record(app, minutes_silent=0, feedback="Hello")
    result = []
    follower = threading.Thread(
        target=lambda: result.append(
            stream_from_response(app.test_client().get(f"/api/v1/feedback/{feedback_id}/events"))
        )
    )
    follower.start()
    time.sleep(0.3)
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        record.feedback, record.status, record.completed_at = "Hello, world", "completed", utcnow()
        db.session.commit()
    runtime_of(app).bus.publish_end(feedback_id)
    follower.join(timeout=10)
    [stream] = result
    assert stream.text() == "Hello, world"
    assert stream.terminal().event == "done" and stream.terminal().id == "13"
