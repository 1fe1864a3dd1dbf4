"""Records made directly in the database, as the service would have left them, or in memory."""

from datetime import UTC, datetime
from typing import Any

from interview.feedback.record import FeedbackRecord
from interview.models import COMPLETED, Feedback


def feedback_record(**fields: Any) -> Feedback:
    """A Feedback record with plausible values for every field not given."""
    values: dict[str, Any] = {
        "question": "Why?",
        "answer": "Because I care about it.",
        "feedback": "",
        "status": COMPLETED,
        "provider": "openai",
        "model": "m",
        "prompt_version": "v",
        "metrics": {},
        "delay_ms": 0,
    }
    values.update(fields)
    return Feedback(**values)


def stored_record(
    feedback: str, status: str = COMPLETED, error: dict[str, str] | None = None, **fields: Any
) -> FeedbackRecord:
    """A finished record as the domain holds it, with plausible values for the rest."""
    values: dict[str, Any] = {
        "feedback_id": "rec1",
        "question": "Why?",
        "answer": "Because I care about it.",
        "role": None,
        "provider": "openai",
        "model": "m",
        "prompt_version": "v",
        "score": None,
        "assessment": None,
        "temperature": None,
        "seed": None,
        "metrics": {},
        "usage": None,
        "delay_ms": 0,
        "first_token_ms": None,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "completed_at": None,
        "owner": None,
    }
    return FeedbackRecord(feedback=feedback, status=status, error=error, **{**values, **fields})
