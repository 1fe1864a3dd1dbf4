"""Several gunicorn instances on one database: follow, resume and cancel from any of them."""

import json
import os
import signal
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from .fake_openai import FakeOpenAI, Fault
from .sse_client import open_stream, parse_events, read_stream

BODY = {"question": "How do you handle conflict?", "answer": "I listen first, then I act."}
TEXT = "".join(f"{i:03d} " for i in range(60))  # 240 characters, each position readable


def post_json(url: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(
        url + path,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"{}")


def get_json(url: str, path: str) -> dict:
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return json.loads(response.read())


def start_async(server, delay_ms: int) -> str:
    status, body = post_json(server.url, "/api/v1/feedback", {**BODY, "delay_ms": delay_ms})
    assert status == 202
    return body["id"]


def wait_for_status(server, feedback_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = get_json(server.url, f"/api/v1/feedback/{feedback_id}")
        if record["status"] != "streaming":
            return record
        time.sleep(0.05)
    raise AssertionError(f"{feedback_id} is still streaming")


def read_first(server, feedback_id: str, count: int):
    """Read the start and the first `count` deltas, then hang up."""
    return read_stream(
        server.url, "GET", f"/api/v1/feedback/{feedback_id}/events", max_events=count + 1
    )


def resume(server, feedback_id: str, last_event_id: str):
    started = time.monotonic()
    stream = read_stream(
        server.url,
        "GET",
        f"/api/v1/feedback/{feedback_id}/events",
        headers={"Last-Event-ID": last_event_id},
    )
    return stream, started


def configure(fake: FakeOpenAI, **settings) -> None:
    fake.reset()
    fake.configure(text=TEXT, **settings)


@pytest.fixture(scope="module", params=["redis", "polling"])
def instances(request, server_factory):
    """Two instances, A and B, sharing the database (and Redis, or not)."""
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    return server_factory(**extra), server_factory(**extra)


def test_post_on_one_instance_follow_and_resume_on_the_other(instances, fake_openai):
    a, b = instances
    configure(fake_openai, chunk_chars=6, chunk_delay_s=0.01)
    feedback_id = start_async(a, delay_ms=20)

    first = read_first(b, feedback_id, 40)
    assert [d.id for d in first.deltas()] == [str(i) for i in range(1, 41)]
    rest, reconnected = resume(b, feedback_id, "40")

    ids = [int(d.id) for d in rest.deltas()]
    assert ids == list(range(41, len(TEXT) + 1))  # exactly the rest: no gap, no repeat
    assert first.text() + rest.text() == TEXT
    done = rest.terminal()
    assert done.event == "done" and done.id == str(len(TEXT) + 1)
    assert done.json()["feedback"] == TEXT
    assert rest.deltas()[0].at - reconnected < 1.0


def test_a_follower_on_another_instance_is_paced_on_the_record_schedule(instances, fake_openai):
    a, b = instances
    # the upstream takes 3 s, so the follower joins while the record is generating
    configure(fake_openai, chunk_chars=40, chunk_delay_s=0.5)
    feedback_id = start_async(a, delay_ms=25)
    stream = read_stream(b.url, "GET", f"/api/v1/feedback/{feedback_id}/events")
    deltas = stream.deltas()
    assert stream.text() == TEXT
    # what was already due came at once, the rest one by one on the record's schedule
    tail = deltas[len(deltas) // 2 :]
    duration = tail[-1].at - tail[0].at
    assert duration == pytest.approx((len(tail) - 1) * 0.025, rel=0.2)


def test_cancel_on_one_instance_stops_the_generation_on_the_other(instances, fake_openai):
    a, b = instances
    configure(fake_openai, chunk_chars=2, chunk_delay_s=0.1)
    aborted_before = fake_openai.stats.streams_aborted_by_client
    feedback_id = start_async(a, delay_ms=0)
    time.sleep(0.8)

    follower = ThreadPoolExecutor(max_workers=1).submit(
        read_stream, b.url, "GET", f"/api/v1/feedback/{feedback_id}/events"
    )
    time.sleep(0.3)
    status, body = post_json(b.url, f"/api/v1/feedback/{feedback_id}/cancel")
    assert status == 202 and body["status"] == "cancelling"

    record = wait_for_status(a, feedback_id, timeout=5)
    assert record["status"] == "interrupted"
    assert 0 < len(record["feedback"]) < len(TEXT) and TEXT.startswith(record["feedback"])
    stream = follower.result(timeout=10)
    assert stream.terminal().event == "done"
    assert stream.terminal().json()["status"] == "interrupted"
    assert stream.text() == record["feedback"]
    deadline = time.monotonic() + 3
    while fake_openai.stats.streams_aborted_by_client == aborted_before:
        assert time.monotonic() < deadline, "the upstream stream was not closed"
        time.sleep(0.05)


@pytest.mark.parametrize("live_tail", ["redis", "polling"])
def test_two_workers_serve_any_stream(server_factory, request, fake_openai, live_tail):
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if live_tail == "redis" else {}
    server = server_factory(WEB_CONCURRENCY="2", **extra)
    assert len(server.worker_pids()) == 2
    configure(fake_openai, chunk_chars=8, chunk_delay_s=0.005)
    for _ in range(4):
        feedback_id = start_async(server, delay_ms=5)
        first = read_first(server, feedback_id, 25)
        rest, _ = resume(server, feedback_id, "25")
        assert first.text() + rest.text() == TEXT
        assert [int(d.id) for d in rest.deltas()] == list(range(26, len(TEXT) + 1))


def test_a_killed_worker_leaves_no_record_streaming(server_factory, redis_url, fake_openai):
    settings = {"REDIS_URL": redis_url, "INTERVIEW_STALE_AFTER_S": "2"}
    generating, following = server_factory(**settings), server_factory(**settings)
    configure(fake_openai, chunk_chars=2, chunk_delay_s=0.05)
    feedback_id = start_async(generating, delay_ms=0)
    follower = ThreadPoolExecutor(max_workers=1).submit(
        read_stream, following.url, "GET", f"/api/v1/feedback/{feedback_id}/events"
    )
    time.sleep(1.0)
    [worker] = generating.worker_pids()
    os.kill(worker, signal.SIGKILL)

    record = wait_for_status(following, feedback_id, timeout=15)
    assert record["status"] == "interrupted"
    assert record["feedback"] and TEXT.startswith(record["feedback"])
    stream = follower.result(timeout=10)
    assert stream.terminal().json()["status"] == "interrupted"
    assert stream.text() == record["feedback"]


def test_sigterm_ends_every_stream_with_a_saved_record(server_factory, fake_openai):
    server = server_factory(GUNICORN_GRACEFUL_TIMEOUT="8")  # streams are ended after 3 s
    configure(fake_openai, chunk_chars=20)
    fake_openai.enqueue(*[Fault(chunk_delay_s=0.6) for _ in range(2)])  # ~7 s to generate

    def inline(delay_ms: int):
        body = {**BODY, "delay_ms": delay_ms}
        return read_stream(server.url, "POST", "/api/v1/feedback", body, timeout=30)

    with ThreadPoolExecutor(max_workers=4) as pool:
        generating = [pool.submit(inline, 0) for _ in range(2)]
        fake_openai.wait_for_requests(2)
        pacing = pool.submit(inline, 60)  # generated at once, ~14 s to pace
        short = pool.submit(inline, 4)  # ~1 s
        time.sleep(0.5)
        server.terminate()
        generating = [f.result(timeout=20) for f in generating]
        pacing, short = pacing.result(timeout=20), short.result(timeout=20)
    server.process.wait(timeout=15)

    for stream in generating:  # stopped mid-generation: interrupted, nothing lost
        done = stream.terminal().json()
        assert done["status"] == "interrupted"
        assert stream.text() == done["feedback"] and TEXT.startswith(done["feedback"])
        assert 0 < len(done["feedback"]) < len(TEXT)
    for stream in (pacing, short):  # generated in time: the rest is sent, then done
        assert stream.terminal().json()["status"] == "completed"
        assert stream.text() == TEXT
    restarted = server_factory()
    records = get_json(restarted.url, "/api/v1/feedback?limit=100")["items"]
    assert records and all(record["status"] != "streaming" for record in records)


def test_abort_on_disconnect_closes_the_upstream(server_factory, fake_openai):
    server = server_factory(INTERVIEW_ABORT_ON_DISCONNECT="true")
    configure(fake_openai, chunk_chars=2, chunk_delay_s=0.05)
    aborted_before = fake_openai.stats.streams_aborted_by_client
    conn, response = open_stream(server.url, "POST", "/api/v1/feedback", {**BODY, "delay_ms": 0})
    events = parse_events(iter(response.readline, b""))
    start = next(events)
    for _ in range(3):
        next(events)
    conn.close()
    left_at = time.monotonic()

    while fake_openai.stats.streams_aborted_by_client == aborted_before:
        assert time.monotonic() - left_at < 1.5, "the upstream was not closed"
        time.sleep(0.02)
    record = wait_for_status(server, start.json()["id"])
    assert record["status"] == "interrupted"
    assert record["feedback"] and len(record["feedback"]) < len(TEXT)
    assert TEXT.startswith(record["feedback"])


def test_a_follower_that_leaves_releases_its_redis_subscription(
    server_factory, redis_url, fake_openai
):
    a = server_factory(REDIS_URL=redis_url)
    b = server_factory(REDIS_URL=redis_url)
    configure(fake_openai, chunk_chars=1, chunk_delay_s=0.02)
    feedback_id = start_async(a, delay_ms=20)
    channel = f"interview:feedback:{feedback_id}"
    client = redis.Redis.from_url(redis_url)
    try:
        conn, response = open_stream(b.url, "GET", f"/api/v1/feedback/{feedback_id}/events")
        events = parse_events(iter(response.readline, b""))
        for _ in range(4):
            next(events)
        assert client.pubsub_numsub(channel) == [(channel.encode(), 1)]
        conn.close()
        deadline = time.monotonic() + 3
        while client.pubsub_numsub(channel) != [(channel.encode(), 0)]:
            assert time.monotonic() < deadline, "the subscription outlived its client"
            time.sleep(0.05)
    finally:
        client.close()
    wait_for_status(a, feedback_id)
