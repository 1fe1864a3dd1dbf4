"""Admission under a burst: the rate limit and the open-stream cap hold for requests
released at the same moment, against real gunicorn workers and instances."""

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from interview.api.callers import caller_key
from interview.extensions import db
from interview.feedback.record import FeedbackRecord
from interview.feedback.records import final_state
from interview.feedback.spool import spool_line, spool_record

from .conftest import wait_for_generations
from .factories import feedback_record
from .fake_openai import FakeOpenAI, Fault
from .test_scale_out import get_json, post_json

BURST = 60
BODY = json.dumps({"question": "Why this role?", "answer": "I like building tools."})


class Answer(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def release_at_once(urls: list[str], path: str = "/api/v1/feedback") -> list[Answer]:
    """POST one generation request to each of `urls` at the same moment; return the answers.

    Every connection is open before the barrier lets all the requests go.
    """
    barrier = threading.Barrier(len(urls))
    answers: list[Answer | None] = [None] * len(urls)

    def send(index: int, url: str) -> None:
        address = urlsplit(url)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=20)
        connection.connect()
        headers = {"Content-Type": "application/json", "Prefer": "respond-async"}
        barrier.wait()
        connection.request("POST", path, body=BODY, headers=headers)
        response = connection.getresponse()
        answers[index] = Answer(response.status, response.headers, response.read())
        connection.close()

    threads = [threading.Thread(target=send, args=(i, url)) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def count_statuses(answers: list[Answer]) -> Counter:
    return Counter(answer.status for answer in answers)


def spread(servers, count: int = BURST) -> list[str]:
    """`count` request targets, taking the servers in turn."""
    return [servers[i % len(servers)].url for i in range(count)]


def records_by_status(server) -> Counter:
    items = get_json(server.url, "/api/v1/feedback?limit=100")["items"]
    return Counter(item["status"] for item in items)


def one_caller(**settings: str) -> dict[str, str]:
    """Server settings under which the burst is a caller no other test has been."""
    return {"INTERVIEW_SECRET_KEY": uuid.uuid4().hex, "WEB_CONCURRENCY": "2", **settings}


@pytest.fixture
def fast_upstream(fake_openai: FakeOpenAI) -> FakeOpenAI:
    fake_openai.reset()
    return fake_openai


@pytest.fixture
def slow_upstream(fake_openai: FakeOpenAI):
    """Each generation takes about 6 s: the burst's streams are all still open when it ends."""
    fake_openai.reset()
    fake_openai.configure(text="x" * 120, chunk_chars=4, chunk_delay_s=0.2)
    yield fake_openai
    fake_openai.reset()


def test_a_burst_through_redis_gets_no_more_than_the_rate_limit(
    server_factory, redis_url, fast_upstream
):
    settings = one_caller(INTERVIEW_RATE_LIMIT="5/minute", REDIS_URL=redis_url)
    servers = [server_factory(**settings), server_factory(**settings)]

    answers = release_at_once(spread(servers))

    statuses = count_statuses(answers)
    assert statuses[202] == 5, statuses  # across 2 instances of 2 workers each
    assert statuses[429] == BURST - 5, statuses
    for status, headers, body in answers:
        if status == 429:
            assert headers["Content-Type"] == "application/problem+json"
            assert json.loads(body)["detail"] == "5 per 1 minute"
            assert 0 < int(headers["Retry-After"]) <= 60
            assert (headers["X-RateLimit-Limit"], headers["X-RateLimit-Remaining"]) == ("5", "0")


def test_without_redis_a_burst_gets_the_rate_limit_from_each_worker_at_most(
    server_factory, fast_upstream
):
    server = server_factory(**one_caller(INTERVIEW_RATE_LIMIT="5/minute"))

    statuses = count_statuses(release_at_once(spread([server])))

    assert 5 <= statuses[202] <= 2 * 5, statuses  # each worker process counts alone
    assert statuses[202] + statuses[429] == BURST, statuses


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "no-redis"])
def test_a_burst_opens_no_more_streams_than_the_cap_across_instances(
    server_factory, request, slow_upstream, redis
):
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if redis else {}
    settings = one_caller(INTERVIEW_MAX_OPEN_STREAMS="3", **extra)
    servers = [server_factory(**settings), server_factory(**settings)]
    wait_for_no_streams(servers[0])  # those of the tests before have ended

    answers = release_at_once(spread(servers))

    statuses = count_statuses(answers)
    assert statuses[202] == 3, statuses  # across 2 instances of 2 workers each
    assert statuses[429] == BURST - 3, statuses
    refusals = [json.loads(body)["detail"] for status, _, body in answers if status == 429]
    assert all(detail.startswith("3 feedback streams") for detail in refusals)
    assert records_by_status(servers[0])["streaming"] == 3
    cancel_streaming(servers[0])


def cancel_streaming(server) -> None:
    """Stop every generation still running, and wait for their records to end."""
    for item in get_json(server.url, "/api/v1/feedback?limit=100")["items"]:
        if item["status"] == "streaming":
            post_json(server.url, f"/api/v1/feedback/{item['id']}/cancel")
    wait_for_no_streams(server)


def wait_for_no_streams(server, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while records_by_status(server)["streaming"]:
        assert time.monotonic() < deadline, "records are still streaming"
        time.sleep(0.05)


# -- in one process: what counts against the cap and the budget --------------------------------

ASYNC = {"Prefer": "respond-async"}
FEEDBACK = json.loads(BODY)


def a_streaming_record_of(app, caller: str) -> FeedbackRecord:
    """Insert a `streaming` record counted against `caller`, as an admitted POST does."""
    with app.app_context():
        record = feedback_record(status="streaming", caller=caller)
        db.session.add(record)
        db.session.commit()
        return FeedbackRecord.from_row(record)


def the_test_clients_caller(app) -> str:
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        return caller_key()


def test_a_record_whose_end_was_spooled_does_not_count_against_the_cap(
    make_app, upstream, tmp_path
):
    spool_dir = str(tmp_path / "spool")
    app = make_app(INTERVIEW_MAX_OPEN_STREAMS="1", INTERVIEW_SPOOL_DIR=spool_dir)
    client = app.test_client()
    running = a_streaming_record_of(app, the_test_clients_caller(app))
    assert client.post("/api/v1/feedback", json=FEEDBACK, headers=ASYNC).status_code == 429

    # its final save found the database down: the end went to the spool, not yet replayed
    final = final_state(
        status="completed", feedback="Fine.", error=None, usage=None, first_token_ms=1
    )
    spool_record(spool_dir, spool_line(running.ended(final)))

    assert client.post("/api/v1/feedback", json=FEEDBACK, headers=ASYNC).status_code == 202
    wait_for_generations()


def test_a_request_refused_by_the_cap_spends_no_rate_budget(make_app, upstream):
    app = make_app(INTERVIEW_MAX_OPEN_STREAMS="1", INTERVIEW_RATE_LIMIT="2/minute")
    client = app.test_client()
    upstream.enqueue(Fault(hang_after=1))

    def post():
        return client.post("/api/v1/feedback", json=FEEDBACK, headers=ASYNC)

    first = post()
    assert first.status_code == 202
    upstream.wait_for_requests(1)
    for _ in range(3):
        refused = post()
        assert refused.status_code == 429 and "streams" in refused.get_json()["detail"]
    upstream.release_hangs()
    wait_for_generations()

    assert post().status_code == 202  # the second of two a minute
    wait_for_generations()
    past_the_limit = post()
    assert past_the_limit.status_code == 429
    assert past_the_limit.get_json()["detail"] == "2 per 1 minute"
    assert past_the_limit.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < int(past_the_limit.headers["Retry-After"]) <= 60
    wait_for_generations()
