"""Replays of finished records: the same bytes, cheaply; and open event streams capped per caller.

The cap runs against real gunicorn (one worker: the count is per worker
process), with two API keys as two callers.
"""

import http.client
import json
import threading
import urllib.request

import pytest

from interview.feedback.encoders import AiSdkEncoder, NativeEncoder
from interview.feedback.events import stream_feedback_events
from interview.feedback.live import StoredFeed
from interview.feedback.pacing import Pacer
from interview.feedback.record import FeedbackRecord
from interview.feedback.replay import WRITE_BYTES, ReplayCache
from interview.schemas import feedback_schema

from .factories import stored_record
from .fake_openai import Fault

KEY_A = "key-a-" + "a" * 26
KEY_B = "key-b-" + "b" * 26
CAP = 30
BODY = {"question": "Tell me about a conflict.", "answer": "We agreed on a staged rollout."}
TEXT = ("Feedback with résumé, naïve e\u0301, 👨‍👩‍👧‍👦 and 🇰🇷, line\r\nbreaks. " * 800)[:21_212]


def stored(text: str, status: str = "completed") -> FeedbackRecord:
    error = {"code": "upstream_dropped", "message": "Dropped."} if status == "failed" else None
    return stored_record(text, status, error)


def native() -> NativeEncoder:
    return NativeEncoder(feedback_schema.dump)


def wire(record: FeedbackRecord, after: int, encoder, replays: ReplayCache | None) -> list[bytes]:
    events = stream_feedback_events(
        StoredFeed(record),
        after=after,
        pacer=Pacer(),
        heartbeat_s=15,
        encoder=encoder,
        replays=replays,
    )
    return list(events)


@pytest.mark.parametrize("status", ["completed", "failed"])
@pytest.mark.parametrize("after", [0, 1, 5000, 20_000, 20_001])
@pytest.mark.parametrize(
    "make_encoder", [native, lambda: AiSdkEncoder("rec1", feedback_schema.dump)]
)
def test_a_replay_sends_the_bytes_of_the_paced_stream(status, after, make_encoder):
    record = stored(TEXT, status)
    paced = b"".join(wire(record, after, make_encoder(), None))
    replays = ReplayCache()
    first = wire(record, after, make_encoder(), replays)
    again = wire(record, after, make_encoder(), replays)
    assert b"".join(first) == b"".join(again) == paced
    assert max(map(len, first[1:-1]), default=0) <= WRITE_BYTES  # large writes, bounded


def test_the_cache_keeps_the_newest_runs_within_its_budget():
    replays = ReplayCache(max_bytes=2 * 1024 * 1024)
    for index in range(5):
        wire(stored(TEXT + str(index)), 0, native(), replays)
    assert replays._bytes <= replays.max_bytes
    assert [text[-1] for _, text in replays._runs] == ["3", "4"]


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory(
        INTERVIEW_API_KEYS=f"{KEY_A},{KEY_B}",
        INTERVIEW_SECRET_KEY="s" * 32,
        INTERVIEW_MAX_EVENT_STREAMS=str(CAP),
    )


def start(server, key: str) -> str:
    request = urllib.request.Request(
        server.url + "/api/v1/feedback",
        data=json.dumps(BODY).encode(),
        headers={
            "Content-Type": "application/json",
            "Prefer": "respond-async",
            "Authorization": f"Bearer {key}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["id"]


CONNECTIONS: list[http.client.HTTPConnection] = []


@pytest.fixture(autouse=True)
def close_connections():
    yield
    while CONNECTIONS:
        CONNECTIONS.pop().close()


def open_events(server, key: str, feedback_id: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    CONNECTIONS.append(connection)
    connection.request(
        "GET", f"/api/v1/feedback/{feedback_id}/events", headers={"Authorization": f"Bearer {key}"}
    )
    return connection.getresponse()


def test_past_the_cap_a_callers_event_stream_is_429_and_others_are_unaffected(server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT[:200], chunk_chars=10)
    fake_openai.enqueue(Fault(hang_after=1))
    followed = start(server, KEY_A)  # generating until the upstream is released
    fake_openai.wait_for_requests(1)  # the hang is A's, not B's
    replayed = start(server, KEY_B)
    gate = threading.Barrier(CAP + 1)
    responses: list[http.client.HTTPResponse] = []

    def follow() -> None:
        gate.wait()
        responses.append(open_events(server, KEY_A, followed))

    threads = [threading.Thread(target=follow) for _ in range(CAP + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        statuses = sorted(response.status for response in responses)
        assert statuses == [200] * CAP + [429]
        refused = next(response for response in responses if response.status == 429)
        assert refused.getheader("Content-Type") == "application/problem+json"
        assert int(refused.getheader("Retry-After")) > 0
        assert json.loads(refused.read())["status"] == 429

        other = open_events(server, KEY_B, replayed)
        assert other.status == 200 and b"event: done" in other.read()
    finally:
        fake_openai.release_hangs()
        for response in responses:
            response.read()
    # every stream ended (the upstream dropped when released), so the caller has its slots back
    again = open_events(server, KEY_A, followed)
    assert again.status == 200 and b"event: error" in again.read()
