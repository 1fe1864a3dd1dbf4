"""The offline analysis is honest, shaped like feedback and scored by its heuristic assessment."""

import re

import pytest

from interview.feedback.metrics import compute_answer_metrics
from interview.feedback.offline_assessment import heuristic_assessment
from interview.feedback.offline_feedback import build_offline_feedback

from .offline_answers import GERMAN_ANSWER, MOTIVATION_ANSWER, WHY_THIS_JOB
from .test_metrics import CONFLICT, STAR_ANSWER


def assess(answer: str, question: str = CONFLICT) -> dict:
    return heuristic_assessment(question, answer, compute_answer_metrics(question, answer))


def feedback_for(answer: str, role: str | None = None, question: str = CONFLICT) -> str:
    metrics = compute_answer_metrics(question, answer)
    return build_offline_feedback(role, metrics, heuristic_assessment(question, answer, metrics))


def test_it_says_it_is_offline_and_ends_with_the_assessments_score():
    text = feedback_for(STAR_ANSWER)
    lines = text.splitlines()
    assert lines[0].startswith("Offline analysis (no AI model was used)")
    assert "scored by rules, not by a model" in lines[1]
    assert lines[-1] == f"Score: {assess(STAR_ANSWER)['overall']}/10"
    assert re.fullmatch(r"Score: ([1-9]|10)/10", lines[-1])
    for section in ("**Strengths**", "**Improvements**", "**A stronger answer**"):
        assert section in text


def test_it_quotes_the_metrics():
    answer = "Um, we, like, fixed it."
    text = feedback_for(answer, role="Team lead")
    assert "5 words" in text
    assert '"um" x1' in text and '"like" x1' in text
    assert "Missing STAR parts: situation, task, action, result." in text
    assert "for a Team lead role" in text


def test_a_behavioural_answer_gets_criteria_and_star_labelled_heuristic():
    assessment = assess(STAR_ANSWER)
    assert assessment["method"] == "heuristic" and assessment["status"] == "complete"
    assert assessment["question_kind"] == "behavioural"
    assert set(assessment["criteria"]) == {
        "relevance",
        "structure",
        "evidence",
        "ownership",
        "delivery",
    }
    assert all(1 <= value <= 5 for value in assessment["criteria"].values())
    assert {part["status"] for part in assessment["star"].values()} == {"present"}
    assert assessment["star"]["result"]["quote"] in STAR_ANSWER
    assert assessment["star"]["action"]["quote"].startswith("I organized")


def test_a_complete_answer_scores_higher_than_a_thin_one():
    thin = assess("Um, like, I dunno.")["overall"]
    full = assess(STAR_ANSWER)["overall"]
    assert 1 <= thin < full <= 10


def test_a_motivation_answer_is_not_judged_on_star():
    assessment = assess(MOTIVATION_ANSWER, WHY_THIS_JOB)
    text = feedback_for(MOTIVATION_ANSWER, question=WHY_THIS_JOB)
    assert assessment["question_kind"] == "motivation" and assessment["star"] is None
    assert "STAR parts" not in text and "STAR does not apply" in text
    assert assessment["overall"] >= assess(STAR_ANSWER)["overall"]


def test_an_answer_in_another_language_is_not_judged_as_english():
    assessment = assess(GERMAN_ANSWER)
    text = feedback_for(GERMAN_ANSWER)
    assert assessment["status"] == "unavailable" and assessment["method"] == "heuristic"
    assert assessment["reason"].startswith("the offline analysis only understands English")
    assert assessment["criteria"] == {} and assessment["overall"] is None
    assert assessment["star"] is None
    assert text.startswith(
        "Offline analysis (no AI model was used): The offline analysis only understands "
        "English; this answer looks like it is in another language, so it is not scored."
    )
    assert "Score:" not in text and "STAR" not in text


@pytest.mark.parametrize("answer", [STAR_ANSWER, MOTIVATION_ANSWER, GERMAN_ANSWER])
def test_the_same_answer_gets_the_same_feedback(answer):
    assert feedback_for(answer) == feedback_for(answer)
