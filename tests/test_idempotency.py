"""Idempotency-Key: a repeated POST attaches to the first one's record."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from interview.extensions import db
from interview.models import Feedback

from .sse_client import read_stream, stream_from_response

BODY = {"question": "What is your biggest strength?", "answer": "I finish what I start."}
TEXT = "Good, concrete answer. Score: 6/10"


def post(client, key: str, body=None, **headers):
    headers = {"Idempotency-Key": key, **headers}
    return client.post("/api/v1/feedback", json=body or BODY, headers=headers)


def count_records(app) -> int:
    with app.app_context():
        return db.session.query(Feedback).count()


def test_a_repeated_202_request_gets_the_same_record(app, client, upstream):
    first = post(client, "k-1", Prefer="respond-async")
    again = post(client, "k-1", Prefer="respond-async")
    assert first.status_code == again.status_code == 202
    assert first.get_json() == again.get_json()
    stream_from_response(client.get(first.get_json()["events_url"]))
    assert count_records(app) == 1 and len(upstream.requests) == 1


def test_a_repeated_stream_resumes_after_the_last_event_id(app, client, upstream):
    upstream.configure(text=TEXT)
    whole = stream_from_response(post(client, "k-2"))
    resumed = stream_from_response(post(client, "k-2", **{"Last-Event-ID": "5"}))
    assert [d.id for d in resumed.deltas()] == [d.id for d in whole.deltas()][5:]
    assert whole.text()[:5] + resumed.text() == TEXT
    assert resumed.terminal().json()["id"] == whole.terminal().json()["id"]
    assert post(client, "k-2", **{"Last-Event-ID": whole.terminal().id}).status_code == 204
    assert count_records(app) == 1


def test_the_same_key_with_a_different_request_is_422(app, client):
    post(client, "k-3", Prefer="respond-async")
    response = post(client, "k-3", {**BODY, "answer": "Something else."}, Prefer="respond-async")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["Idempotency-Key"]
    assert count_records(app) == 1


def test_an_expired_key_starts_a_new_generation(app, client):
    first = post(client, "k-4", Prefer="respond-async").get_json()["id"]
    with app.app_context():
        record = db.session.get(Feedback, first)
        record.created_at = record.created_at - timedelta(hours=25)
        db.session.commit()
    second = post(client, "k-4", Prefer="respond-async").get_json()["id"]
    assert second != first and count_records(app) == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "naïve"])
def test_an_invalid_key_is_400(app, client, key):
    assert post(client, key).status_code == 400
    assert count_records(app) == 0


def test_the_ai_sdk_mode_replays_the_whole_stream_on_a_repeat(client, upstream):
    upstream.configure(text=TEXT)
    body = {"prompt": BODY["answer"], "question": BODY["question"]}
    url = "/api/v1/feedback?protocol=ai-sdk"
    first = client.post(url, json=body, headers={"Idempotency-Key": "k-5"}).get_data()
    again = client.post(url, json=body, headers={"Idempotency-Key": "k-5"}).get_data()
    assert first.count(b'"text-delta"') == again.count(b'"text-delta"') == len(TEXT)
    assert len(upstream.requests) == 1


def test_concurrent_repeats_share_one_generation(server_factory, fake_openai):
    server = server_factory()
    fake_openai.reset()
    fake_openai.configure(text=TEXT, first_token_delay_s=0.3)

    def send(_):
        stream = read_stream(
            server.url,
            "POST",
            "/api/v1/feedback",
            BODY,
            headers={"Idempotency-Key": "race", "Accept": "application/json"},
        )
        return json.loads(stream.body)["id"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(send, range(6)))
    assert len(ids) == 1
    fake_openai.wait_for_requests(1)
    read_stream(server.url, "GET", f"/api/v1/feedback/{ids.pop()}/events")
    assert len(fake_openai.requests) == 1
