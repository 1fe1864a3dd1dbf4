"""Secrets never reach logs, error bodies, events or pages.

The OpenAI key, the API keys, the secret key, `Authorization` headers and
stream tokens are planted, every kind of request and fault is made with all
loggers at DEBUG (the SDK's and the HTTP client's included), and everything the
service said is scanned for them.
"""

import logging
import urllib.request

import pytest

from interview.extensions import db
from interview.models import Feedback

from .fake_openai import Fault
from .sse_client import stream_from_response

OPENAI_KEY = "sk-test-planted-openai-key-0123456789"
KEY_A = "key-alice-planted-0123456789"
KEY_B = "key-bob-planted-9876543210"
SECRET = "secret-planted-0123456789abcdef0123456789"
BODY = {"question": "Why this team?", "answer": "Because the product matters to me."}
SETTINGS = {
    "OPENAI_API_KEY": OPENAI_KEY,
    "INTERVIEW_API_KEYS": f"{KEY_A},{KEY_B}",
    "INTERVIEW_SECRET_KEY": SECRET,
}


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def said(response) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return headers + "\n" + response.get_data(as_text=True)


def assert_nothing_secret(text: str, *more: str) -> None:
    for secret in (OPENAI_KEY, KEY_A, KEY_B, SECRET, KEY_A[:-1] + "x", *more):
        assert secret not in text


def test_no_secret_in_any_response_record_or_log(make_app, upstream, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(**SETTINGS)
    client = app.test_client()
    transcript = []

    accepted = client.post(
        "/api/v1/feedback", json=BODY, headers={**bearer(KEY_A), "Prefer": "respond-async"}
    )
    assert_nothing_secret(said(accepted))  # the stream token is handed out here, to its owner
    events_url = accepted.get_json()["events_url"]
    token = events_url.split("token=", 1)[1]
    transcript.append(said(client.get(events_url)))
    upstream.enqueue(Fault(status=401), Fault(status=500), Fault(drop_after=1))
    for _ in range(3):  # the upstream refuses our key (and names it), fails, drops
        stream = stream_from_response(
            client.post("/api/v1/feedback", json=BODY, headers=bearer(KEY_A))
        )
        transcript.append(stream.body.decode())
        assert stream.terminal().event == "error"
    for headers in ({}, bearer(KEY_A[:-1] + "x"), {"Authorization": KEY_A}, bearer(KEY_B)):
        transcript.append(said(client.get("/api/v1/feedback", headers=headers)))
        transcript.append(
            said(client.post("/api/v1/feedback", json={"answer": 1}, headers=headers))
        )
    chat = {"messages": [{"role": "user", "content": BODY["answer"]}], "question": BODY["question"]}
    transcript.append(
        said(client.post("/api/v1/openai/chat/completions", json=chat, headers=bearer(KEY_A)))
    )
    transcript.append(said(client.get("/api/v1/feedback/nope/events?token=" + token)))
    for page in ("/", "/history", "/api/v1/openapi.json", "/healthz"):
        transcript.append(said(client.get(page)))

    with app.app_context():
        records = db.session.query(Feedback).all()
        transcript += [repr(vars(record)) for record in records]
    assert len(records) == 5
    assert_nothing_secret("\n".join(transcript), token)
    assert caplog.records, "the test must have captured some logs"
    assert_nothing_secret(caplog.text, token)


@pytest.fixture
def server(server_factory):
    return server_factory(**SETTINGS, LOG_LEVEL="debug")


def test_the_servers_log_holds_no_secret_or_stream_token(server, upstream):
    request = urllib.request.Request(
        server.url + "/api/v1/feedback",
        data=b'{"question": "Why this team?", "answer": "Because the product matters."}',
        headers={**bearer(KEY_A), "Content-Type": "application/json", "Prefer": "respond-async"},
    )
    with urllib.request.urlopen(request) as response:
        events_url = __import__("json").load(response)["events_url"]
    token = events_url.split("token=", 1)[1]
    with urllib.request.urlopen(server.url + events_url) as response:
        assert b"event: done" in response.read()
    upstream.enqueue(Fault(status=401))
    request = urllib.request.Request(
        server.url + "/api/v1/feedback",
        data=request.data,
        headers={**bearer(KEY_B), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert b"upstream_auth" in response.read()
    log = server.log()
    assert "/api/v1/feedback" in log  # the access log was written
    assert_nothing_secret(log, token)
