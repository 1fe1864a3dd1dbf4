"""INTERVIEW_RETENTION_DAYS: old finished records are deleted for good, nothing else."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from interview.config import ConfigError, load_config
from interview.extensions import db
from interview.feedback.retention import delete_records_older_than
from interview.models import COMPLETED, FAILED, STREAMING, Feedback, utcnow

from .conftest import wait_for_generations


def add_record(age_days: float, status: str = COMPLETED) -> str:
    record = Feedback(
        question="Why?",
        answer="Because I care about it.",
        feedback="Good answer.",
        status=status,
        provider="offline",
        model="offline",
        prompt_version="test",
        metrics={},
        delay_ms=0,
        created_at=utcnow() - timedelta(days=age_days),
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
