"""Rate limits per caller (Flask-Limiter) and the cap on open streams: 429, no record."""

import time
import uuid

import pytest

from interview.config import ConfigError, load_config
from interview.extensions import db
from interview.models import Feedback

from .conftest import wait_for_generations
from .fake_openai import Fault
from .interviewer import interviewer

URL = "/api/v1/feedback"
BODY = {"question": "Why this role?", "answer": "I like building tools for people."}
ASYNC = {"Prefer": "respond-async"}
KEY_A = "key-alice-0123456789"
KEY_B = "key-bob-9876543210xx"


def count_records(app) -> int:
    with app.app_context():
        return db.session.query(Feedback).count()


def post(client, headers=None, **environ):
    return client.post(URL, json=BODY, headers={**ASYNC, **(headers or {})}, environ_base=environ)


def assert_too_many(response, window_s: int = 60) -> int:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= window_s
    return retry_after


def test_the_default_limit_is_twenty_generations_a_minute():
    config = load_config({}, "/tmp/interview-test-instance")
    assert config["INTERVIEW_RATE_LIMIT"] == "20/minute"
    assert config["INTERVIEW_MAX_OPEN_STREAMS"] == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INTERVIEW_RATE_LIMIT", "lots"),
        ("INTERVIEW_RATE_LIMIT", "20/fortnight"),
        ("INTERVIEW_MAX_OPEN_STREAMS", "0"),
        ("INTERVIEW_MAX_OPEN_STREAMS", "many"),
        ("INTERVIEW_TRUSTED_PROXIES", "10.0.0.0/8,not-an-address"),
    ],
)
def test_bad_limit_settings_stop_start_up(name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({name: value}, "/tmp/interview-test-instance")


def test_past_the_limit_is_429_with_retry_after_and_no_record(make_app, upstream):
    app = make_app(INTERVIEW_RATE_LIMIT="3/minute")
    client = app.test_client()
    for _ in range(3):
        response = post(client)
        assert response.status_code == 202
        assert response.headers["X-RateLimit-Limit"] == "3"
    assert_too_many(post(client))
    wait_for_generations()
    assert count_records(app) == 3
    assert len(upstream.requests) == 3


def test_only_requests_that_start_a_generation_count(make_app):
    app = make_app(INTERVIEW_RATE_LIMIT="2/minute")
    client = app.test_client()
    for _ in range(5):
        assert client.post(URL, json={"question": "Why?"}).status_code == 422
        assert client.get("/api/v1/feedback").status_code == 200
    first = post(client, {"Idempotency-Key": "attempt-1"})
    assert first.status_code == 202
    for _ in range(3):  # repeats attach to the first record
        assert post(client, {"Idempotency-Key": "attempt-1"}).status_code == 202
    assert post(client).status_code == 202
    assert_too_many(post(client))
    wait_for_generations()
    assert count_records(app) == 2


def test_the_openai_compatible_endpoint_shares_the_budget(make_app):
    app = make_app(INTERVIEW_RATE_LIMIT="2/minute")
    client = app.test_client()
    assert post(client).status_code == 202
    chat = {
        "model": "x",
        "messages": [
            {"role": "assistant", "content": BODY["question"]},
            {"role": "user", "content": BODY["answer"]},
        ],
    }
    assert client.post("/api/v1/openai/chat/completions", json=chat).status_code == 200
    refused = client.post("/api/v1/openai/chat/completions", json=chat)
    assert_too_many(refused)
    assert refused.get_json()["error"]["type"]  # still OpenAI-shaped for the SDKs
    wait_for_generations()
    assert count_records(app) == 2


def test_each_api_key_has_its_own_budget(make_app):
    app = make_app(
        INTERVIEW_RATE_LIMIT="1/minute",
        INTERVIEW_API_KEYS=f"{KEY_A},{KEY_B}",
        INTERVIEW_SECRET_KEY="s" * 32,
    )
    client = app.test_client()
    assert post(client, {"Authorization": f"Bearer {KEY_A}"}).status_code == 202
    assert_too_many(post(client, {"Authorization": f"Bearer {KEY_A}"}))
    assert post(client, {"Authorization": f"Bearer {KEY_B}"}).status_code == 202
    wait_for_generations()


def test_without_keys_each_client_address_has_its_own_budget(make_app):
    client = make_app(INTERVIEW_RATE_LIMIT="1/minute").test_client()
    assert post(client, REMOTE_ADDR="192.0.2.1").status_code == 202
    assert_too_many(post(client, REMOTE_ADDR="192.0.2.1"))
    assert post(client, REMOTE_ADDR="192.0.2.2").status_code == 202
    wait_for_generations()


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(make_app):
    client = make_app(INTERVIEW_RATE_LIMIT="1/minute").test_client()
    assert post(client, {"X-Forwarded-For": "198.51.100.1"}).status_code == 202
    # a client cannot buy a fresh budget by naming another address
    assert_too_many(post(client, {"X-Forwarded-For": "198.51.100.2"}))
    wait_for_generations()


def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(make_app):
    client = make_app(
        INTERVIEW_RATE_LIMIT="1/minute", INTERVIEW_TRUSTED_PROXIES="10.0.0.0/8"
    ).test_client()
    proxy = {"REMOTE_ADDR": "10.1.2.3"}
    alice = {"X-Forwarded-For": "203.0.113.7"}
    # what Alice claims beyond the hop the proxy saw is not believed
    alice_spoofing = {"X-Forwarded-For": "198.51.100.9, 203.0.113.7"}
    bob = {"X-Forwarded-For": "203.0.113.8, 10.9.9.9"}  # through two trusted proxies
    assert post(client, alice, **proxy).status_code == 202
    assert_too_many(post(client, alice_spoofing, **proxy))
    assert post(client, bob, **proxy).status_code == 202
    assert_too_many(post(client, {"X-Forwarded-For": "203.0.113.8"}, **proxy))
    wait_for_generations()


def test_workers_share_the_budget_through_redis(make_app, redis_url):
    shared = {
        "INTERVIEW_RATE_LIMIT": "2/minute",
        "REDIS_URL": redis_url,
        "INTERVIEW_SECRET_KEY": uuid.uuid4().hex,  # a caller key no other run has used
    }
    one, other = make_app(**shared), make_app(**shared)
    assert post(one.test_client()).status_code == 202
    assert post(other.test_client()).status_code == 202
    assert_too_many(post(one.test_client()))
    assert_too_many(post(other.test_client()))
    wait_for_generations()
    assert count_records(one) == 2


def test_a_redis_outage_falls_back_to_counting_in_memory(make_app):
    app = make_app(INTERVIEW_RATE_LIMIT="1/minute", REDIS_URL="redis://127.0.0.1:9/0")
    client = app.test_client()
    assert post(client).status_code == 202
    assert_too_many(post(client))
    wait_for_generations()


def test_past_the_open_stream_cap_is_429_until_one_ends(make_app, upstream):
    app = make_app(INTERVIEW_MAX_OPEN_STREAMS="2")
    client = app.test_client()
    upstream.enqueue(Fault(hang_after=1), Fault(hang_after=1))
    running = [post(client).get_json()["id"] for _ in range(2)]
    upstream.wait_for_requests(2)
    refused = post(client)
    assert_too_many(refused)
    assert "2 feedback streams" in refused.get_json()["detail"]
    assert count_records(app) == 2
    upstream.release_hangs()
    wait_for_records_to_end(app, running)
    assert post(client).status_code == 202
    wait_for_generations()
    assert count_records(app) == 3


def test_the_cap_is_per_caller(make_app, upstream):
    client = make_app(INTERVIEW_MAX_OPEN_STREAMS="1").test_client()
    upstream.enqueue(Fault(hang_after=1), Fault(hang_after=1))
    assert post(client, REMOTE_ADDR="192.0.2.1").status_code == 202
    upstream.wait_for_requests(1)
    assert_too_many(post(client, REMOTE_ADDR="192.0.2.1"))
    assert post(client, REMOTE_ADDR="192.0.2.2").status_code == 202
    upstream.release_hangs()
    wait_for_generations()


def wait_for_records_to_end(app, feedback_ids, timeout=5.0):
    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            db.session.expire_all()
            statuses = {db.session.get(Feedback, i).status for i in feedback_ids}
            db.session.commit()
            if "streaming" not in statuses:
                return
            time.sleep(0.02)
    raise TimeoutError(f"{feedback_ids} still streaming")


SESSION = {"role": "Backend engineer", "question_count": 3}
HOUR = 3600
MODEL_SESSION = {**SESSION, "job_description": "Payments on Postgres."}


def sessions_of(client) -> list[dict]:
    return client.get("/api/v1/sessions").get_json()["items"]


def session_post(client, path: str, body: dict | None = None):
    return client.post(f"/api/v1/sessions{path}", json=body, headers={"Accept": "application/json"})


def test_session_generations_spend_the_same_budget(make_app, upstream):
    # an hour's window: a window that ends mid-test would let one more through (the
    # sliding window weighs the last window's hits down at once)
    app = make_app(INTERVIEW_RATE_LIMIT="3/hour")
    client = app.test_client()
    upstream.configure(text_for=interviewer())
    # a session with bank questions starts no generation: it costs nothing
    first, second = (session_post(client, "", SESSION).get_json()["id"] for _ in range(2))
    assert (
        session_post(client, f"/{first}/questions/1/answer", {"answer": "I led it."}).status_code
        == 202
    )
    wait_for_generations()
    follow_up = session_post(client, f"/{first}/questions/1/follow-up")
    assert follow_up.status_code == 202
    wait_for_generations()
    # asked again, the same follow-up: attached, not spent
    assert (
        session_post(client, f"/{first}/questions/1/follow-up").get_json()["id"]
        == (follow_up.get_json()["id"])
    )
    assert session_post(client, f"/{first}/report").status_code == 202
    wait_for_generations()

    assert_too_many(post(client), HOUR)  # one budget with POST /feedback
    assert_too_many(
        session_post(client, f"/{second}/questions/1/answer", {"answer": "Late."}), HOUR
    )
    assert_too_many(session_post(client, "", MODEL_SESSION), HOUR)
    # past the budget every generation endpoint is refused before its view, as
    # POST /feedback is: a bank session too, though it would have cost nothing
    assert_too_many(session_post(client, "", SESSION), HOUR)
    assert count_records(app) == 3 and len(upstream.requests) == 3
    state = client.get(f"/api/v1/sessions/{second}").get_json()
    assert state["status"] == "active" and state["questions"][0]["status"] == "pending"
    assert len(sessions_of(client)) == 2


def test_the_open_stream_cap_refuses_session_generations_and_saves_nothing(make_app, upstream):
    app = make_app(INTERVIEW_MAX_OPEN_STREAMS="1")
    client = app.test_client()
    upstream.configure(text_for=interviewer())
    answered = session_post(client, "", SESSION).get_json()["id"]
    session_post(client, f"/{answered}/questions/1/answer", {"answer": "I led it."})
    wait_for_generations()
    upstream.enqueue(Fault(hang_after=1))
    hanging = session_post(client, "", SESSION).get_json()["id"]
    running = session_post(client, f"/{hanging}/questions/1/answer", {"answer": "Well."})
    upstream.wait_for_requests(2)

    refused = session_post(client, f"/{answered}/report")
    assert_too_many(refused)
    assert "1 feedback stream" in refused.get_json()["detail"]
    assert_too_many(session_post(client, f"/{answered}/questions/1/follow-up"))
    assert_too_many(session_post(client, f"/{answered}/questions/2/answer", {"answer": "No."}))
    assert_too_many(session_post(client, "", MODEL_SESSION))
    assert count_records(app) == 2 and len(sessions_of(client)) == 2
    state = client.get(f"/api/v1/sessions/{answered}").get_json()
    assert state["status"] == "active" and state["report"] is None
    assert state["questions"][1]["status"] == "pending"
    assert state["questions"][0]["follow_up_generation"] is None

    upstream.release_hangs()
    wait_for_records_to_end(app, [running.get_json()["id"]])
    assert session_post(client, f"/{answered}/report").status_code == 202
    wait_for_generations()
