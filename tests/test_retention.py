"""INTERVIEW_RETENTION_DAYS: old finished records and transcriptions are deleted for good."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from interview.config import ConfigError, load_config
from interview.extensions import db
from interview.feedback.retention import delete_records_older_than
from interview.feedback.transcriptions import save_transcription
from interview.models import (
    COMPLETED,
    FAILED,
    STREAMING,
    Feedback,
    InterviewSession,
    SessionQuestion,
    Transcription,
    utcnow,
)

from .conftest import wait_for_generations
from .factories import feedback_record
from .interviewer import interviewer


def add_record(age_days: float, status: str = COMPLETED) -> str:
    record = feedback_record(
        feedback="Good answer.", status=status, created_at=utcnow() - timedelta(days=age_days)
    )
    db.session.add(record)
    db.session.commit()
    return record.feedback_id


def test_finished_records_past_the_retention_are_deleted(app):
    with app.app_context():
        old = [add_record(31), add_record(400, FAILED)]
        kept = [add_record(29), add_record(0), add_record(90, STREAMING)]
        assert delete_records_older_than(30) == 2
        remaining = {record.feedback_id for record in db.session.query(Feedback)}
        assert remaining == set(kept)
        assert not remaining & set(old)
        assert delete_records_older_than(30) == 0


def add_transcription(age_days: float) -> str:
    saved = save_transcription(
        owner=None,
        caller=None,
        text="Umm, I led it.",
        language="en",
        duration_s=3.0,
        model="whisper-1",
        delivery={},
    )
    db.session.execute(
        Transcription.__table__.update()
        .where(Transcription.__table__.c.id == saved.transcription_id)
        .values(created_at=utcnow() - timedelta(days=age_days))
    )
    db.session.commit()
    return saved.transcription_id


def test_transcriptions_past_the_retention_are_deleted_too(app):
    with app.app_context():
        add_transcription(31)
        kept = add_transcription(29)
        delete_records_older_than(30)
        remaining = [row.transcription_id for row in db.session.query(Transcription)]
        assert remaining == [kept]


def test_deletion_goes_in_batches(app, monkeypatch):
    monkeypatch.setattr("interview.feedback.retention.BATCH_SIZE", 3)
    with app.app_context():
        for _ in range(8):
            add_record(10)
        assert delete_records_older_than(5) == 8
        assert db.session.query(Feedback).count() == 0


def test_retention_is_off_by_default_and_must_be_whole_days():
    assert load_config({}, "/tmp/interview-test-instance")["INTERVIEW_RETENTION_DAYS"] is None
    assert (
        load_config({"INTERVIEW_RETENTION_DAYS": "30"}, "/tmp/x")["INTERVIEW_RETENTION_DAYS"] == 30
    )
    for bad in ("0", "-1", "a month"):
        with pytest.raises(ConfigError, match="INTERVIEW_RETENTION_DAYS"):
            load_config({"INTERVIEW_RETENTION_DAYS": bad}, "/tmp/interview-test-instance")


def test_delete_removes_the_text_for_good(app, client):
    marker = "unforgettable-marker-7f3a"
    body = {"question": "Why?", "answer": f"I would say {marker} is my motto."}
    feedback_id = client.post("/api/v1/feedback", json=body, headers={"Prefer": "respond-async"})
    feedback_id = feedback_id.get_json()["id"]
    wait_for_generations()
    assert client.delete(f"/api/v1/feedback/{feedback_id}").status_code == 204
    with app.app_context():
        rows = db.session.execute(
            text("SELECT count(*) FROM feedback WHERE answer LIKE :m OR id = :i"),
            {"m": f"%{marker}%", "i": feedback_id},
        ).scalar_one()
    assert rows == 0
    assert client.get(f"/api/v1/feedback/{feedback_id}").status_code == 404


def test_the_purge_command_uses_the_retention_period(make_app):
    app = make_app(INTERVIEW_RETENTION_DAYS="30")
    with app.app_context():
        add_record(45)
        kept = add_record(10)
    result = app.test_cli_runner().invoke(args=["feedback", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 records older than 30 days" in result.output
    result = app.test_cli_runner().invoke(args=["feedback", "purge", "--older-than-days", "5"])
    assert "deleted 1 records" in result.output
    with app.app_context():
        assert db.session.get(Feedback, kept) is None


def test_the_purge_command_needs_a_period(app):
    result = app.test_cli_runner().invoke(args=["feedback", "purge"])
    assert result.exit_code != 0
    assert "INTERVIEW_RETENTION_DAYS" in result.output


def test_each_worker_purges_on_its_own(app, server_factory):
    with app.app_context():
        old, kept = add_record(45), add_record(10)
    server_factory(INTERVIEW_RETENTION_DAYS="30")  # the first check runs at start
    deadline = time.monotonic() + 10
    with app.app_context():
        while db.session.get(Feedback, old) is not None and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.1)
        db.session.expire_all()
        assert db.session.get(Feedback, old) is None
        assert db.session.get(Feedback, kept) is not None


def backdate(model, key, row_id: str, age_days: float) -> None:
    db.session.execute(
        update(model).where(key == row_id).values(created_at=utcnow() - timedelta(days=age_days))
    )
    db.session.commit()


def session_with_report(client) -> tuple[str, list[str]]:
    """A session with one answer and its report: its id, and its records' ids."""
    session = client.post(
        "/api/v1/sessions", json={"role": "Backend engineer", "question_count": 3}
    ).get_json()
    url = f"/api/v1/sessions/{session['id']}"
    answer = client.post(
        f"{url}/questions/1/answer", json={"answer": "I led it."}, headers=ASYNC_JSON
    ).get_json()
    wait_for_generations()
    report = client.post(f"{url}/report", headers=ASYNC_JSON).get_json()
    wait_for_generations()
    return session["id"], [answer["id"], report["id"]]


ASYNC_JSON = {"Accept": "application/json"}


def test_sessions_past_the_retention_go_whole_with_their_records(app, client, upstream):
    upstream.configure(text_for=interviewer())
    old_session, old_records = session_with_report(client)
    kept_session, kept_records = session_with_report(client)
    with app.app_context():
        backdate(InterviewSession, InterviewSession.session_id, old_session, 45)
        backdate(Feedback, Feedback.feedback_id, old_records[0], 44)  # the answer
        backdate(Feedback, Feedback.feedback_id, old_records[1], 29)  # the report, newer
        backdate(InterviewSession, InterviewSession.session_id, kept_session, 29)
        backdate(Feedback, Feedback.feedback_id, kept_records[0], 29)
        assert delete_records_older_than(30) == 2
        assert [s.session_id for s in db.session.query(InterviewSession)] == [kept_session]
        assert {q.session_id for q in db.session.query(SessionQuestion)} == {kept_session}
        assert {r.feedback_id for r in db.session.query(Feedback)} == set(kept_records)
    assert client.get(f"/api/v1/sessions/{old_session}").status_code == 404
    kept = client.get(f"/api/v1/sessions/{kept_session}").get_json()
    assert kept["report"]["status"] == "completed"
    assert kept["questions"][0]["feedback_status"] == "completed"


def test_a_session_still_generating_waits_for_a_later_purge(app, client, upstream):
    upstream.configure(text_for=interviewer())
    session_id, (answer_id, report_id) = session_with_report(client)
    with app.app_context():
        backdate(InterviewSession, InterviewSession.session_id, session_id, 45)
        backdate(Feedback, Feedback.feedback_id, answer_id, 45)
        db.session.execute(
            update(Feedback).where(Feedback.feedback_id == report_id).values(status=STREAMING)
        )
        db.session.commit()
        assert delete_records_older_than(30) == 0  # not even its old answer
        assert db.session.get(Feedback, answer_id) is not None
        db.session.execute(
            update(Feedback).where(Feedback.feedback_id == report_id).values(status=COMPLETED)
        )
        db.session.commit()
        assert delete_records_older_than(30) == 2
        assert db.session.get(InterviewSession, session_id) is None
