"""Structured logs: request ids, one JSON line per request and per generation, nothing private.

The server tests read a real gunicorn's output; the others the app's own handler
(stderr) and response headers.
"""

import json
import logging
import re
import time
import urllib.request

import pytest

from .fake_openai import Fault
from .sse_client import read_stream

OPENAI_KEY = "sk-test-planted-openai-key-4242424242"
API_KEY = "key-planted-for-the-log-test-0123456789"
SECRET = "secret-planted-for-logs-0123456789abcdef"
QUESTION = "Describe the zanzibar-marmalade incident you handled."
ANSWER = "I paged the quokka-lighthouse team and we rolled back in minutes."
FEEDBACK = "The periwinkle-abacus detail makes it concrete. Score: 8/10"
SETTINGS = {
    "INTERVIEW_LOG_FORMAT": "json",
    "OPENAI_API_KEY": OPENAI_KEY,
    "INTERVIEW_API_KEYS": API_KEY,
    "INTERVIEW_SECRET_KEY": SECRET,
}
BEARER = {"Authorization": f"Bearer {API_KEY}"}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def json_lines(text: str) -> list[dict]:
    """Parse every line: one that is not JSON fails the test."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("req-42.a_b", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("has space", False),
        ("semi;colon", False),
        ("", False),
    ],
)
def test_a_sane_request_id_comes_back_and_any_other_is_replaced(client, sent, kept):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    returned = response.headers["X-Request-ID"]
    assert returned == sent if kept else GENERATED_ID.fullmatch(returned)


@pytest.mark.parametrize("path", ["/api/v1/feedback/nope", "/no/such/page", "/api/v1/feedback"])
def test_errors_carry_the_request_id_too(make_app, path):
    client = make_app(INTERVIEW_API_KEYS=API_KEY, INTERVIEW_SECRET_KEY=SECRET).test_client()
    response = client.get(path, headers={"X-Request-ID": "err-1"})
    assert response.status_code in (401, 404)
    assert response.headers["X-Request-ID"] == "err-1"


def test_records_in_a_request_carry_its_id_and_are_json(make_app, capsys):
    app = make_app(INTERVIEW_LOG_FORMAT="json")
    with app.test_request_context(headers={"X-Request-ID": "inside-1"}):
        logging.getLogger("interview.test").warning("a %s record", "plain")
    logging.getLogger("interview.test").warning("outside a request")

    inside, outside = json_lines(capsys.readouterr().err)[-2:]
    assert inside == {
        "time": inside["time"],
        "level": "warning",
        "logger": "interview.test",
        "message": "a plain record",
        "request_id": "inside-1",
    }
    assert "request_id" not in outside


def test_a_bad_log_format_stops_the_app(make_app):
    with pytest.raises(ValueError, match="INTERVIEW_LOG_FORMAT must be one of text, json"):
        make_app(INTERVIEW_LOG_FORMAT="yaml")


@pytest.fixture(scope="module")
def json_server(server_factory):
    return server_factory(**SETTINGS)


def wait_for_lines(server, *needles: str, timeout: float = 10) -> list[dict]:
    """The server's log as JSON, once every needle is in it."""
    deadline = time.monotonic() + timeout
    while not all(needle in server.log() for needle in needles):
        assert time.monotonic() < deadline, f"not logged: {needles}"
        time.sleep(0.05)
    return json_lines(server.log())


def test_each_request_and_generation_is_one_json_line(json_server, upstream):
    upstream.configure(text=FEEDBACK, chunk_chars=5)
    body = {"question": QUESTION, "answer": ANSWER}
    stream = read_stream(
        json_server.url,
        "POST",
        "/api/v1/feedback",
        body,
        headers={**BEARER, "X-Request-ID": "stream-1"},
    )
    assert stream.headers["x-request-id"] == "stream-1"
    feedback_id = stream.terminal().json()["id"]

    lines = wait_for_lines(json_server, '"stream-1"', feedback_id)
    request = next(line for line in lines if line.get("request_id") == "stream-1")
    assert request == {
        "time": request["time"],
        "level": "info",
        "logger": "interview.requests",
        "message": "POST /api/v1/feedback 200",
        "method": "POST",
        "route": "/api/v1/feedback",
        "endpoint": "api.feedback.create_feedback",
        "status": 200,
        "request_id": "stream-1",
        "remote_addr": "127.0.0.1",
        "duration_ms": request["duration_ms"],
    }
    assert isinstance(request["duration_ms"], int)
    generation = next(line for line in lines if line.get("feedback_id") == feedback_id)
    assert generation["logger"] == "interview.generations"
    assert generation["status"] == "completed" and generation["error"] is None
    assert (generation["provider"], generation["model"]) == ("openai", "gpt-3.5-turbo")
    assert generation["tokens"]["total_tokens"] > 0
    assert 0 <= generation["first_token_ms"] <= generation["duration_ms"]
    assert not any(line["logger"] == "gunicorn.access" for line in lines)


def test_no_user_text_or_secret_reaches_the_log(json_server, upstream):
    upstream.configure(text=FEEDBACK, chunk_chars=5)
    body = json.dumps({"question": QUESTION, "answer": ANSWER}).encode()
    headers = {**BEARER, "Content-Type": "application/json", "Prefer": "respond-async"}
    request = urllib.request.Request(json_server.url + "/api/v1/feedback", body, headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        events_url = json.load(response)["events_url"]
    token = events_url.split("token=", 1)[1]
    with urllib.request.urlopen(json_server.url + events_url, timeout=10) as response:
        assert b"event: done" in response.read()
    upstream.enqueue(Fault(status=401))  # the upstream names the key it refused
    failed = read_stream(json_server.url, "POST", "/api/v1/feedback", json.loads(body), BEARER)
    assert failed.terminal().json()["code"] == "upstream_auth"

    lines = wait_for_lines(json_server, '"upstream_auth"', "/events")
    assert any(line.get("route") == "/api/v1/feedback/<feedback_id>/events" for line in lines)
    log = json_server.log()
    for private in (QUESTION, ANSWER, FEEDBACK, "zanzibar", "quokka", "periwinkle"):
        assert private not in log
    for secret in (OPENAI_KEY, API_KEY, SECRET, token, "Bearer", "token="):
        assert secret not in log


def test_in_text_mode_gunicorns_access_log_is_the_request_line(server_factory, upstream):
    server = server_factory()
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
        request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 10
    while '"GET /healthz HTTP/1.1" 200' not in server.log():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "interview.requests" not in server.log() and request_id not in server.log()
