"""Streaming through a real gunicorn + gevent server: pacing, disconnects, concurrency."""

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from .fake_openai import FakeOpenAI, Fault
from .sse_client import open_stream, parse_events, read_stream
from .test_feedback_stream import UNICODE_TEXT
from .test_scale_out import start_async

QUESTION = "Describe a project you are proud of."
ANSWER = "I rebuilt our billing pipeline and cut failed payments by a third."


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory(INTERVIEW_HEARTBEAT_S="0.5")


def configure_upstream(fake, **settings) -> None:
    fake.reset()
    fake.configure(**settings)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def wait_for_status(server, feedback_id: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = get_json(f"{server.url}/api/v1/feedback/{feedback_id}")
        if record["status"] != "streaming":
            return record
        time.sleep(0.05)
    raise AssertionError(f"record {feedback_id} still streaming")


def post(server, delay_ms: int, **kwargs):
    body = {"question": QUESTION, "answer": ANSWER, "delay_ms": delay_ms}
    return read_stream(server.url, "POST", "/api/v1/feedback", body, **kwargs)


def test_characters_are_paced_on_a_monotonic_schedule(server, fake_openai):
    text = "Pacing check: forty characters of text!!"
    configure_upstream(fake_openai, text=text, chunk_chars=7)
    stream = post(server, delay_ms=30)

    deltas = stream.deltas()
    assert stream.text() == text and len(deltas) == 40
    ideal = (len(deltas) - 1) * 0.030
    duration = deltas[-1].at - deltas[0].at
    assert ideal * 0.97 <= duration <= ideal * 1.25
    # never a burst: character k is sent at start + k x delay, never before. The
    # client may read one late (a busy machine), which only delays it; one sent
    # early would arrive well before the others' common offset from the schedule.
    offsets = sorted(d.at - k * 0.030 for k, d in enumerate(deltas))
    assert offsets[len(offsets) // 2] - offsets[0] < 0.015


@pytest.mark.parametrize("chunk_chars", [1, 5])
def test_unicode_is_exact_from_upstream_to_client_to_record(server, fake_openai, chunk_chars):
    configure_upstream(fake_openai, text=UNICODE_TEXT, chunk_chars=chunk_chars)
    stream = post(server, delay_ms=0)
    done = stream.terminal().json()
    stored = get_json(f"{server.url}/api/v1/feedback/{done['id']}")
    assert stream.text() == done["feedback"] == stored["feedback"] == UNICODE_TEXT
    assert [d.json()["text"] for d in stream.deltas()].count("👨‍👩‍👧‍👦") == 1


def test_a_slower_upstream_is_followed_as_it_arrives(server, fake_openai):
    configure_upstream(fake_openai, text="slow-stream", chunk_chars=1, chunk_delay_s=0.08)
    stream = post(server, delay_ms=5)
    deltas = stream.deltas()
    assert stream.text() == "slow-stream"
    duration = deltas[-1].at - deltas[0].at
    assert 10 * 0.08 * 0.8 <= duration <= 10 * 0.08 * 1.6


def test_silence_before_the_first_token_gets_heartbeats(server, fake_openai):
    configure_upstream(fake_openai, text="late", first_token_delay_s=1.3)
    stream = post(server, delay_ms=0)
    assert stream.text() == "late"
    assert stream.comments.count(": ping") >= 2


def test_a_client_that_leaves_does_not_stop_the_generation(server, fake_openai):
    text = "x" * 120 + " the end"
    configure_upstream(fake_openai, text=text, chunk_chars=16)
    body = {"question": QUESTION, "answer": ANSWER, "delay_ms": 50}
    conn, response = open_stream(server.url, "POST", "/api/v1/feedback", body)
    events = parse_events(iter(response.readline, b""))
    start = next(events)
    first_delta = next(events)
    assert first_delta.event == "delta"
    conn.close()  # the candidate closes the tab after the first character

    record = wait_for_status(server, start.json()["id"])
    assert record["status"] == "completed"
    assert record["feedback"] == text


def test_fifty_simultaneous_streams_through_one_worker(server, fake_openai):
    text = "Concurrent feedback, paced per stream. Score: 7/10"
    configure_upstream(fake_openai, text=text, chunk_chars=5)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        streams = list(pool.map(lambda _: post(server, delay_ms=20, timeout=60), range(50)))
    elapsed = time.monotonic() - started

    assert all(s.status == 200 and s.text() == text for s in streams)
    assert all(s.terminal().event == "done" for s in streams)
    ids = {s.terminal().json()["id"] for s in streams}
    assert len(ids) == 50
    one_stream = (len(text) - 1) * 0.020
    assert elapsed < one_stream * 6  # they ran side by side, not one after another
    with urllib.request.urlopen(f"{server.url}/api/v1/feedback?limit=100", timeout=10) as r:
        listed = {item["id"]: item for item in json.loads(r.read())["items"]}
    assert all(listed[i]["status"] == "completed" and listed[i]["feedback"] == text for i in ids)


def test_the_event_loop_stays_free_while_streams_wait_on_the_upstream(server, fake_openai):
    configure_upstream(fake_openai, text="waiting", first_token_delay_s=2)
    with ThreadPoolExecutor(max_workers=10) as pool:
        pending = [pool.submit(post, server, 0) for _ in range(10)]
        time.sleep(0.5)
        started = time.monotonic()
        assert get_json(f"{server.url}/healthz")["database"] == "ok"
        assert time.monotonic() - started < 0.5
        assert all(f.result().text() == "waiting" for f in pending)


def test_the_worker_lends_one_upstream_connection_per_connection_it_admits(server_factory):
    """The upstream pools hold gunicorn's `worker_connections`; a generation past them waits."""
    with FakeOpenAI() as upstream:
        server = server_factory(upstream=upstream, GUNICORN_WORKER_CONNECTIONS="2")
        upstream.configure(text="held connections", chunk_chars=4)
        upstream.enqueue(Fault(chunk_delay_s=0.4), Fault(chunk_delay_s=0.4))  # 1.6 s each
        ids = [start_async(server, delay_ms=0) for _ in range(3)]  # a 202 frees its connection
        upstream.wait_for_requests(2)
        time.sleep(0.5)
        assert len(upstream.requests) == 2  # the third generation waits for an upstream connection
        records = [wait_for_status(server, feedback_id) for feedback_id in ids]
        assert len(upstream.requests) == 3
        assert [r["status"] for r in records] == ["completed"] * 3
        assert {r["feedback"] for r in records} == {"held connections"}
