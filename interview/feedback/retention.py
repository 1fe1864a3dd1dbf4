"""INTERVIEW_RETENTION_DAYS: records older than that are deleted for good.

Run by `flask feedback purge` and hourly by each worker's maintenance loop. A
record still `streaming` is never touched (the stale sweep ends it first).
Deletion is a real DELETE, in batches so no transaction holds many rows for
long; nothing of the text is kept (PostgreSQL reclaims the space at its next
vacuum, SQLite at the next `VACUUM`).
"""

from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import STREAMING, Feedback, utcnow

BATCH_SIZE = 500


def delete_records_older_than(days: int) -> int:
    """Delete the finished records created more than `days` ago; return how many."""
    cutoff = utcnow() - timedelta(days=days)
    if db.engine.dialect.name == "sqlite":
        cutoff = cutoff.replace(tzinfo=None)
    deleted = 0
    while True:
        batch = (
            db.session.execute(
                select(Feedback.feedback_id)
                .where(Feedback.created_at < cutoff, Feedback.status != STREAMING)
                .limit(BATCH_SIZE)
            )
            .scalars()
            .all()
        )
        if not batch:
            db.session.commit()
            return deleted
        db.session.execute(delete(Feedback).where(Feedback.feedback_id.in_(batch)))
        db.session.commit()
        deleted += len(batch)
