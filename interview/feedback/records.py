"""Reading and writing feedback records, each in one short transaction.

Every function commits (or only reads) before it returns: no transaction stays
open while a stream runs. Records are always looked up with their owner, so a
caller can never reach another caller's record. `ANYONE` is the owner of a
caller of the open API (no API keys configured): every record is in reach.

The writes of every stream (its insert, the flushes of its text so far, its
final save) are statements built once and run on a connection of their own,
without the ORM session: it and a new statement's cache key cost more than
the write itself.
"""

from collections.abc import Collection, Iterator
from dataclasses import fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, or_, select, true, update

from ..extensions import db
from ..models import (
    ANSWER,
    COMPLETED,
    FAILED,
    INTERRUPTED,
    STREAMING,
    Feedback,
    as_utc,
    new_feedback_id,
    utcnow,
)
from .cursors import ROW_ID, beyond, decode_cursor, encode_cursor
from .record import FeedbackRecord, NewRecord, RecordEnd
from .scoring import parse_score

ANYONE = "*"
_FEEDBACK_ID = ROW_ID


def _owned_by(owner: str | None) -> ColumnElement[bool]:
    return true() if owner == ANYONE else Feedback.owner == owner


_INSERT_RECORD = Feedback.__table__.insert()
# What a generation's end sets (`final_state`).
_FINAL_COLUMNS = (
    "status",
    "feedback",
    "error",
    "usage",
    "first_token_ms",
    "score",
    "assessment",
    "completed_at",
)
_FINISH_RECORD = (
    update(Feedback.__table__)
    .where(Feedback.__table__.c.id == bindparam("b_id"), Feedback.__table__.c.status == STREAMING)
    .values({column: bindparam(f"b_{column}") for column in _FINAL_COLUMNS})
)
# What a generation's end adds to a record already ended by someone else: its text.
_TEXT_COLUMNS = ("feedback", "usage", "first_token_ms", "score", "assessment")
_ADD_TEXT = (
    update(Feedback.__table__)
    .where(Feedback.__table__.c.id == bindparam("b_id"))
    .values({column: bindparam(f"b_{column}") for column in _TEXT_COLUMNS})
)
_HOW_IT_ENDED = select(Feedback.status, Feedback.error, Feedback.completed_at).where(
    Feedback.feedback_id == bindparam("b_id")
)

_FLUSH_PROGRESS = (
    update(Feedback.__table__)
    .where(Feedback.__table__.c.id == bindparam("b_id"), Feedback.__table__.c.status == STREAMING)
    .values(
        feedback=bindparam("b_feedback"),
        first_token_ms=bindparam("b_first_token_ms"),
        progress_at=bindparam("b_progress_at"),
    )
)


def create_streaming_record(new: NewRecord) -> FeedbackRecord:
    """Insert a record in status `streaming` and commit, before any byte is streamed."""
    with db.engine.begin() as connection:
        return insert_streaming_record(connection, new)


def insert_streaming_record(connection: Connection, new: NewRecord) -> FeedbackRecord:
    """Insert a record in status `streaming` in `connection`'s transaction.

    Returns the record built from the values inserted, not read back (one
    statement, where the ORM would take two).
    """
    if new.owner == ANYONE:
        new = replace(new, owner=None)
    record = FeedbackRecord.inserted(new_feedback_id(), new, STREAMING, utcnow())
    connection.execute(
        _INSERT_RECORD,
        {
            **{field.name: getattr(new, field.name) for field in fields(new)},
            "id": record.feedback_id,
            "created_at": record.created_at,
            "status": STREAMING,
            "feedback": "",
            "cancel_requested": False,
        },
    )
    return record


def final_state(
    *,
    status: str,
    feedback: str,
    error: dict[str, str] | None,
    usage: dict[str, Any] | None,
    first_token_ms: int | None,
    assessment: dict[str, Any] | None = None,
    scored: bool = True,
) -> RecordEnd:
    """Return the end of a generation, computed once so a retried save keeps it.

    The score is the assessment's derived overall score when it has one, else
    the feedback's own `Score: N/10` line, as before assessments (`scoring.py`);
    None when the generation is not `scored` (a mock interview's questions,
    follow-up or report).
    """
    overall = assessment.get("overall") if assessment else None
    if overall is None and scored:
        overall = parse_score(feedback)
    return RecordEnd(
        status=status,
        feedback=feedback,
        error=error,
        usage=usage,
        first_token_ms=first_token_ms,
        score=overall,
        assessment=assessment,
        completed_at=utcnow(),
    )


def finish_record(feedback_id: str, final: RecordEnd) -> RecordEnd | None:
    """Save a generation's end (`final_state`); return it as saved, None if the record was deleted.

    The first end of a record settles its status: one the stale sweep ended
    meanwhile stays `interrupted`, as its followers were told, and gets the
    generation's text (the sweep had only the text flushed).
    """
    parameters = {
        "b_id": feedback_id,
        **{f"b_{column}": getattr(final, column) for column in _FINAL_COLUMNS},
    }
    with db.engine.begin() as connection:
        if connection.execute(_FINISH_RECORD, parameters).rowcount:
            return final
        ended = connection.execute(_HOW_IT_ENDED, {"b_id": feedback_id}).one_or_none()
        if ended is None:
            return None
        connection.execute(_ADD_TEXT, parameters)
    return replace(final, status=ended.status, error=ended.error, completed_at=ended.completed_at)


def end_unsaved_record(feedback_id: str, final: RecordEnd) -> None:
    """End a `streaming` record whose end the database refused, without the generated text."""
    db.session.execute(
        update(Feedback)
        .where(Feedback.feedback_id == feedback_id, Feedback.status == STREAMING)
        .values(status=final.status, error=final.error, completed_at=final.completed_at)
    )
    db.session.commit()


def open_stream_ids(connection: Connection, caller: str) -> set[str]:
    """The ids of this caller's records still `streaming`, read in `connection`'s transaction."""
    query = select(Feedback.feedback_id).where(
        Feedback.caller == caller, Feedback.status == STREAMING
    )
    return set(connection.execute(query).scalars())


def get_record(feedback_id: str, owner: str | None) -> Feedback | None:
    """Return the record if it exists and belongs to `owner`."""
    if not _FEEDBACK_ID.fullmatch(feedback_id):
        return None
    record = db.session.execute(
        select(Feedback).where(Feedback.feedback_id == feedback_id, _owned_by(owner))
    ).scalar_one_or_none()
    db.session.commit()  # end the read transaction now, not when the request ends
    return record


def reload_record(feedback_id: str, owner: str | None) -> FeedbackRecord | None:
    """Return the record, read afresh from the database."""
    db.session.expire_all()
    record = get_record(feedback_id, owner)
    return FeedbackRecord.from_row(record) if record is not None else None


def list_records(
    owner: str | None, limit: int, cursor: str | None = None, status: str | None = None
) -> tuple[list[Feedback], str | None]:
    """Return one page of the owner's feedback records, newest first, and the next page's cursor.

    A mock interview's other generations (its questions, follow-ups, report)
    are the session's, not listed here.
    """
    query = select(Feedback).where(_owned_by(owner), Feedback.kind == ANSWER)
    if status is not None:
        query = query.where(Feedback.status == status)
    if cursor is not None:
        created, feedback_id = decode_cursor(cursor, sqlite=db.engine.dialect.name == "sqlite")
        query = query.where(_beyond(created, feedback_id, newest_first=True))
    query = query.order_by(Feedback.created_at.desc(), Feedback.feedback_id.desc())
    records = db.session.execute(query.limit(limit + 1)).scalars().all()
    last = records[limit - 1] if len(records) > limit else None
    next_cursor = encode_cursor(last.created_at, last.feedback_id) if last else None
    db.session.commit()
    return list(records[:limit]), next_cursor


def iter_records(batch_size: int = 500) -> Iterator[Feedback]:
    """Yield every record, oldest first, reading a batch at a time.

    Each batch is one short read, resuming after the last record of the one
    before (keyset): a big table is never loaded at once, and no transaction
    stays open while the caller writes the records out.
    """
    query = select(Feedback).order_by(Feedback.created_at, Feedback.feedback_id)
    last: Feedback | None = None
    while True:
        page = query
        if last is not None:
            page = query.where(_beyond(last.created_at, last.feedback_id, newest_first=False))
        records = db.session.execute(page.limit(batch_size)).scalars().all()
        db.session.commit()
        db.session.expunge_all()
        yield from records
        if len(records) < batch_size:
            return
        last = records[-1]


def delete_record(feedback_id: str, owner: str | None) -> bool:
    """Delete the owner's record; return False when there is no such record."""
    record = get_record(feedback_id, owner)
    if record is None:
        return False
    db.session.delete(record)
    db.session.commit()
    return True


def flush_progress(rows: Collection[tuple[str, str, int | None]]) -> None:
    """Save the text so far of records still generating: (id, text, first_token_ms) each.

    One statement for all the rows and one commit, however many there are.
    """
    now = utcnow()
    parameters = [
        {"b_id": i, "b_feedback": text, "b_first_token_ms": ms, "b_progress_at": now}
        for i, text, ms in rows
    ]
    with db.engine.begin() as connection:
        connection.execute(_FLUSH_PROGRESS, parameters)


def request_cancel(feedback_id: str) -> None:
    """Flag a generating record for its producer, in whichever process it runs."""
    db.session.execute(
        update(Feedback)
        .where(Feedback.feedback_id == feedback_id, Feedback.status == STREAMING)
        .values(cancel_requested=True)
    )
    db.session.commit()


def stop_requests_among(feedback_ids: Collection[str]) -> list[str]:
    """Return which of these records were asked to stop, or deleted."""
    rows = db.session.execute(
        select(Feedback.feedback_id, Feedback.cancel_requested).where(
            Feedback.feedback_id.in_(feedback_ids)
        )
    ).all()
    db.session.commit()
    going_on = {feedback_id for feedback_id, cancelled in rows if not cancelled}
    return [feedback_id for feedback_id in feedback_ids if feedback_id not in going_on]


def interrupt_records_of(worker_ids: Collection[str]) -> list[str]:
    """End as `interrupted` the `streaming` records of workers judged dead (`heartbeats.py`).

    Each keeps the text flushed so far.
    """
    swept = (
        db.session.execute(
            update(Feedback)
            .where(Feedback.status == STREAMING, Feedback.worker_id.in_(worker_ids))
            .values(status=INTERRUPTED, completed_at=utcnow())
            .returning(Feedback.feedback_id)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    return list(swept)


def interrupt_stale(stale_after_s: float) -> list[str]:
    """End every `streaming` record without a worker id whose process has shown no sign of life.

    Such a record was made before workers had ids, by a process that flushed
    its text or touched `progress_at` while alive; it keeps the text flushed so far.
    """
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    if db.engine.dialect.name == "sqlite":
        cutoff = cutoff.replace(tzinfo=None)
    last_sign = db.func.coalesce(Feedback.progress_at, Feedback.created_at)
    swept = (
        db.session.execute(
            update(Feedback)
            .where(
                Feedback.status == STREAMING,
                Feedback.worker_id.is_(None),
                last_sign < cutoff,
            )
            .values(status=INTERRUPTED, completed_at=utcnow())
            .returning(Feedback.feedback_id)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    return list(swept)


def is_stale(record: Feedback, stale_after_s: float) -> bool:
    """True when a `streaming` record without a worker id has shown no sign of life for a while.

    A record with a worker id is judged by its worker's heartbeat instead (`heartbeats.py`).
    """
    if record.worker_id is not None:
        return False
    last_sign = as_utc(record.progress_at or record.created_at)
    return utcnow() - last_sign > timedelta(seconds=stale_after_s)


def list_attempts(owner: str, question: str | None = None, limit: int = 500) -> list[Feedback]:
    """Return the owner's feedback records, newest first, optionally only those for one question."""
    query = select(Feedback).where(_owned_by(owner), Feedback.kind == ANSWER)
    if question is not None:
        query = query.where(Feedback.question == question)
    query = query.order_by(Feedback.created_at.desc(), Feedback.feedback_id.desc()).limit(limit)
    records = db.session.execute(query).scalars().all()
    db.session.commit()
    return list(records)


def find_by_idempotency_key(scoped_key: str) -> Feedback | None:
    record = db.session.execute(
        select(Feedback).where(Feedback.idempotency_key == scoped_key)
    ).scalar_one_or_none()
    db.session.commit()
    return record


def release_idempotency_key(feedback_id: str) -> None:
    """Free an expired key for a new request; the old record stays as it is."""
    db.session.execute(
        update(Feedback).where(Feedback.feedback_id == feedback_id).values(idempotency_key=None)
    )
    db.session.commit()


SAVED, ALREADY_SAVED, GONE = "saved", "already saved", "gone"
SAVE_FAILED = "save_failed"


def _ended_unsaved() -> ColumnElement[bool]:
    """A record ended without its text because the database refused its end."""
    return and_(Feedback.status == FAILED, Feedback.error["code"].as_string() == SAVE_FAILED)


def save_spooled_record(spooled: dict[str, Any]) -> str:
    """Save the end of a generation that was spooled (`spool.py`); return what became of it.

    SAVED: the record was `streaming`, or `interrupted` by the stale sweep, which
    only had the text flushed before the database went away: the spooled end
    is the generation's own, with all its text, so it wins; or it was ended
    `failed` with `save_failed` when the database refused its end
    (`producer._save_refused`), and gets its text now. ALREADY_SAVED: the
    record is `completed` or `failed`, saved after all (a commit whose answer
    was lost). GONE: the owner deleted the record meanwhile; it stays deleted.
    Raises on a spooled line that is not a finished record.
    """
    values = {
        column: spooled[column]
        for column in ("status", "feedback", "error", "usage", "first_token_ms", "score")
    }
    values["assessment"] = spooled.get("assessment")  # absent in lines spooled before it
    if values["status"] not in (COMPLETED, FAILED, INTERRUPTED):
        raise ValueError(f"not a final status: {values['status']!r}")
    values["completed_at"] = datetime.fromisoformat(spooled["completed_at"])
    feedback_id = spooled["id"]
    try:
        updated = db.session.execute(
            update(Feedback)
            .where(
                Feedback.feedback_id == feedback_id,
                or_(Feedback.status.in_((STREAMING, INTERRUPTED)), _ended_unsaved()),
            )
            .values(**values)
        ).rowcount
        exists = updated or db.session.get(Feedback, feedback_id) is not None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if updated:
        return SAVED
    return ALREADY_SAVED if exists else GONE


def _beyond(created: datetime, feedback_id: str, newest_first: bool) -> ColumnElement[bool]:
    return beyond(Feedback.created_at, Feedback.feedback_id, created, feedback_id, newest_first)
