"""The question bank."""

from flask import Blueprint, abort, request

from ..feedback.questions import CATEGORIES, list_questions
from ..schemas import question_list_schema

bp = Blueprint("questions", __name__, url_prefix="/questions")


@bp.get("")
def list_bank_questions():
    """List interview questions, optionally of one `?category=`."""
    category = request.args.get("category")
    if category is not None and category not in CATEGORIES:
        abort(400, f"Unknown category; use one of: {', '.join(CATEGORIES)}.")
    return question_list_schema.dump({"items": list_questions(category)})
