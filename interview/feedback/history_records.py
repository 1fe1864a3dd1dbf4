"""What the history pages read: practice attempts outside sessions, and sessions' answers.

Short read transactions, like `records.py`; each commits before it returns.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import ACTIVE, ANSWER, ENDED, Feedback, InterviewSession


@dataclass(frozen=True)
class SessionAnswer:
    """One answered question of a session, as the trends read it."""

    session_id: str
    role: str
    started_at: datetime
    assessment: dict[str, Any] | None
    score: int | None


def list_practice_attempts(owner: str, limit: int = 500) -> list[Feedback]:
    """The owner's answers made outside mock interviews, newest first."""
    query = (
        select(Feedback)
        .where(Feedback.owner == owner, Feedback.kind == ANSWER, Feedback.session_id.is_(None))
        .order_by(Feedback.created_at.desc(), Feedback.feedback_id.desc())
        .limit(limit)
    )
    records = list(db.session.execute(query).scalars())
    db.session.commit()
    return records


def session_answers(owner: str, sessions: int) -> list[SessionAnswer]:
    """The answers of the owner's latest `sessions` active or ended sessions, for the trends."""
    latest = list(
        db.session.execute(
            select(InterviewSession.session_id)
            .where(InterviewSession.owner == owner, InterviewSession.status.in_((ACTIVE, ENDED)))
            .order_by(InterviewSession.created_at.desc(), InterviewSession.session_id.desc())
            .limit(sessions)
        ).scalars()
    )
    query = (
        select(
            InterviewSession.session_id,
            InterviewSession.role,
            InterviewSession.created_at,
            Feedback.assessment,
            Feedback.score,
        )
        .join(Feedback, Feedback.session_id == InterviewSession.session_id)
        .where(
            InterviewSession.session_id.in_(latest),
            Feedback.owner == owner,
            Feedback.kind == ANSWER,
        )
    )
    rows = [SessionAnswer(*row) for row in db.session.execute(query)] if latest else []
    db.session.commit()
    return rows
