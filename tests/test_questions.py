"""The built-in question bank."""

from interview.feedback.questions import BUILTIN_CATEGORIES, builtin_questions


def test_real_questions_in_every_category():
    for category in BUILTIN_CATEGORIES:
        questions = builtin_questions(category)
        assert len(questions) >= (8 if category == "motivation" else 12)
        assert all(q["text"].strip().endswith(("?", ".")) and q["tips"] for q in questions)


def test_ids_are_unique():
    ids = [q["id"] for q in builtin_questions()]
    assert len(ids) == len(set(ids)) >= 56
    assert builtin_questions("astrology") == []
