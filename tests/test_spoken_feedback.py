"""Feedback on a spoken answer: its transcription's delivery on the record and in the prompt."""

import pytest
from sqlalchemy import func, select

from interview.cli.records import EXPORT_FIELDS
from interview.extensions import db
from interview.models import Feedback

from .audio_files import spoken_wav
from .sse_client import stream_from_response
from .test_transcriptions_api import TRANSCRIPT, WORDS, post_audio

KEY_A, KEY_B = "a" * 32, "b" * 32
QUESTION = "Tell me about a project you led."


def transcribe(client, headers=None) -> dict:
    response = post_audio(client, spoken_wav(), headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def ask_feedback(client, answer: str, headers=None, **extra):
    body = {"question": QUESTION, "answer": answer, **extra}
    return client.post("/api/v1/feedback", json=body, headers=headers or {})


def chat_requests(upstream) -> list:
    return [r.body for r in upstream.requests if r.path.endswith("/chat/completions")]


def records_saved(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Feedback))
        db.session.commit()
        return count


def test_the_record_and_the_prompt_get_the_delivery_of_the_spoken_answer(client, upstream):
    upstream.configure(transcript=TRANSCRIPT, transcript_words=WORDS)
    transcription = transcribe(client)
    edited = "I led the migration of our billing system, and as a result we cut costs."

    events = stream_from_response(
        ask_feedback(client, edited, transcription_id=transcription["id"])
    )

    record = events.terminal().json()
    assert record["answer"] == edited  # the text sent, not the transcript
    assert record["delivery"] == transcription["delivery"]
    assert client.get(f"/api/v1/feedback/{record['id']}").json["delivery"] == record["delivery"]
    [chat] = chat_requests(upstream)
    prompt = chat["messages"][-1]["content"]
    delivery = transcription["delivery"]
    assert f"{delivery['words_per_minute']} words per minute" in prompt
    assert f"the longest {delivery['longest_pause_s']} s" in prompt
    assert "filler words: 1 (um 1)" in prompt


def test_a_typed_answer_has_no_delivery(client, upstream):
    events = stream_from_response(ask_feedback(client, "I led the migration and we cut costs."))

    assert events.terminal().json()["delivery"] is None
    assert "measured its delivery" not in chat_requests(upstream)[0]["messages"][-1]["content"]


@pytest.mark.parametrize("transcription_id", ["nope", "x" * 64, "a/b"])
def test_an_unknown_transcription_is_422_and_starts_nothing(
    app, client, upstream, transcription_id
):
    response = ask_feedback(client, "I led the migration.", transcription_id=transcription_id)

    assert response.status_code == 422
    assert "transcription_id" in response.json["errors"]
    assert chat_requests(upstream) == []
    assert records_saved(app) == 0


def test_another_callers_transcription_is_refused(make_app, upstream):
    app = make_app(INTERVIEW_API_KEYS=f"{KEY_A},{KEY_B}", INTERVIEW_SECRET_KEY="s" * 32)
    client = app.test_client()
    alice = {"Authorization": f"Bearer {KEY_A}"}
    bob = {"Authorization": f"Bearer {KEY_B}"}
    transcription = transcribe(client, headers=alice)

    refused = ask_feedback(
        client, "I led the migration.", headers=bob, transcription_id=transcription["id"]
    )
    admitted = ask_feedback(
        client,
        "I led the migration.",
        headers={**alice, "Accept": "application/json"},
        transcription_id=transcription["id"],
    )

    assert refused.status_code == 422
    assert "transcription_id" in refused.json["errors"]
    assert admitted.status_code == 202


def test_exports_carry_the_delivery():
    assert "delivery" in EXPORT_FIELDS
