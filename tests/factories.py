"""Records made directly in the database, as the service would have left them."""

from typing import Any

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
