"""The question bank: real interview questions by category (`questions.json`)."""

import json
from functools import cache
from pathlib import Path
from typing import Any

CATEGORIES = ("behavioural", "situational", "technical", "leadership")
_BANK = Path(__file__).with_name("questions.json")


@cache
def _all_questions() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(_BANK.read_text(encoding="utf-8")))


def list_questions(category: str | None = None) -> list[dict[str, Any]]:
    """Return the bank's questions, or those of one category."""
    return [q for q in _all_questions() if category is None or q["category"] == category]
