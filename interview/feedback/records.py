"""Reading and writing feedback records, each in one short transaction.

Every function commits (or only reads) before it returns: no transaction stays
open while a stream runs. Records are always looked up with their owner, so a
caller can never reach another caller's record.
"""

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import STREAMING, Feedback, utcnow
from ..schemas import feedback_schema
from .scoring import parse_score


class InvalidCursor(ValueError):
    """A pagination cursor that this service did not hand out."""


def serialize(record: Feedback) -> dict[str, Any]:
    return feedback_schema.dump(record)


def create_streaming_record(**fields: Any) -> Feedback:
    """Insert a record in status `streaming` and commit, before any byte is streamed."""
    record = Feedback(status=STREAMING, feedback="", **fields)
    db.session.add(record)
    db.session.commit()
    return record


def finish_record(
    feedback_id: str,
    *,
    status: str,
    feedback: str,
    error: dict[str, str] | None,
    usage: dict[str, Any] | None,
    first_token_ms: int | None,
) -> dict[str, Any] | None:
    """Save the end of a generation; return the saved record, or None if it was deleted."""
    record = db.session.get(Feedback, feedback_id)
    if record is None:
        db.session.rollback()
        return None
    record.status = status
    record.feedback = feedback
    record.error = error
    record.usage = usage
    record.first_token_ms = first_token_ms
    record.score = parse_score(feedback)
    record.completed_at = utcnow()
    db.session.commit()
    saved = serialize(record)
    db.session.close()
    return saved


def get_record(feedback_id: str, owner: str | None) -> Feedback | None:
    """Return the record if it exists and belongs to `owner`."""
    record = db.session.execute(
        select(Feedback).where(Feedback.feedback_id == feedback_id, Feedback.owner == owner)
    ).scalar_one_or_none()
    db.session.commit()  # end the read transaction now, not when the request ends
    return record


def reload_record(feedback_id: str, owner: str | None) -> dict[str, Any] | None:
    """Return the record as plain data, read afresh from the database."""
    db.session.expire_all()
    record = get_record(feedback_id, owner)
    return serialize(record) if record is not None else None


def _encode_cursor(record: Feedback) -> str:
    created = record.created_at.replace(tzinfo=None).isoformat()
    raw = f"{created}|{record.feedback_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, feedback_id = raw.split("|", 1)
        return datetime.fromisoformat(created).replace(tzinfo=UTC), feedback_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(cursor) from None


def list_records(
    owner: str | None, limit: int, cursor: str | None = None
) -> tuple[list[Feedback], str | None]:
    """Return one page of the owner's records, newest first, and the next page's cursor."""
    query = select(Feedback).where(Feedback.owner == owner)
    if cursor is not None:
        created, feedback_id = _decode_cursor(cursor)
        if db.engine.dialect.name == "sqlite":
            created = created.replace(tzinfo=None)
        query = query.where(
            or_(
                Feedback.created_at < created,
                and_(Feedback.created_at == created, Feedback.feedback_id < feedback_id),
            )
        )
    query = query.order_by(Feedback.created_at.desc(), Feedback.feedback_id.desc())
    records = db.session.execute(query.limit(limit + 1)).scalars().all()
    next_cursor = _encode_cursor(records[limit - 1]) if len(records) > limit else None
    db.session.commit()
    return list(records[:limit]), next_cursor


def delete_record(feedback_id: str, owner: str | None) -> bool:
    """Delete the owner's record; return False when there is no such record."""
    record = get_record(feedback_id, owner)
    if record is None:
        return False
    db.session.delete(record)
    db.session.commit()
    return True


def mark_interrupted(feedback_id: str) -> dict[str, Any] | None:
    """End a `streaming` record that no process in reach is generating."""
    record = db.session.get(Feedback, feedback_id)
    if record is None or record.status != STREAMING:
        db.session.rollback()
        return None
    record.status = "interrupted"
    record.score = parse_score(record.feedback)
    record.completed_at = utcnow()
    db.session.commit()
    return serialize(record)
