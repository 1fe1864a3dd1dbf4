"""The question bank."""

from interview.feedback.questions import CATEGORIES, list_questions


def test_at_least_twelve_real_questions_per_category():
    for category in CATEGORIES:
        questions = list_questions(category)
        assert len(questions) >= 12
        assert all(q["text"].strip().endswith(("?", ".")) and q["tips"] for q in questions)


def test_ids_are_unique():
    ids = [q["id"] for q in list_questions()]
    assert len(ids) == len(set(ids)) >= 48
    assert list_questions("astrology") == []
