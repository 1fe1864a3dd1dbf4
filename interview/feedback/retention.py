"""INTERVIEW_RETENTION_DAYS: records and transcriptions older than that are deleted for good.

Run by `flask feedback purge` and hourly by each worker's maintenance loop. A
record still `streaming` is never touched (the stale sweep ends it first).
Deletion is a real DELETE, in batches so no transaction holds many rows for
long; nothing of the text is kept (PostgreSQL reclaims the space at its next
vacuum, SQLite at the next `VACUUM`).
"""

from datetime import timedelta

from sqlalchemy import ColumnElement, delete, select

from ..extensions import db
from ..models import STREAMING, Feedback, Transcription, utcnow

BATCH_SIZE = 500


def delete_records_older_than(days: int) -> int:
    """Delete the finished records and the transcriptions created more than `days` ago.

    Returns how many records were deleted.
    """
    cutoff = utcnow() - timedelta(days=days)
    if db.engine.dialect.name == "sqlite":
        cutoff = cutoff.replace(tzinfo=None)
    _delete_in_batches(Transcription.transcription_id, Transcription.created_at < cutoff)
    return _delete_in_batches(
        Feedback.feedback_id, (Feedback.created_at < cutoff) & (Feedback.status != STREAMING)
    )


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
