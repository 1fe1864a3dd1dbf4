"""The question bank: built-in and imported questions (`feedback/questions.py`)."""

from flask import Blueprint, abort, current_app, request

from ..feedback.questions import CATEGORIES, list_questions
from ..schemas import question_list_schema

bp = Blueprint("questions", __name__, url_prefix="/questions")


@bp.get("")
def list_bank_questions():
    """List interview questions, optionally of one `?category=`."""
    category = request.args.get("category")
    if category is not None and category not in CATEGORIES:
        abort(400, f"Unknown category; use one of: {', '.join(CATEGORIES)}.")
    include_builtin = current_app.config["INTERVIEW_BUILTIN_QUESTIONS"]
    return question_list_schema.dump({"items": list_questions(include_builtin, category)})
