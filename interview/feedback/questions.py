"""The question bank: the built-in questions (`questions.json`) and the imported ones.

Imported questions live in the `question` table (`flask questions import`,
`question_import.py`). The bank served to the API and the practice page is the
built-in questions followed by the imported ones, an imported question
replacing a built-in one with the same id; with INTERVIEW_BUILTIN_QUESTIONS=off,
only the imported ones.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Question

BUILTIN_CATEGORIES = ("behavioural", "situational", "technical", "leadership", "motivation")
#: Imported questions without a category are `general`.
GENERAL = "general"
CATEGORIES = (*BUILTIN_CATEGORIES, GENERAL)
_BANK = Path(__file__).with_name("questions.json")


@cache
def _builtin() -> tuple[dict[str, Any], ...]:
    return tuple({**q, "role": None} for q in json.loads(_BANK.read_text(encoding="utf-8")))


def builtin_questions(category: str | None = None) -> list[dict[str, Any]]:
    """Return the built-in questions, or those of one category."""
    return [q for q in _builtin() if category is None or q["category"] == category]


def imported_questions() -> list[dict[str, Any]]:
    """Return the imported questions, in the order of the files they came from."""
    rows = db.session.execute(
        select(Question).order_by(Question.position, Question.question_id)
    ).scalars()
    questions = [question_data(row) for row in rows]
    db.session.commit()
    return questions


def question_data(row: Question) -> dict[str, Any]:
    return {
        "id": row.question_id,
        "category": row.category,
        "text": row.text,
        "tips": row.tips,
        "role": row.role,
    }


def list_questions(include_builtin: bool, category: str | None = None) -> list[dict[str, Any]]:
    """Return the bank as served, or its questions of one category, grouped by category."""
    imported = imported_questions()
    replaced = {q["id"] for q in imported}
    builtin = [q for q in builtin_questions() if q["id"] not in replaced] if include_builtin else []
    bank = sorted(builtin + imported, key=lambda q: CATEGORIES.index(q["category"]))
    return [q for q in bank if category is None or q["category"] == category]
