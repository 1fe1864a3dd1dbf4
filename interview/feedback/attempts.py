"""A candidate's attempts: grouped by question, compared with the previous one, scored over time."""

from dataclasses import dataclass
from typing import Any

from ..models import Feedback
from .metrics import STAR_PARTS
from .records import list_attempts


@dataclass(frozen=True)
class QuestionHistory:
    question: str
    attempts: list[Feedback]  # newest first


def history_by_question(owner: str) -> list[QuestionHistory]:
    """Return the owner's attempts grouped by question, the most recently practised first."""
    groups: dict[str, list[Feedback]] = {}
    for record in list_attempts(owner):
        groups.setdefault(record.question, []).append(record)
    return [QuestionHistory(question, attempts) for question, attempts in groups.items()]


def attempts_at(record: Feedback, owner: str) -> list[Feedback]:
    """Return every attempt at this record's question, oldest first."""
    return list(reversed(list_attempts(owner, question=record.question)))


def previous_attempt(record: Feedback, attempts: list[Feedback]) -> Feedback | None:
    """Return the attempt just before `record` among `attempts` (oldest first)."""
    ids = [attempt.feedback_id for attempt in attempts]
    index = ids.index(record.feedback_id) if record.feedback_id in ids else 0
    return attempts[index - 1] if index > 0 else None


def compare_attempts(current: Feedback, previous: Feedback) -> dict[str, Any]:
    """Return what changed from `previous` to `current`: score, words, STAR parts."""
    now_star, before_star = current.metrics["star"], previous.metrics["star"]
    score_change = (
        current.score - previous.score
        if current.score is not None and previous.score is not None
        else None
    )
    return {
        "score_change": score_change,
        "word_change": current.metrics["word_count"] - previous.metrics["word_count"],
        "star_gained": [p for p in STAR_PARTS if now_star[p] and not before_star[p]],
        "star_lost": [p for p in STAR_PARTS if before_star[p] and not now_star[p]],
        "star_missing": [p for p in STAR_PARTS if not now_star[p]],
    }
