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

from .servers import CuttableProxy
from .sse_client import read_stream
from .test_scale_out import BODY, TEXT, post_json, wait_for_status

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

STALE_AFTER_S = 3.0


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
