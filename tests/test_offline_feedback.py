"""The offline analysis is honest, shaped like feedback and scored from the metrics."""

import re

from interview.feedback.metrics import compute_answer_metrics
from interview.feedback.offline_feedback import build_offline_feedback, offline_score

from .test_metrics import CONFLICT, STAR_ANSWER


def feedback_for(answer: str, role: str | None = None) -> str:
    return build_offline_feedback(CONFLICT, answer, role, compute_answer_metrics(CONFLICT, answer))


def test_it_says_it_is_offline_and_ends_with_a_score():
    text = feedback_for(STAR_ANSWER)
    lines = text.splitlines()
    assert lines[0].startswith("Offline analysis (no AI model was used)")
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


def test_a_complete_answer_scores_higher_than_a_thin_one():
    thin = offline_score(compute_answer_metrics(CONFLICT, "Um, like, I dunno."))
    full = offline_score(compute_answer_metrics(CONFLICT, STAR_ANSWER))
    assert 1 <= thin < full <= 10


def test_the_same_answer_gets_the_same_feedback():
    assert feedback_for(STAR_ANSWER) == feedback_for(STAR_ANSWER)
