"""POST /api/v1/feedback streams the upstream's text and saves it as a record."""

import time

import pytest

from interview.extensions import db, runtime_of
from interview.feedback.producer import LOOKAHEAD_S
from interview.models import Feedback
from interview.sse import RETRY_MS

from .sse_client import stream_from_response

QUESTION = "Tell me about a time you resolved a conflict in your team."
ANSWER = (
    "When I was at my previous company, two engineers disagreed about the release plan. "
    "I organized a meeting, listened to both, and we agreed on a staged rollout. "
    "As a result we shipped on time and reduced incidents by 30%."
)
UNICODE_TEXT = (
    "Verdict: solid 👍🏽\r\n\r\n"
    "**Strengths**\n- Family 👨‍👩‍👧‍👦 and ZWJ 👩‍💻\n- Café, naïve, e\u0301\n\n"
    "한국어 요약: 좋은 답변입니다.\n日本語: とても良い回答です。\n\n"
    "Flags 🇰🇷🇯🇵\r\nScore: 8/10"
)


def post_feedback(client, body=None, **headers):
    body = body or {"question": QUESTION, "answer": ANSWER}
    return client.post("/api/v1/feedback", json=body, headers=headers)


def saved(app, feedback_id: str) -> Feedback:
    with app.app_context():
        return db.session.get(Feedback, feedback_id)


def test_inline_stream_is_the_upstream_text_one_character_at_a_time(app, client, upstream):
    upstream.configure(text=UNICODE_TEXT, chunk_chars=3)
    stream = stream_from_response(post_feedback(client))

    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.headers["cache-control"] == "no-cache, no-transform"
    assert stream.headers["x-accel-buffering"] == "no"
    assert stream.body.startswith(f"retry: {RETRY_MS}\n\nevent: start\n".encode())

    start, *deltas, done = stream.events
    assert start.event == "start" and set(start.json()) == {"id", "model", "created_at"}
    assert [d.id for d in deltas] == [str(i) for i in range(1, len(deltas) + 1)]
    assert done.event == "done" and done.id == str(len(deltas) + 1)
    record = done.json()
    assert stream.text() == record["feedback"] == UNICODE_TEXT
    assert "👨‍👩‍👧‍👦" in [d.json()["text"] for d in deltas]
    assert "\r\n" in [d.json()["text"] for d in deltas]
    assert record["status"] == "completed" and record["score"] == 8
    assert saved(app, start.json()["id"]).feedback == UNICODE_TEXT


def test_the_record_keeps_everything_about_the_generation(app, client, upstream):
    upstream.configure(text="Good.\nScore: 6/10", chunk_chars=4)
    done = (
        stream_from_response(
            post_feedback(
                client, {"question": QUESTION, "answer": ANSWER, "role": " SRE ", "delay_ms": 0}
            )
        )
        .terminal()
        .json()
    )

    assert done["role"] == "SRE"
    assert done["provider"] == "openai" and done["model"] == "gpt-3.5-turbo"
    assert done["prompt_version"] and done["delay_ms"] == 0
    assert done["usage"]["total_tokens"] > 0
    assert done["first_token_ms"] is not None and done["first_token_ms"] >= 0
    assert done["metrics"]["word_count"] == len(ANSWER.split())
    assert done["metrics"]["star"]["result"] is True
    assert done["completed_at"] >= done["created_at"]
    record = saved(app, done["id"])
    assert record.usage == done["usage"] and record.score == 6


def test_the_prompt_sent_upstream_holds_the_answer_as_data(client, upstream):
    stream_from_response(post_feedback(client))
    request = upstream.requests[-1]
    body = request.body
    assert body["model"] == "gpt-3.5-turbo"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"][0]["role"] == "system"
    assert f"CANDIDATE ANSWER <<<\n{ANSWER}\n>>>" in body["messages"][1]["content"]
    assert request.headers["authorization"].startswith("Bearer sk-test-")
    assert request.headers["content-type"] == "application/json"


def test_the_upstream_is_told_nothing_of_the_servers_platform(client, upstream):
    stream_from_response(post_feedback(client))
    headers = upstream.requests[-1].headers
    assert headers["user-agent"].startswith("OpenAI/Python ")
    sent = {name for name in headers if name.startswith("x-stainless-")}
    assert sent <= {"x-stainless-async", "x-stainless-retry-count", "x-stainless-read-timeout"}


@pytest.mark.parametrize(
    "accept",
    [None, "text/event-stream", "*/*", "text/*", "application/json, text/event-stream;q=0.5"],
)
def test_clients_that_accept_an_event_stream_get_it_inline(client, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.post(
        "/api/v1/feedback", json={"question": QUESTION, "answer": ANSWER}, headers=headers
    )
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    response.get_data()


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "application/json"},
        {"Prefer": "respond-async"},
        {"Accept": "text/event-stream", "Prefer": "respond-async, wait=5"},
    ],
)
def test_json_clients_get_202_and_the_generation_runs_in_the_background(app, client, headers):
    response = post_feedback(client, **headers)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "streaming"
    assert body["url"] == f"/api/v1/feedback/{body['id']}"
    assert body["events_url"] == f"/api/v1/feedback/{body['id']}/events"
    assert response.headers["Location"] == body["url"]

    events = stream_from_response(client.get(body["events_url"]))
    assert events.terminal().event == "done"
    assert saved(app, body["id"]).status == "completed"


def test_a_client_that_accepts_neither_gets_406_and_no_record(app, client):
    response = post_feedback(client, Accept="text/html")
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.query(Feedback).count() == 0


def test_delay_is_applied_between_characters(client, upstream):
    upstream.configure(text="abcdefghijk", chunk_chars=50)
    stream = stream_from_response(
        post_feedback(client, {"question": QUESTION, "answer": ANSWER, "delay_ms": 30})
    )
    deltas = stream.deltas()
    # the test client reads the whole body before parsing; pacing is measured
    # through a real server in test_server.py. Here: every character arrived.
    assert stream.text() == "abcdefghijk" and len(deltas) == 11


def test_offline_provider_is_honest_and_streams_the_same_way(make_app):
    app = make_app(INTERVIEW_PROVIDER="offline", OPENAI_API_KEY="")
    stream = stream_from_response(post_feedback(app.test_client()))
    record = stream.terminal().json()
    assert record["provider"] == "offline"
    assert record["model"] == "offline-analysis"
    assert "offline" in record["feedback"].splitlines()[0].lower()
    assert stream.text() == record["feedback"]
    assert 1 <= record["score"] <= 10


def test_a_paced_generation_reads_the_upstream_only_a_little_ahead(app, client, upstream):
    text = "".join(f"{i:03d}," for i in range(100))  # 400 characters, sent at once
    upstream.configure(text=text, chunk_chars=4)
    body = {"question": QUESTION, "answer": ANSWER, "delay_ms": 50}  # 20 s to pace
    response = post_feedback(client, body, Prefer="respond-async")
    generation = runtime_of(app).live.get(response.get_json()["id"])
    time.sleep(1.0)
    # read LOOKAHEAD_S ahead of the pace: ~1 s paced + 2 s ahead = ~60 characters
    assert 0 < len(generation.characters) <= (1.0 + LOOKAHEAD_S) / 0.05 + 8
    generation.wake()  # as a stopping worker does: read the rest now
    generation.wait_produced(timeout=5)
    assert saved(app, generation.feedback_id).feedback == text
