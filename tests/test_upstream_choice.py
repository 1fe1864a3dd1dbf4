"""Any OpenAI-compatible server as the upstream, chosen by OPENAI_BASE_URL and
INTERVIEW_MODEL: here the fake upstream served under Ollama's kind of path with a
model name of its own, through a real gunicorn server."""

import json
import urllib.request

import pytest

from .fake_openai import FakeOpenAI
from .servers import free_port
from .sse_client import read_stream

MODEL = "llama3.1:8b"
KEYLESS_SERVER_KEY = "ollama"  # any non-empty value: the server checks none
BODY = {
    "question": "Why do you want this job?",
    "answer": "I like building tools people use every day, and your team ships them.",
    "delay_ms": 0,
}
TEXT = "Clear motivation; name one product of theirs you use. Score: 6/10"


@pytest.fixture(scope="module")
def ollama() -> FakeOpenAI:
    with FakeOpenAI(prefix="/ollama/v1") as fake:
        yield fake


@pytest.fixture(scope="module")
def server(server_factory, ollama):
    return server_factory(upstream=ollama, INTERVIEW_MODEL=MODEL, OPENAI_API_KEY=KEYLESS_SERVER_KEY)


def get_record(server, feedback_id: str) -> dict:
    with urllib.request.urlopen(f"{server.url}/api/v1/feedback/{feedback_id}", timeout=10) as r:
        return json.loads(r.read())


def test_a_stream_comes_from_the_configured_path_and_model(server, ollama):
    ollama.reset()
    ollama.configure(text=TEXT, chunk_chars=3)
    stream = read_stream(server.url, "POST", "/api/v1/feedback", BODY)

    assert stream.events[0].event == "start" and stream.events[0].json()["model"] == MODEL
    done = stream.terminal()
    assert done.event == "done" and stream.text() == TEXT
    record = get_record(server, done.json()["id"])
    assert record["status"] == "completed" and record["feedback"] == TEXT
    assert record["provider"] == "openai" and record["model"] == MODEL
    (request,) = ollama.requests
    assert request.path == "/ollama/v1/chat/completions"
    assert request.body["model"] == MODEL
    assert request.headers["authorization"] == f"Bearer {KEYLESS_SERVER_KEY}"


def _wrong_path(ollama: FakeOpenAI) -> str:
    return ollama.base_url.removesuffix("/ollama/v1") + "/v1"  # the right server, no such path


def _nothing_listening(ollama: FakeOpenAI) -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


@pytest.mark.parametrize(
    ("wrong_base_url", "code"),
    [(_wrong_path, "upstream_not_found"), (_nothing_listening, "upstream_unreachable")],
)
def test_a_wrong_base_url_ends_the_stream_with_its_error_code(
    server_factory, ollama, wrong_base_url, code
):
    ollama.reset()
    server = server_factory(
        upstream=ollama,
        OPENAI_BASE_URL=wrong_base_url(ollama),
        INTERVIEW_MODEL=MODEL,
        OPENAI_API_KEY=KEYLESS_SERVER_KEY,
    )
    stream = read_stream(server.url, "POST", "/api/v1/feedback", BODY)

    error = stream.terminal()
    assert stream.status == 200 and error.event == "error"
    assert error.json()["code"] == code
    record = get_record(server, stream.events[0].json()["id"])
    assert record["status"] == "failed" and record["error"] == error.json()
    assert record["model"] == MODEL
    if code == "upstream_not_found":
        assert [r.path for r in ollama.requests] == ["/v1/chat/completions"]
