"""An attempt against the previous one: per criterion, per STAR part, the answer word by word."""

from datetime import UTC, datetime

import pytest

from interview.feedback.answer_changes import ADDED, REMOVED, SAME, answer_changes
from interview.feedback.attempts import compare_attempts, derived_score_trend
from interview.feedback.metrics import compute_answer_metrics
from interview.feedback.rubric import ASSESSMENT_VERSION, overall_score
from interview.models import Feedback

QUESTION = "Tell me about a time you resolved a conflict in your team."
ANSWER = "When I was at my last job two engineers disagreed. I met them. As a result we shipped."


def assessment(method="model", version=ASSESSMENT_VERSION, star=None, **criteria):
    marks = {"relevance": 3, "structure": 3, "evidence": 3, "ownership": 3, "delivery": 3}
    marks.update(criteria)
    return {
        "version": version,
        "method": method,
        "status": "complete",
        "reason": None,
        "question_kind": "behavioural",
        "criteria": marks,
        "star": star,
        "overall": overall_score(marks),
    }


def attempt(
    answer=ANSWER, judged=None, score=None, day=1, question=QUESTION, delivery=None
) -> Feedback:
    return Feedback(
        feedback_id=f"attempt-{day}",
        question=question,
        answer=answer,
        metrics=compute_answer_metrics(question, answer),
        assessment=judged,
        score=judged["overall"] if judged else score,
        created_at=datetime(2026, 12, day, tzinfo=UTC),
        delivery=delivery,
    )


def star(**statuses):
    return {part: {"status": status, "quote": ""} for part, status in statuses.items()}


def test_criteria_overall_and_star_parts_are_compared_one_by_one():
    before = attempt(judged=assessment(star=star(situation="present", action="partial")), day=1)
    now = attempt(
        judged=assessment(
            structure=5, evidence=1, star=star(situation="present", action="present")
        ),
        day=2,
    )
    comparison = compare_attempts(now, before)
    assert comparison.not_compared is None
    changes = {c.name: c.change for c in comparison.criteria}
    assert changes == {
        "relevance": 0,
        "structure": 2,
        "evidence": -2,
        "ownership": 0,
        "delivery": 0,
    }
    assert (comparison.overall.before, comparison.overall.now) == (6, 6)
    parts = {p.part: (p.before, p.now) for p in comparison.star}
    assert parts == {
        "situation": ("present", "present"),
        "task": (None, None),
        "action": ("partial", "present"),
        "result": (None, None),
    }
    assert comparison.keyword_star is None


@pytest.mark.parametrize(
    ("before", "reason"),
    [
        (None, "One of the two attempts has no assessment"),
        ({**assessment(), "status": "malformed", "criteria": {}}, "One of the two attempts has no"),
        (assessment(method="heuristic"), "the other by the offline analysis"),
        (assessment(version="0"), "different rubric versions"),
    ],
    ids=["before-assessments", "malformed", "other-method", "other-version"],
)
def test_scores_judged_differently_are_not_compared(before, reason):
    comparison = compare_attempts(attempt(judged=assessment(), day=2), attempt(judged=before))
    assert reason in comparison.not_compared
    assert comparison.overall is None and comparison.criteria == [] and comparison.star == []
    assert comparison.words.change == 0  # the answer's own numbers still compare


def test_two_records_from_before_assessments_compare_as_they_did():
    before = attempt(answer="I met them and talked it through.", score=4, day=1)
    now = attempt(score=7, day=2)
    comparison = compare_attempts(now, before)
    assert comparison.not_compared is None and comparison.criteria == []
    assert comparison.overall.change == 3
    assert comparison.keyword_star == {
        "gained": ["situation", "result"],
        "lost": [],
        "still_missing": ["task"],
    }


def test_keyword_star_is_not_compared_where_it_cannot_work():
    question = "Why do you want this job?"
    before = attempt(question=question, answer="I like it.", score=4)
    now = attempt(question=question, score=6, day=2)
    assert now.metrics["star_applicable"] is False
    assert compare_attempts(now, before).keyword_star is None


def test_the_trend_holds_derived_scores_only_with_their_method():
    attempts = [
        attempt(score=9, day=1),  # free-text score from before assessments: left out
        attempt(judged=assessment(method="heuristic", structure=1), day=2),
        attempt(
            judged={**assessment(), "status": "missing", "criteria": {}, "overall": None}, day=3
        ),
        attempt(judged=assessment(evidence=5), day=4),
    ]
    assert derived_score_trend(attempts) == [("02 Dec", 5, "heuristic"), ("04 Dec", 6, "model")]


def test_trend_points_of_the_same_day_are_told_apart_by_their_time():
    morning = attempt(judged=assessment(), day=3)
    evening = attempt(judged=assessment(), day=3)
    evening.created_at = evening.created_at.replace(hour=18, minute=5)
    labels = [label for label, _, _ in derived_score_trend([morning, evening])]
    assert labels == ["03 Dec 00:00", "03 Dec 18:05"]


def test_the_answer_changes_word_by_word_with_long_unchanged_runs_cut():
    same = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    before = "I met them. " + same + "We shipped."
    after = "I met each of them. " + same + "We shipped on time."
    changes = answer_changes(before, after)
    kinds = [(s.kind, s.text) for s in changes.segments]
    assert kinds == [
        (SAME, "I met "),
        (ADDED, "each of "),
        (SAME, "them. one two three four five … ten eleven twelve thirteen fourteen We "),
        (REMOVED, "shipped. "),  # a word changed with its punctuation is replaced whole
        (ADDED, "shipped on time."),
    ]
    assert (changes.words_added, changes.words_removed) == (5, 1)


def test_an_unchanged_answer_has_no_changes():
    changes = answer_changes("Same words here.", "  Same words here.\n")
    assert changes.unchanged and changes.segments == []


def test_keyword_star_applies_to_behavioural_questions_in_english_only():
    english = "When I was at my last job I broke the build and we fixed it together."
    german = "Als ich in meinem letzten Job war, habe ich den Build kaputt gemacht."
    assert compute_answer_metrics(QUESTION, english)["star_applicable"] is True
    assert compute_answer_metrics("Why do you want this job?", english)["star_applicable"] is False
    assert compute_answer_metrics(QUESTION, german)["star_applicable"] is False


def spoken(speaking_time_s, words_per_minute, long_pause_count, filler_count) -> dict:
    return {
        "speaking_time_s": speaking_time_s,
        "words_per_minute": words_per_minute,
        "long_pause_count": long_pause_count,
        "filler_count": filler_count,
    }


def test_two_spoken_attempts_compare_how_they_were_said():
    before = attempt(day=1, delivery=spoken(74.6, 168, 3, 7))
    now = attempt(day=2, delivery=spoken(81.2, 131, 1, 2))

    rows = {
        row.name: (row.before, row.now, row.change)
        for row in compare_attempts(now, before).delivery
    }

    assert rows == {
        "speaking time (s)": (75, 81, 6),
        "pace (words per minute)": (168, 131, -37),
        "long pauses": (3, 1, -2),
        "filler words spoken": (7, 2, -5),
    }


def test_a_pace_without_speech_is_not_a_change():
    before = attempt(day=1, delivery=spoken(0.0, None, 0, 0))
    now = attempt(day=2, delivery=spoken(12.0, 120, 0, 0))

    [pace] = [r for r in compare_attempts(now, before).delivery if r.name.startswith("pace")]

    assert (pace.before, pace.now, pace.change) == (None, 120, None)


@pytest.mark.parametrize("spoken_first", [True, False])
def test_delivery_is_compared_only_between_two_spoken_attempts(spoken_first):
    delivery = spoken(30.0, 120, 0, 1)
    before = attempt(day=1, delivery=delivery if spoken_first else None)
    now = attempt(day=2, delivery=None if spoken_first else delivery)

    assert compare_attempts(now, before).delivery == []
