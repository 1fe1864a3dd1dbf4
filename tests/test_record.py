"""The domain's record: read from its row, written by the API's schema and the spool alike."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from interview.feedback.live import start_event_data
from interview.feedback.record import FeedbackRecord
from interview.feedback.records import final_state
from interview.feedback.spool import spool_line
from interview.schemas import feedback_schema

from .factories import feedback_record

ASSESSMENT = {
    "version": "1",
    "method": "model",
    "status": "complete",
    "reason": None,
    "question_kind": "technical",
    "criteria": {"relevance": 4},
    "star": None,
    "overall": None,
}


def a_row(created_at: datetime):
    return feedback_record(
        feedback_id="rec1",
        owner="alice",
        role="Engineer",
        feedback="Clear. Score: 7/10",
        error={"code": "upstream_dropped", "message": "Dropped."},
        score=7,
        assessment=ASSESSMENT,
        temperature=0.2,
        seed=42,
        metrics={"word_count": 5},
        usage={"total_tokens": 9},
        first_token_ms=12,
        created_at=created_at,
        completed_at=created_at + timedelta(seconds=3),
    )


TIMES = {
    "aware, UTC": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    "aware, another zone": datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    "naive (SQLite), UTC": datetime(2026, 1, 2, 3, 4, 5),
}


@pytest.mark.parametrize("created_at", TIMES.values(), ids=TIMES)
def test_the_api_writes_a_record_as_it_writes_its_row(created_at):
    row = a_row(created_at)
    assert feedback_schema.dump(FeedbackRecord.from_row(row)) == feedback_schema.dump(row)


@pytest.mark.parametrize("created_at", TIMES.values(), ids=TIMES)
def test_the_start_event_and_the_record_give_the_same_creation_time(created_at):
    record = FeedbackRecord.from_row(a_row(created_at))
    assert start_event_data(record) == {
        "id": "rec1",
        "model": "m",
        "created_at": feedback_schema.dump(record)["created_at"],
    }


def test_a_spooled_line_is_the_api_record_and_its_owner():
    record = FeedbackRecord.from_row(a_row(TIMES["aware, UTC"]))
    assert spool_line(record) == {**feedback_schema.dump(record), "owner": "alice"}
    assert list(spool_line(record))[0] == "id"


def test_an_ended_record_takes_every_column_of_its_end():
    created = FeedbackRecord.from_row(a_row(TIMES["aware, UTC"]))
    end = final_state(
        status="completed", feedback="Good.\nScore: 8/10", error=None, usage=None, first_token_ms=3
    )
    ended = created.ended(end)
    assert (ended.status, ended.feedback, ended.score, ended.error) == (
        "completed",
        "Good.\nScore: 8/10",
        8,
        None,
    )
    assert (ended.completed_at, ended.question, ended.owner) == (
        end.completed_at,
        created.question,
        "alice",
    )
