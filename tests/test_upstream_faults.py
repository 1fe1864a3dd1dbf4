"""Upstream faults end the stream honestly and save the text so far."""

import itertools
import threading
import time

import pytest

from interview.extensions import db
from interview.feedback.providers import ProviderError
from interview.feedback.providers.openai_chat import OpenAIChatStream
from interview.models import Feedback

from .fake_openai import Fault
from .sse_client import stream_from_response

BODY = {"question": "Why should we hire you?", "answer": "I ship reliable software, fast."}
TEXT = "abcdefghijklmnopqrstuvwxyz" * 2


def post(client):
    return stream_from_response(client.post("/api/v1/feedback", json=BODY))


def saved(app, feedback_id) -> Feedback:
    with app.app_context():
        return db.session.get(Feedback, feedback_id)


@pytest.mark.parametrize(
    ("fault", "code", "partial"),
    [
        (Fault(status=500), "upstream_unavailable", ""),
        (Fault(status=503), "upstream_unavailable", ""),
        (Fault(status=401), "upstream_auth", ""),
        (Fault(status=429), "upstream_rate_limited", ""),
        (Fault(status=400), "upstream_rejected", ""),
        (Fault(status=404), "upstream_not_found", ""),
        (Fault(drop_after=3), "upstream_dropped", TEXT[:12]),
        (Fault(malformed_after=2), "upstream_malformed", TEXT[:8]),
        (Fault(finish_reason="content_filter"), "content_filtered", TEXT),
    ],
)
def test_a_fault_ends_with_an_error_event_and_a_failed_record(
    app, client, upstream, fault, code, partial
):
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(fault)
    stream = post(client)

    error = stream.terminal()
    assert error.event == "error"
    assert error.json()["code"] == code and error.json()["message"]
    assert error.id == str(len(stream.deltas()) + 1)
    assert stream.text() == partial
    record = saved(app, stream.events[0].json()["id"])
    assert record.status == "failed"
    assert record.feedback == partial
    assert record.error == error.json()
    assert record.completed_at is not None


def test_error_events_carry_no_secrets_or_internals(app, client, upstream):
    upstream.enqueue(Fault(status=401))
    stream = post(client)
    message = stream.terminal().data
    assert app.config["OPENAI_API_KEY"] not in message
    assert "127.0.0.1" not in message and "Traceback" not in message


def test_a_hanging_upstream_times_out_between_chunks(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_TIMEOUT_S="0.5")
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(hang_after=2))
    stream = post(app.test_client())
    assert stream.terminal().json()["code"] == "upstream_timeout"
    assert stream.text() == TEXT[:8]
    assert saved(app, stream.events[0].json()["id"]).feedback == TEXT[:8]


def test_a_slow_first_token_is_waited_for_and_measured(client, upstream):
    upstream.configure(text="late but fine", first_token_delay_s=0.4)
    stream = post(client)
    record = stream.terminal().json()
    assert record["status"] == "completed" and record["feedback"] == "late but fine"
    assert record["first_token_ms"] >= 350


def test_rate_limited_then_retried_before_the_first_byte(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_RETRIES="1")
    upstream.enqueue(Fault(status=429, retry_after=1))
    started = time.monotonic()
    stream = post(app.test_client())
    assert stream.terminal().json()["status"] == "completed"
    assert len(upstream.requests) == 2
    assert time.monotonic() - started >= 0.9  # Retry-After was honoured


def test_a_retry_after_past_the_bound_fails_at_once(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_RETRIES="2", INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S="2")
    upstream.enqueue(Fault(status=429, retry_after=3600))
    started = time.monotonic()
    stream = post(app.test_client())
    error = stream.terminal().json()
    assert error["code"] == "upstream_rate_limited"
    assert "3600 s" in error["message"]
    assert len(upstream.requests) == 1
    assert time.monotonic() - started < 1.5


def test_server_errors_back_off_and_retry_until_one_answers(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_RETRIES="2")
    upstream.enqueue(Fault(status=503), Fault(status=502))
    started = time.monotonic()
    stream = post(app.test_client())
    assert stream.terminal().json()["status"] == "completed"
    assert len(upstream.requests) == 3
    assert time.monotonic() - started >= 0.375 + 0.75  # backoff of 0.5 s then 1 s, less jitter


def test_an_unreachable_upstream_is_retried_then_reported(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_RETRIES="1", OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    stream = post(app.test_client())
    error = stream.terminal().json()
    assert error["code"] == "upstream_unreachable"
    assert "127.0.0.1" not in error["message"]
    record = saved(app, stream.events[0].json()["id"])
    assert record.status == "failed" and record.error == error


def test_a_cancel_during_a_retry_wait_ends_it_at_once(make_app, upstream):
    client = make_app(INTERVIEW_UPSTREAM_RETRIES="1").test_client()
    upstream.enqueue(Fault(status=429, retry_after=5))
    accepted = client.post("/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"})
    feedback_id = accepted.get_json()["id"]
    upstream.wait_for_requests(1)
    started = time.monotonic()
    assert client.post(f"/api/v1/feedback/{feedback_id}/cancel").status_code == 202
    events = stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))
    assert events.terminal().json()["status"] == "interrupted"
    assert time.monotonic() - started < 2
    assert len(upstream.requests) == 1


def test_server_errors_are_retried_but_never_a_started_stream(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_RETRIES="2")
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(status=500), Fault(drop_after=2))
    stream = post(app.test_client())
    assert stream.terminal().json()["code"] == "upstream_dropped"
    assert len(upstream.requests) == 2
    assert stream.text() == TEXT[:8]


def test_empty_deltas_and_the_usage_chunk_are_handled(client, upstream):
    upstream.configure(text="Keep going.", chunk_chars=2, empty_chunks=True)
    record = post(client).terminal().json()
    assert record["feedback"] == "Keep going."
    assert record["usage"] == {"prompt_tokens": 50, "completion_tokens": 6, "total_tokens": 56}


def test_cancel_stops_the_upstream_and_keeps_the_text_so_far(app, client, upstream):
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(hang_after=3))
    accepted = client.post("/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"})
    feedback_id = accepted.get_json()["id"]
    upstream.wait_for_requests(1)
    subscriber: list = []
    follower = threading.Thread(
        target=lambda: subscriber.append(
            stream_from_response(app.test_client().get(f"/api/v1/feedback/{feedback_id}/events"))
        )
    )
    follower.start()
    time.sleep(0.3)

    response = client.post(f"/api/v1/feedback/{feedback_id}/cancel")
    assert response.status_code == 202
    follower.join(timeout=10)

    [stream] = subscriber
    done = stream.terminal()
    assert done.event == "done" and done.json()["status"] == "interrupted"
    assert stream.text() == TEXT[:12] == done.json()["feedback"]
    record = saved(app, feedback_id)
    assert record.status == "interrupted" and record.feedback == TEXT[:12]
    again = client.post(f"/api/v1/feedback/{feedback_id}/cancel")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert client.post("/api/v1/feedback/nope/cancel").status_code == 404


def test_an_upstream_that_never_stops_is_cut_off(client, upstream, monkeypatch):
    monkeypatch.setattr("interview.feedback.producer.MAX_FEEDBACK_CHARACTERS", 10)
    upstream.configure(text=TEXT, chunk_chars=4)
    stream = post(client)
    assert stream.terminal().json()["code"] == "upstream_too_long"
    assert stream.text() == TEXT[:10]


def test_a_line_that_never_ends_is_malformed_not_buffered_forever():
    stream = OpenAIChatStream(None, {}, retries=0, max_retry_after_s=0)
    first = b'data: {"choices": [{"delta": {"content": "ok"}}]}\n\ndata: {"x": "'
    endless = (b"y" * 8192 for _ in range(200))  # 1.6 MB, no newline
    pieces = []
    with pytest.raises(ProviderError) as raised:
        for piece in stream._read_events(itertools.chain([first], endless)):
            pieces.append(piece)
    assert raised.value.code == "upstream_malformed"
    assert pieces == ["ok"]
