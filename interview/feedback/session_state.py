"""A mock interview as its users see it: each question's state, progress, what comes next.

Built from the session's rows and the records its generations made, without
reading anything more; the API's schema dumps it as it dumps a record.
Questions are numbered as the candidate sees them: "3" is the third question,
"3a" the follow-up on its answer.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import Feedback, InterviewSession, SessionQuestion

PENDING, ANSWERED, SKIPPED = "pending", "answered", "skipped"


@dataclass(frozen=True)
class GenerationRef:
    """A generation of the session's (its questions, a follow-up, the report) and its status."""

    id: str
    status: str


@dataclass(frozen=True)
class QuestionState:
    number: str
    position: int
    follow_up: bool
    text: str
    category: str
    why: str | None
    source: str
    bank_id: str | None
    status: str
    feedback_id: str | None
    score: int | None
    skipped: bool
    row_id: int
    #: the follow-up question's generation, asked after this question's answer
    follow_up_generation: GenerationRef | None
    #: the answer's record (None until answered), for the domain; not dumped
    answer_record: Feedback | None = field(default=None, repr=False)

    @property
    def feedback_status(self) -> str | None:
        return self.answer_record.status if self.answer_record is not None else None


@dataclass(frozen=True)
class SessionState:
    session_id: str
    owner: str | None
    role: str
    seniority: str
    job_description: str | None
    question_count: int
    mix: dict[str, int]
    question_source: str
    questions_note: str | None
    status: str
    created_at: datetime
    ended_at: datetime | None
    questions_generation: GenerationRef | None
    questions: list[QuestionState]
    report: GenerationRef | None
    #: the next question to answer, by number; None when none is left
    next: str | None
    progress: dict[str, Any]


def question_number(question: SessionQuestion) -> str:
    return f"{question.position}a" if question.follow_up else str(question.position)


def _ref(feedback_id: str | None, records: dict[str, Feedback]) -> GenerationRef | None:
    if feedback_id is None:
        return None
    record = records.get(feedback_id)
    return GenerationRef(feedback_id, record.status if record is not None else "deleted")


def build_state(
    session: InterviewSession, rows: list[SessionQuestion], records: dict[str, Feedback]
) -> SessionState:
    """The state of `session` from its question `rows` and the `records` they name."""
    questions = [_question_state(row, records) for row in rows]
    pending = [q for q in questions if q.status == PENDING]
    main = [q for q in questions if not q.follow_up]
    progress = {
        "total": session.question_count,
        "answered": sum(q.status == ANSWERED for q in main),
        "skipped": sum(q.status == SKIPPED for q in main),
        "follow_ups_answered": sum(q.status == ANSWERED for q in questions if q.follow_up),
        # the main question the candidate is on: "3 of 6"
        "current": (pending[0].position if pending else None),
    }
    return SessionState(
        session_id=session.session_id,
        owner=session.owner,
        role=session.role,
        seniority=session.seniority,
        job_description=session.job_description,
        question_count=session.question_count,
        mix=session.mix,
        question_source=session.question_source,
        questions_note=session.questions_note,
        status=session.status,
        created_at=session.created_at,
        ended_at=session.ended_at,
        questions_generation=_ref(session.questions_id, records),
        questions=questions,
        report=_ref(session.report_id, records),
        next=(pending[0].number if pending and session.report_id is None else None),
        progress=progress,
    )


def _question_state(row: SessionQuestion, records: dict[str, Feedback]) -> QuestionState:
    record = records.get(row.feedback_id) if row.feedback_id else None
    if row.feedback_id is not None:
        status = ANSWERED
    else:
        status = SKIPPED if row.skipped else PENDING
    return QuestionState(
        number=question_number(row),
        position=row.position,
        follow_up=row.follow_up,
        text=row.text,
        category=row.category,
        why=row.why,
        source=row.source,
        bank_id=row.bank_id,
        status=status,
        feedback_id=row.feedback_id,
        score=record.score if record is not None else None,
        skipped=row.skipped,
        row_id=row.row_id,
        follow_up_generation=_ref(row.follow_up_id, records),
        answer_record=record,
    )


def find_question(state: SessionState, number: str) -> QuestionState | None:
    return next((q for q in state.questions if q.number == number), None)
