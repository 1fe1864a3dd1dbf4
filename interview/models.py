"""The feedback record: one candidate answer and the feedback streamed for it."""

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

STREAMING = "streaming"
COMPLETED = "completed"
FAILED = "failed"
INTERRUPTED = "interrupted"
STATUSES = (STREAMING, COMPLETED, FAILED, INTERRUPTED)

# What a generation record holds: feedback on an answer, or a mock interview's
# questions, follow-up question or report (`feedback/sessions.py`).
ANSWER, QUESTIONS, FOLLOW_UP, REPORT = "answer", "questions", "follow_up", "report"
KINDS = (ANSWER, QUESTIONS, FOLLOW_UP, REPORT)

PREPARING, ACTIVE, ENDED = "preparing", "active", "ended"
SESSION_STATUSES = (PREPARING, ACTIVE, ENDED)


def new_feedback_id() -> str:
    """Return an opaque, unguessable record id (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive one is taken as UTC already (SQLite keeps no zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Feedback(db.Model):
    __tablename__ = "feedback"

    feedback_id: Mapped[str] = mapped_column(
        "id", String(32), primary_key=True, default=new_feedback_id
    )
    owner: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(200))
    feedback: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=STREAMING)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(32))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[int | None] = mapped_column(Integer)
    # The model's judgement (`feedback/assessment.py`); None on records made before it.
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What was sent to the model with the prompt; None where nothing is sampled (offline).
    temperature: Mapped[float | None] = mapped_column(Float)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    # How a spoken answer was delivered (`feedback/delivery.py`); None for a typed one.
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    delay_ms: Mapped[int] = mapped_column(Integer)
    first_token_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # While `streaming`: when its text was last flushed. For a record without a
    # `worker_id` (made before workers had ids), a stale one means its process died.
    progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by a cancel from any process; the generating process watches for it.
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "<owner>:<Idempotency-Key>" of the request that created it, and that request's digest.
    idempotency_key: Mapped[str | None] = mapped_column(String(300))
    request_digest: Mapped[str | None] = mapped_column(String(64))
    # Who the request counted against (`api/callers.py`, a keyed hash): the
    # open-stream cap counts this caller's records still `streaming`.
    caller: Mapped[str | None] = mapped_column(String(64))
    # The process generating it (`Worker`): its records are swept only once it is
    # judged dead. None on records made before workers had ids (judged by `progress_at`).
    worker_id: Mapped[str | None] = mapped_column(String(64))
    # What was generated (KINDS); only `answer` records are listed as feedback.
    kind: Mapped[str] = mapped_column(String(16), default=ANSWER, server_default=ANSWER)
    # The mock interview it belongs to, if any; deleted with it (`session_records.py`).
    session_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_feedback_session", "session_id"),
        Index("ix_feedback_owner_created", "owner", "created_at", "id"),
        Index("ix_feedback_status_progress", "status", "progress_at"),
        Index("ix_feedback_status_worker", "status", "worker_id"),
        Index("ix_feedback_caller_status", "caller", "status"),
        Index("ix_feedback_created", "created_at"),
        UniqueConstraint("idempotency_key", name="uq_feedback_idempotency_key"),
    )


class Transcription(db.Model):
    """What a recorded answer said and how it was delivered; the audio itself is not kept."""

    __tablename__ = "transcription"

    transcription_id: Mapped[str] = mapped_column(
        "id", String(32), primary_key=True, default=new_feedback_id
    )
    # Scoped like a record's owner: only the owner's feedback may use it.
    owner: Mapped[str | None] = mapped_column(String(64))
    caller: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(32))
    duration_s: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_transcription_created", "created_at"),)


class InterviewSession(db.Model):
    """A mock interview: its setting, and where its questions and report come from."""

    __tablename__ = "interview_session"

    session_id: Mapped[str] = mapped_column(
        "id", String(32), primary_key=True, default=new_feedback_id
    )
    owner: Mapped[str | None] = mapped_column(String(64))
    caller: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(200))
    seniority: Mapped[str] = mapped_column(String(16))
    # Pasted by the candidate: data for the prompt, never instructions.
    job_description: Mapped[str | None] = mapped_column(Text)
    question_count: Mapped[int] = mapped_column(Integer)
    # How many questions of each kind: {"behavioural": n, "technical": n, "motivation": n}
    mix: Mapped[dict[str, int]] = mapped_column(JSON)
    # `bank`, or `model`: written for the role by the `questions` generation `questions_id`.
    question_source: Mapped[str] = mapped_column(String(8))
    questions_id: Mapped[str | None] = mapped_column(String(32))
    # Why the questions are not all the model's (it failed, or wrote too few); None if they are.
    questions_note: Mapped[str | None] = mapped_column(Text)
    report_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(300))
    request_digest: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_interview_session_owner_created", "owner", "created_at", "id"),
        UniqueConstraint("idempotency_key", name="uq_interview_session_idempotency_key"),
    )


class SessionQuestion(db.Model):
    """One question of a mock interview, and the record of its answer once answered."""

    __tablename__ = "session_question"

    row_id: Mapped[int] = mapped_column("id", Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(32))
    # 1..question_count; a follow-up has its main question's position ("3a").
    position: Mapped[int] = mapped_column(Integer)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    why: Mapped[str | None] = mapped_column(Text)
    # `bank` (`bank_id` names it), `model` (the questions generation), or `follow_up`.
    source: Mapped[str] = mapped_column(String(16))
    bank_id: Mapped[str | None] = mapped_column(String(64))
    # The answer's feedback record, once answered.
    feedback_id: Mapped[str | None] = mapped_column(String(32))
    # The `follow_up` generation asked for after this (main) question's answer.
    follow_up_id: Mapped[str | None] = mapped_column(String(32))
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("session_id", "position", "follow_up", name="uq_session_question_number"),
    )


class Question(db.Model):
    """A question of the custom bank, imported with `flask questions import`."""

    __tablename__ = "question"

    # The stable key an import upserts by: the file's `id`, else derived from the text.
    question_id: Mapped[str] = mapped_column("id", String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    tips: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(200))
    # Where the question stood in the file that last imported it: the bank's order.
    position: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_question_category_position", "category", "position"),)


class Worker(db.Model):
    """A process that generates feedback, and its heartbeat (`feedback/heartbeats.py`)."""

    __tablename__ = "worker"

    worker_id: Mapped[str] = mapped_column("id", String(64), primary_key=True)
    # Counted up while it generates: a sweeper compares counts it has seen
    # itself, never clocks of two machines.
    beats: Mapped[int] = mapped_column(Integer, default=0)
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
