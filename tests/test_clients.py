"""Frontend clients' own code against the real server: the AI SDK and the openai npm SDK.

The AI SDK reads a session's report too (`POST /sessions/{id}/report?protocol=ai-sdk`).

The clients are pinned in tests/clients/package.json (with its lockfile); `.ci/run`
installs them with `npm ci`.
"""

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from .conftest import NODE

TEXT = "Solid answer 👍🏽\n\n**Strengths**\n- Clear ownership.\n\nScore: 8/10"
QUESTION = "Tell me about a project you led."
ANSWER = "I led our billing migration and we halved the failed payments."


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


def post_json(url: str, body: dict | None) -> dict:
    """POST `body` for a 202 (background generation) or 201; the answer's JSON."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Prefer": "respond-async"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def answered_session(base_url: str) -> str:
    """A bank session whose first question is answered and its feedback saved; its id."""
    api = f"{base_url}/api/v1"
    session = post_json(f"{api}/sessions", {"role": "Backend engineer", "question_count": 3})
    session_id = session["id"]
    accepted = post_json(
        f"{api}/sessions/{session_id}/questions/1/answer", {"answer": ANSWER, "delay_ms": 0}
    )
    with urllib.request.urlopen(base_url + accepted["events_url"], timeout=30) as events:
        assert b"event: done" in events.read()
    return session_id


def read_session(base_url: str, session_id: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/api/v1/sessions/{session_id}", timeout=10) as r:
        return json.loads(r.read())


def run_node(clients: Path, script: str, *args: str) -> dict:
    result = subprocess.run(
        [str(NODE), script, *args], cwd=clients, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("flavour", ["ai", "ai6"])
def test_ai_sdk_chat_gets_the_text_and_the_record(node_clients, server, fake_openai, flavour):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=3)
    got = run_node(node_clients, "ai_sdk.mjs", flavour, "chat", server.url, QUESTION, ANSWER)
    assert got.get("error") is None and got["status"] == "ready"
    assert got["text"] == TEXT
    assert got["record"]["feedback"] == TEXT and got["record"]["status"] == "completed"
    assert got["record"]["question"] == QUESTION and got["record"]["answer"] == ANSWER
    assert got["metadata"]["status"] == "completed"


@pytest.mark.parametrize("flavour", ["ai", "ai6"])
def test_ai_sdk_completion_gets_the_text(node_clients, server, fake_openai, flavour):
    fake_openai.reset()
    fake_openai.configure(text=TEXT)
    got = run_node(node_clients, "ai_sdk.mjs", flavour, "completion", server.url, QUESTION, ANSWER)
    assert got == {"text": TEXT}


def test_openai_node_streams_and_completes(node_clients, server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=4)
    streamed = run_node(node_clients, "openai_node.mjs", "stream", server.url, QUESTION, ANSWER)
    assert streamed["text"] == TEXT
    assert len(streamed["ids"]) == 1 and streamed["ids"][0].startswith("chatcmpl-")
    assert streamed["usage"]["total_tokens"] > 0
    whole = run_node(node_clients, "openai_node.mjs", "whole", server.url, QUESTION, ANSWER)
    assert whole["text"] == TEXT


def test_openai_node_shows_a_readable_error(node_clients, server):
    got = run_node(node_clients, "openai_node.mjs", "bad", server.url, QUESTION, ANSWER)
    assert got["status"] == 422 and got["name"] == "UnprocessableEntityError"
    assert "user" in got["error"]


def test_ai_sdk_resumes_a_running_generation(node_clients, server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=2, chunk_delay_s=0.05)
    request = urllib.request.Request(
        f"{server.url}/api/v1/feedback",
        data=json.dumps({"question": QUESTION, "answer": ANSWER, "delay_ms": 0}).encode(),
        headers={"Content-Type": "application/json", "Prefer": "respond-async"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        feedback_id = json.loads(response.read())["id"]
    got = run_node(node_clients, "ai_sdk.mjs", "ai", "resume", server.url, QUESTION, feedback_id)
    assert got.get("error") is None
    assert got["text"] == TEXT and got["record"]["id"] == feedback_id


@pytest.mark.parametrize("flavour", ["ai", "ai6"])
def test_ai_sdk_chat_reads_a_session_report(node_clients, server, fake_openai, flavour):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=3)
    session_id = answered_session(server.url)
    got = run_node(node_clients, "ai_sdk.mjs", flavour, "report", server.url, "", session_id)
    assert got.get("error") is None and got["status"] == "ready"
    assert got["text"] == TEXT
    assert got["record"]["kind"] == "report" and got["record"]["session_id"] == session_id
    session = read_session(server.url, session_id)
    assert session["status"] == "ended" and session["report"]["id"] == got["record"]["id"]
