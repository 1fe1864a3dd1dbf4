"""The stale sweep ends the records of dead workers only: a database outage fakes no death.

Real gunicorn on PostgreSQL, reached through a TCP proxy the test cuts
(`servers.CuttableProxy`): the database goes away for longer than
INTERVIEW_STALE_AFTER_S while two workers of one instance go on generating and
another instance follows their records (and runs its own stale sweep).
"""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from interview.extensions import db
from interview.feedback.heartbeats import HeartbeatWatch, this_worker_id
from interview.feedback.records import interrupt_records_of
from interview.models import Feedback

from .servers import CuttableProxy
from .sse_client import read_stream, stream_from_response
from .test_scale_out import BODY, TEXT, post_json, wait_for_status

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

STALE_AFTER_S = 4.0


@pytest.fixture
def db_proxy(database_url):
    parts = urlsplit(database_url)
    with CuttableProxy(parts.hostname, parts.port or 5432) as proxy:
        yield proxy
        proxy.restore()


def through(proxy: CuttableProxy, database_url: str) -> str:
    parts = urlsplit(database_url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"127.0.0.1:{proxy.port}"
    return parts._replace(netloc=f"{credentials}@{netloc}" if credentials else netloc).geturl()


def start_generations(server, count: int) -> list[str]:
    """Start `count` background generations at once, so both workers take some."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        posts = [
            pool.submit(post_json, server.url, "/api/v1/feedback", {**BODY, "delay_ms": 0})
            for _ in range(count)
        ]
        return [post.result()[1]["id"] for post in posts]


@postgres_only
def test_an_outage_longer_than_the_threshold_sweeps_no_live_generation(
    server_factory, database_url, db_proxy, redis_url, fake_openai
):
    settings = {
        "DATABASE_URL": through(db_proxy, database_url),
        "REDIS_URL": redis_url,
        "INTERVIEW_STALE_AFTER_S": str(STALE_AFTER_S),
        "INTERVIEW_SAVE_RETRY_S": "60",
    }
    generating = server_factory(WEB_CONCURRENCY="2", **settings)
    following = server_factory(**settings)
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=4, chunk_delay_s=0.15)  # about 9 s each
    ids = start_generations(generating, 8)
    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        followers = [
            pool.submit(
                read_stream, following.url, "GET", f"/api/v1/feedback/{i}/events", timeout=60
            )
            for i in ids
        ]
        time.sleep(1.0)
        db_proxy.cut()
        time.sleep(STALE_AFTER_S * 1.5)
        # the generating workers are starved around the end of the outage, for less than
        # the threshold: the following instance sees the database again before they do
        for worker in generating.worker_pids():
            os.kill(worker, signal.SIGSTOP)
        time.sleep(0.5)
        db_proxy.restore()
        time.sleep(1.5)
        for worker in generating.worker_pids():
            os.kill(worker, signal.SIGCONT)
        streams = [follower.result(timeout=60) for follower in followers]

    records = [wait_for_status(following, feedback_id, timeout=30) for feedback_id in ids]
    assert [record["status"] for record in records] == ["completed"] * len(ids)
    assert all(record["feedback"] == TEXT for record in records)
    for stream, record in zip(streams, records, strict=True):
        done = stream.terminal()
        assert (done.event, done.json()["status"]) == ("done", record["status"])
        assert stream.text() == record["feedback"]


# -- judging a worker by its heartbeat, observation by observation -----------------------------


def judged_dead(observations: list[tuple[float, dict | None]]) -> list[list[str]]:
    """Feed (time, heartbeats or None for a failed check) to a watch; return each verdict."""
    watch = HeartbeatWatch("me", stale_after_s=10.0)
    verdicts = []
    for now, heartbeats in observations:
        if heartbeats is None:
            watch.forget()
            verdicts.append([])
        else:
            verdicts.append(watch.dead_workers(heartbeats, now))
    return verdicts


def silent(times: range) -> list[tuple[float, dict]]:
    return [(t, {"w": 5}) for t in times]


@pytest.mark.parametrize(
    ("observations", "last_verdict"),
    [
        # silent for the threshold, seen every second: dead
        (silent(range(11)), ["w"]),
        # one beat within the threshold: alive
        ([(t, {"w": 5 if t < 4 else 6}) for t in range(11)], []),
        # never beat at all (no row): dead all the same
        ([(t, {"w": None}) for t in range(11)], ["w"]),
        # a failed check in between starts the observation afresh
        (
            [(t, {"w": 5}) for t in range(6)] + [(6, None)] + [(t, {"w": 5}) for t in range(7, 12)],
            [],
        ),
        # the sweeper itself was starved: a gap of 6 s of 10 starts afresh
        ([(0, {"w": 5}), (1, {"w": 5}), (7, {"w": 5}), (8, {"w": 5}), (11, {"w": 5})], []),
        # a process never judges itself
        ([(t, {"me": 5}) for t in range(11)], []),
        # only the silent one of two
        ([(t, {"w": 5, "v": t}) for t in range(11)], ["w"]),
    ],
)
def test_a_worker_is_judged_dead_only_after_a_whole_threshold_of_silence_seen(
    observations, last_verdict
):
    verdicts = judged_dead(observations)
    assert verdicts[-1] == last_verdict
    assert not any(verdicts[:-1])


# -- a final save that finds its record already ended by the sweep ---------------------------


def test_a_generation_ended_by_the_sweep_keeps_that_status_and_saves_its_text(app, upstream):
    upstream.configure(text=TEXT, chunk_chars=8, chunk_delay_s=0.02)
    client = app.test_client()
    response = client.post("/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"})
    feedback_id = response.get_json()["id"]
    upstream.wait_for_requests(1)
    with app.app_context():  # a sweep that wrongly judged this process dead
        assert interrupt_records_of([this_worker_id()]) == [feedback_id]

    stream = stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))

    done = stream.terminal()
    assert (done.event, done.json()["status"]) == ("done", "interrupted")
    assert stream.text() == done.json()["feedback"] == TEXT
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        assert (record.status, record.feedback) == ("interrupted", TEXT)
