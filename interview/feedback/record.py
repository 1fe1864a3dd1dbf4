"""A feedback record as the domain holds it, and what makes and ends one.

- `NewRecord`: what a generation's `streaming` record is inserted with.
- `RecordEnd`: what a generation's end sets (`records.final_state`).
- `FeedbackRecord`: a whole record, read from its row or built from the two
  above without reading it back.

These are plain values: the API's JSON of a record is its schema's business
(`schemas.FeedbackSchema` dumps a `FeedbackRecord` as it dumps a row).
"""

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from ..models import ANSWER, Feedback, as_utc


def utc_isoformat(moment: datetime) -> str:
    """ISO 8601 in UTC; a naive time is UTC (SQLite hands timestamps back without a zone)."""
    return as_utc(moment).isoformat()


@dataclass(frozen=True, slots=True)
class NewRecord:
    """What a generation's record starts with; `owner` None is the open API's caller."""

    owner: str | None
    question: str
    answer: str
    role: str | None
    provider: str
    model: str
    prompt_version: str
    temperature: float | None
    seed: int | None
    metrics: dict[str, Any]
    delay_ms: int
    idempotency_key: str | None = None
    request_digest: str | None = None
    caller: str | None = None
    worker_id: str | None = None
    delivery: dict[str, Any] | None = None
    #: what is generated (`models.KINDS`), and the mock interview it is part of
    kind: str = ANSWER
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordEnd:
    """How a generation ended, computed once so that a retried save keeps it."""

    status: str
    feedback: str
    error: dict[str, str] | None
    usage: dict[str, Any] | None
    first_token_ms: int | None
    score: int | None
    assessment: dict[str, Any] | None
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """One record: the answer, its feedback and how the generation went."""

    feedback_id: str
    question: str
    answer: str
    role: str | None
    feedback: str
    status: str
    provider: str
    model: str
    prompt_version: str
    error: dict[str, str] | None
    score: int | None
    assessment: dict[str, Any] | None
    temperature: float | None
    seed: int | None
    metrics: dict[str, Any]
    usage: dict[str, Any] | None
    delay_ms: int
    first_token_ms: int | None
    created_at: datetime
    completed_at: datetime | None
    owner: str | None
    #: how a spoken answer was delivered (its transcription's); None for a typed one
    delivery: dict[str, Any] | None = None
    kind: str = ANSWER
    session_id: str | None = None

    @classmethod
    def from_row(cls, row: Feedback) -> "FeedbackRecord":
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})

    @classmethod
    def inserted(
        cls, feedback_id: str, new: NewRecord, status: str, created_at: datetime
    ) -> "FeedbackRecord":
        """The record as a new row holds it: nothing generated, nothing ended yet."""
        return cls(
            feedback_id=feedback_id,
            owner=new.owner,
            question=new.question,
            answer=new.answer,
            role=new.role,
            feedback="",
            status=status,
            provider=new.provider,
            model=new.model,
            prompt_version=new.prompt_version,
            error=None,
            score=None,
            assessment=None,
            temperature=new.temperature,
            seed=new.seed,
            metrics=new.metrics,
            delivery=new.delivery,
            kind=new.kind,
            session_id=new.session_id,
            usage=None,
            delay_ms=new.delay_ms,
            first_token_ms=None,
            created_at=created_at,
            completed_at=None,
        )

    def ended(self, end: RecordEnd) -> "FeedbackRecord":
        """This record with `end` applied, as the database holds it once saved."""
        return replace(
            self,
            status=end.status,
            feedback=end.feedback,
            error=end.error,
            usage=end.usage,
            first_token_ms=end.first_token_ms,
            score=end.score,
            assessment=end.assessment,
            completed_at=end.completed_at,
        )
