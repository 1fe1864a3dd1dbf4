"""Model text the database cannot hold: made storable before it is streamed, and kept apart.

A NUL from the model reaches PostgreSQL only if nothing replaces it first, and
then it must not stop the other generations' progress nor leave its own record
`streaming`.
"""

import json
import logging
import time

import pytest

from interview.extensions import db
from interview.feedback import producer
from interview.feedback.producer import NOT_SAVED
from interview.feedback.record import FeedbackRecord
from interview.feedback.records import end_unsaved_record, final_state
from interview.feedback.spool import replay_spool, spool_line, spool_record, spooled_lines
from interview.feedback.storable import storable_text
from interview.models import Feedback

from .factories import feedback_record
from .sse_client import stream_from_response

BODY = {"question": "Why this team?", "answer": "Because I care about the users."}
OTHER_TEXT = "".join(f"{i:03d} " for i in range(78))  # 312 characters
NUL_ANSWER = "The model will answer this one with a NUL."
TEXT_WITH_NUL = "Good start.A\u0000B Name one result you are proud of." * 6

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.mark.parametrize(
    ("text", "storable"),
    [
        ("plain text", "plain text"),
        ("A\u0000B", "A\ufffdB"),
        ("\u0000\u0000", "\ufffd\ufffd"),
        ("lone high \ud800 surrogate", "lone high \ufffd surrogate"),
        ("lone low \udfff surrogate", "lone low \ufffd surrogate"),
        ("tab\tLF\nCR\r", "tab\tLF\nCR\r"),
        ("\x01\x7f\x9f controls", "\x01\x7f\x9f controls"),
        ("noncharacters \ufffe\uffff\U0010ffff", "noncharacters \ufffe\uffff\U0010ffff"),
        ("e\u0301 \U0001f469\u200d\U0001f4bb", "e\u0301 \U0001f469\u200d\U0001f4bb"),
        ("", ""),
    ],
)
def test_only_what_no_database_holds_is_replaced(text, storable):
    assert storable_text(text) == storable
    assert len(storable_text(text)) == len(text)
    storable_text(text).encode("utf-8")  # every backend and the event stream take it


def stored(app, feedback_id: str) -> Feedback:
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        db.session.commit()
        return record


def start_generations(client, upstream, count: int) -> list[str]:
    """Start the NUL generation, then `count` ordinary ones, all in this process."""
    upstream.configure(
        text_for=lambda body: TEXT_WITH_NUL if NUL_ANSWER in json.dumps(body) else OTHER_TEXT,
        chunk_chars=4,
        chunk_delay_s=0.03,
    )
    async_request = {"Prefer": "respond-async"}
    ids = []
    for answer in [NUL_ANSWER] + [BODY["answer"]] * count:
        response = client.post(
            "/api/v1/feedback", json={**BODY, "answer": answer}, headers=async_request
        )
        assert response.status_code == 202
        ids.append(response.get_json()["id"])
    return ids


def wait_for_progress_of(app, feedback_ids: list[str], characters: int) -> None:
    """Wait until each record, still generating, holds at least `characters` characters."""
    deadline = time.monotonic() + 10
    while True:
        records = [stored(app, feedback_id) for feedback_id in feedback_ids]
        if all(len(record.feedback) >= characters for record in records):
            assert all(record.status == "streaming" for record in records)
            return
        assert time.monotonic() < deadline, [len(record.feedback) for record in records]
        time.sleep(0.05)


def read_to_the_end(client, feedback_id: str):
    return stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))


def test_a_nul_from_the_model_is_saved_as_streamed_and_stops_no_other_save(app, client, upstream):
    nul_id, *other_ids = start_generations(client, upstream, count=5)

    wait_for_progress_of(app, other_ids, characters=100)
    stream = read_to_the_end(client, nul_id)

    expected = TEXT_WITH_NUL.replace("\u0000", "\ufffd")
    assert stream.text() == expected
    done = stream.terminal()
    assert done.event == "done" and done.json()["status"] == "completed"
    record = stored(app, nul_id)
    assert (record.status, record.feedback) == ("completed", expected)
    for feedback_id in other_ids:
        assert (read_to_the_end(client, feedback_id).text(), stored(app, feedback_id).status) == (
            OTHER_TEXT,
            "completed",
        )


@postgres_only
def test_a_row_the_database_refuses_fails_alone_and_its_record_is_spooled(
    make_app, upstream, monkeypatch, tmp_path, caplog
):
    spool_dir = str(tmp_path / "spool")
    app = make_app(INTERVIEW_SPOOL_DIR=spool_dir)
    client = app.test_client()
    monkeypatch.setattr(producer, "storable_text", lambda text: text)  # the NUL goes through
    nul_id, *other_ids = start_generations(client, upstream, count=5)

    wait_for_progress_of(app, other_ids, characters=100)
    with caplog.at_level(logging.INFO, logger="interview.generations"):
        stream = read_to_the_end(client, nul_id)

    assert stream.text() == TEXT_WITH_NUL
    error = stream.terminal()
    assert error.event == "error" and error.json()["code"] == "save_failed"
    # the record is not left `streaming`: it says the save failed, as the stream did
    record = stored(app, nul_id)
    assert (record.status, record.error["code"]) == ("failed", "save_failed")
    [line] = spooled_lines(spool_dir)
    spooled = json.loads(line)
    assert (spooled["id"], spooled["status"], spooled["feedback"]) == (
        nul_id,
        "failed",
        TEXT_WITH_NUL,
    )
    [ended] = [r for r in caplog.records if getattr(r, "fields", {}).get("feedback_id") == nul_id]
    assert (ended.fields["status"], ended.fields["error"]) == ("failed", "save_failed")
    for feedback_id in other_ids:
        assert read_to_the_end(client, feedback_id).text() == OTHER_TEXT
        assert stored(app, feedback_id).status == "completed"
    # refused again on replay: set aside for an operator, the record stays as it ended
    with app.app_context():
        assert replay_spool(spool_dir).rejected == 1
    assert stored(app, nul_id).status == "failed"


def test_a_replay_adds_the_text_to_a_record_ended_without_it(app, tmp_path):
    spool_dir = str(tmp_path / "spool")
    with app.app_context():
        record = feedback_record(status="streaming", feedback="Good st")
        db.session.add(record)
        db.session.commit()
        created = FeedbackRecord.from_row(record)
    final = final_state(
        status="failed", feedback=OTHER_TEXT, error=NOT_SAVED, usage=None, first_token_ms=5
    )
    with app.app_context():
        end_unsaved_record(created.feedback_id, final)
    spool_record(spool_dir, spool_line(created.ended(final)))

    with app.app_context():
        report = replay_spool(spool_dir)

    assert report.saved == [created.feedback_id]
    saved = stored(app, created.feedback_id)
    assert (saved.status, saved.error, saved.feedback) == ("failed", NOT_SAVED, OTHER_TEXT)
