"""Mock interview sessions in the database: short transactions, one unit of work each.

Every function commits (or rolls back) before it returns, so no transaction
stays open while a session's generations stream. Changes that two workers
could race for are conditional updates (a question answered once, a report
started once, questions read in once): the loser's change does nothing.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, delete, select, true, update

from ..extensions import db
from ..models import (
    ACTIVE,
    ENDED,
    PREPARING,
    STREAMING,
    Feedback,
    InterviewSession,
    SessionQuestion,
    utcnow,
)
from .cursors import ROW_ID, beyond, decode_cursor, encode_cursor
from .records import ANYONE


def _owned_by(owner: str | None) -> ColumnElement[bool]:
    return true() if owner == ANYONE else InterviewSession.owner == owner


def _commit() -> None:
    """Commit the unit of work, or roll it back and raise."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def insert_session(session: InterviewSession, questions: Iterable[SessionQuestion]) -> None:
    """Save a new session with the questions it starts with, in one transaction."""
    if session.owner == ANYONE:
        session.owner = None
    db.session.add(session)
    db.session.add_all(questions)
    _commit()


def get_session(session_id: str, owner: str | None) -> InterviewSession | None:
    """The owner's session, or None."""
    if not ROW_ID.fullmatch(session_id):
        return None
    row = db.session.execute(
        select(InterviewSession).where(InterviewSession.session_id == session_id, _owned_by(owner))
    ).scalar_one_or_none()
    db.session.commit()
    return row


def find_session_by_key(scoped_key: str) -> InterviewSession | None:
    row = db.session.execute(
        select(InterviewSession).where(InterviewSession.idempotency_key == scoped_key)
    ).scalar_one_or_none()
    db.session.commit()
    return row


def session_questions(session_id: str) -> list[SessionQuestion]:
    """The session's questions in the order they are asked: each follow-up after its question."""
    rows = db.session.execute(
        select(SessionQuestion)
        .where(SessionQuestion.session_id == session_id)
        .order_by(SessionQuestion.position, SessionQuestion.follow_up)
    ).scalars()
    questions = list(rows)
    db.session.commit()
    return questions


def records_of(feedback_ids: Iterable[str]) -> dict[str, Feedback]:
    """The records named, by id (a session's answers, follow-ups and report)."""
    wanted = [i for i in feedback_ids if i]
    if not wanted:
        return {}
    rows = db.session.execute(select(Feedback).where(Feedback.feedback_id.in_(wanted))).scalars()
    found = {row.feedback_id: row for row in rows}
    db.session.commit()
    return found


def list_sessions(
    owner: str | None, limit: int, cursor: str | None = None
) -> tuple[list[InterviewSession], str | None]:
    """One page of the owner's sessions, newest first, and the next page's cursor."""
    query = select(InterviewSession).where(_owned_by(owner))
    if cursor is not None:
        created, session_id = decode_cursor(cursor, sqlite=db.engine.dialect.name == "sqlite")
        query = query.where(
            beyond(
                InterviewSession.created_at,
                InterviewSession.session_id,
                created,
                session_id,
                newest_first=True,
            )
        )
    query = query.order_by(InterviewSession.created_at.desc(), InterviewSession.session_id.desc())
    rows = db.session.execute(query.limit(limit + 1)).scalars().all()
    last = rows[limit - 1] if len(rows) > limit else None
    db.session.commit()
    return list(rows[:limit]), (encode_cursor(last.created_at, last.session_id) if last else None)


def add_questions_once(session_id: str, questions: list[SessionQuestion], note: str | None) -> bool:
    """Make a `preparing` session `active` with its questions; False if another did it first."""
    activated = db.session.execute(
        update(InterviewSession)
        .where(InterviewSession.session_id == session_id, InterviewSession.status == PREPARING)
        .values(status=ACTIVE, questions_note=note)
    ).rowcount
    if not activated:
        db.session.rollback()
        return False
    db.session.add_all(questions)
    _commit()
    return True


def add_follow_up_once(question: SessionQuestion) -> None:
    """Save a follow-up question read from its generation, unless another process did."""
    exists = db.session.execute(
        select(SessionQuestion.row_id).where(
            SessionQuestion.session_id == question.session_id,
            SessionQuestion.position == question.position,
            SessionQuestion.follow_up.is_(True),
        )
    ).first()
    if exists is None:
        db.session.add(question)
    try:
        db.session.commit()
    except Exception:  # the unique number: another process saved it meanwhile
        db.session.rollback()


def _claim(row_id: int, column: str, value: Any) -> bool:
    """Set a question's `column` to `value` if it is still unset; False if it was set."""
    claimed = db.session.execute(
        update(SessionQuestion)
        .where(SessionQuestion.row_id == row_id, getattr(SessionQuestion, column).is_(None))
        .values({column: value})
    ).rowcount
    db.session.commit()
    return bool(claimed)


def link_answer(row_id: int, feedback_id: str) -> bool:
    """Record that the question was answered by `feedback_id`; False if it already was."""
    return _claim(row_id, "feedback_id", feedback_id)


def link_follow_up(row_id: int, generation_id: str) -> bool:
    """Record the follow-up generation of a question; False if it already has one."""
    return _claim(row_id, "follow_up_id", generation_id)


def skip_question(row_id: int) -> bool:
    """Mark an unanswered question skipped; False if it was answered meanwhile."""
    skipped = db.session.execute(
        update(SessionQuestion)
        .where(SessionQuestion.row_id == row_id, SessionQuestion.feedback_id.is_(None))
        .values(skipped=True)
    ).rowcount
    db.session.commit()
    return bool(skipped)


def end_with_report(session_id: str, report_id: str, replacing: str | None = None) -> bool:
    """End the session with its report; False if its report is no longer `replacing`.

    `replacing` is the failed or interrupted report a new one takes the place
    of (None: the session has none yet), so of two processes replacing it only one does.
    """
    current = (
        InterviewSession.report_id.is_(None)
        if replacing is None
        else InterviewSession.report_id == replacing
    )
    ended = db.session.execute(
        update(InterviewSession)
        .where(InterviewSession.session_id == session_id, current)
        .values(report_id=report_id, status=ENDED, ended_at=utcnow())
    ).rowcount
    db.session.commit()
    return bool(ended)


def streaming_records_of(session_id: str) -> list[str]:
    """The ids of the session's generations still streaming."""
    ids = db.session.execute(
        select(Feedback.feedback_id).where(
            Feedback.session_id == session_id, Feedback.status == STREAMING
        )
    ).scalars()
    found = list(ids)
    db.session.commit()
    return found


def delete_session(session_id: str) -> None:
    """Delete the session, its questions and every record it made, in one transaction."""
    try:
        db.session.execute(delete(Feedback).where(Feedback.session_id == session_id))
        db.session.execute(delete(SessionQuestion).where(SessionQuestion.session_id == session_id))
        db.session.execute(
            delete(InterviewSession).where(InterviewSession.session_id == session_id)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
