"""INTERVIEW_RETENTION_DAYS: records and transcriptions older than that are deleted for good.

Run by `flask feedback purge` and hourly by each worker's maintenance loop. A
record still `streaming` is never touched (the stale sweep ends it first).
A mock interview created before the cut-off goes as a whole, as DELETE
/sessions/{id} does: its questions and every record it made, even one made
after the cut-off (a session is never left with some of its answers), unless
one of them is still `streaming` (then it goes at a later purge, whole). A
session's records go only with it: none is ever left with some purged.
Deletion is a real DELETE, in batches so no transaction holds many rows for
long; nothing of the text is kept (PostgreSQL reclaims the space at its next
vacuum, SQLite at the next `VACUUM`).
"""

from datetime import timedelta

from sqlalchemy import ColumnElement, delete, exists, select

from ..extensions import db
from ..models import STREAMING, Feedback, InterviewSession, SessionQuestion, Transcription, utcnow

BATCH_SIZE = 500


def delete_records_older_than(days: int) -> int:
    """Delete the finished records, sessions and transcriptions created more than `days` ago.

    Returns how many records were deleted (those of the sessions deleted included).
    """
    cutoff = utcnow() - timedelta(days=days)
    if db.engine.dialect.name == "sqlite":
        cutoff = cutoff.replace(tzinfo=None)
    _delete_in_batches(Transcription.transcription_id, Transcription.created_at < cutoff)
    deleted = _delete_sessions_before(cutoff)
    in_a_session = exists().where(InterviewSession.session_id == Feedback.session_id)
    return deleted + _delete_in_batches(
        Feedback.feedback_id,
        (Feedback.created_at < cutoff) & (Feedback.status != STREAMING) & ~in_a_session,
    )


def _delete_sessions_before(cutoff) -> int:
    """Delete the sessions created before `cutoff` with their questions and records.

    A batch of sessions a transaction; returns how many records went with them.
    """
    generating = exists().where(
        Feedback.session_id == InterviewSession.session_id, Feedback.status == STREAMING
    )
    old = select(InterviewSession.session_id).where(
        InterviewSession.created_at < cutoff, ~generating
    )
    deleted = 0
    while True:
        batch = db.session.execute(old.limit(BATCH_SIZE)).scalars().all()
        if not batch:
            db.session.commit()
            return deleted
        records = db.session.execute(delete(Feedback).where(Feedback.session_id.in_(batch)))
        db.session.execute(delete(SessionQuestion).where(SessionQuestion.session_id.in_(batch)))
        db.session.execute(delete(InterviewSession).where(InterviewSession.session_id.in_(batch)))
        db.session.commit()
        deleted += records.rowcount


def _delete_in_batches(key, condition: ColumnElement[bool]) -> int:
    """Delete the rows of `key`'s table that meet `condition`, a batch a transaction."""
    deleted = 0
    while True:
        batch = db.session.execute(select(key).where(condition).limit(BATCH_SIZE)).scalars().all()
        if not batch:
            db.session.commit()
            return deleted
        db.session.execute(delete(key.class_).where(key.in_(batch)))
        db.session.commit()
        deleted += len(batch)
