"""Each criterion's mean per mock interview, computed from the answers passed in."""

from datetime import UTC, datetime

import pytest

from interview.feedback.history_records import SessionAnswer
from interview.feedback.rubric import CRITERIA, overall_score
from interview.feedback.session_trends import OVERALL, session_trends

MONDAY = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
TUESDAY_LATER = datetime(2026, 12, 8, 18, 15, tzinfo=UTC)


def assessed(marks: dict[str, int], status: str = "complete", method: str = "model") -> dict:
    return {
        "version": "1",
        "method": method,
        "status": status,
        "criteria": marks,
        "overall": overall_score(marks),
    }


def every(mark: int) -> dict[str, int]:
    return dict.fromkeys(CRITERIA, mark)


DERIVED = object()  # the record's score is its assessment's overall score


def answer(session_id, started_at, assessment, score=DERIVED, role="Backend engineer"):
    if score is DERIVED:
        score = assessment["overall"]
    return SessionAnswer(session_id, role, started_at, assessment, score)


def by_name(answers):
    return {trend.name: trend for trend in session_trends(answers)}


def test_no_answers_give_every_criterion_an_empty_trend():
    trends = session_trends([])
    assert [t.name for t in trends] == [*CRITERIA, OVERALL]
    assert all(t.points == [] and t.mean is None and t.count == 0 for t in trends)
    assert [(t.low, t.high) for t in trends] == [(1, 5)] * 5 + [(1, 10)]


def test_one_session_gives_one_point_per_criterion():
    trends = by_name(
        [answer("s1", MONDAY, assessed(every(2))), answer("s1", MONDAY, assessed(every(5)))]
    )
    structure = trends["structure"]
    assert [(p.session_id, p.mean, p.count, p.label) for p in structure.points] == [
        ("s1", 3.5, 2, "07 Dec")
    ]
    assert structure.mean == 3.5 and structure.count == 2
    # overall: all 2s give 3, all 5s give 10
    assert [p.mean for p in trends[OVERALL].points] == [6.5]


def test_many_sessions_come_oldest_first_whatever_the_order_given():
    answers = [
        answer("late", TUESDAY_LATER, assessed(every(5))),
        answer("first", MONDAY, assessed(every(1))),
        answer("mid", TUESDAY, assessed(every(3))),
        answer("mid", TUESDAY, assessed(every(4))),
    ]
    evidence = by_name(answers)["evidence"]
    assert [p.session_id for p in evidence.points] == ["first", "mid", "late"]
    assert [p.mean for p in evidence.points] == [1.0, 3.5, 5.0]
    # the mean of all is over the answers (13 / 4), not a mean of the sessions' means
    assert evidence.mean == 3.3 and evidence.count == 4
    # two sessions on one day are told apart by their time
    assert [p.label for p in evidence.points] == ["07 Dec", "08 Dec 14:00", "08 Dec 18:15"]


def test_an_answer_counts_only_for_the_criteria_its_assessment_gives():
    partial = assessed({"relevance": 4, "structure": 2}, status="partial")
    trends = by_name(
        [answer("s1", MONDAY, assessed(every(5))), answer("s1", MONDAY, partial, score=None)]
    )
    assert [(p.mean, p.count) for p in trends["relevance"].points] == [(4.5, 2)]
    assert [(p.mean, p.count) for p in trends["structure"].points] == [(3.5, 2)]
    assert [(p.mean, p.count) for p in trends["evidence"].points] == [(5.0, 1)]
    # the partial assessment has no overall score: only the complete answer counts there
    assert [(p.mean, p.count) for p in trends[OVERALL].points] == [(10.0, 1)]


@pytest.mark.parametrize(
    "assessment",
    [
        None,
        {"status": "absent", "criteria": {}},
        {"status": "malformed", "criteria": every(5)},
        {"status": "complete", "criteria": "not a dict"},
        {"status": "complete", "criteria": {"relevance": "5", "structure": 9, "evidence": True}},
        "not an assessment",
    ],
    ids=["none", "absent", "malformed", "criteria-text", "bad-marks", "text"],
)
def test_missing_or_unusable_assessments_leave_no_point(assessment):
    trends = by_name([answer("s1", MONDAY, assessment, score=None)])
    assert all(t.points == [] for name, t in trends.items() if name != OVERALL)
    assert trends[OVERALL].points == []


def test_a_session_without_a_criterion_has_no_point_for_it_but_keeps_the_others():
    answers = [
        answer("s1", MONDAY, assessed(every(2))),
        answer("s2", TUESDAY, assessed({"relevance": 5}, status="partial")),
        answer("s2", TUESDAY, None, score=None),
    ]
    trends = by_name(answers)
    assert [p.session_id for p in trends["relevance"].points] == ["s1", "s2"]
    assert [p.session_id for p in trends["delivery"].points] == ["s1"]


def test_an_answer_scored_before_assessments_counts_for_the_overall_score_only():
    trends = by_name([answer("s1", MONDAY, None, score=7)])
    assert [(p.mean, p.count) for p in trends[OVERALL].points] == [(7.0, 1)]
    assert trends["relevance"].points == []


def test_a_point_with_an_answer_judged_offline_is_heuristic():
    answers = [
        answer("s1", MONDAY, assessed(every(3), method="heuristic")),
        answer("s1", MONDAY, assessed(every(4))),
        answer("s2", TUESDAY, assessed(every(4))),
    ]
    points = by_name(answers)["ownership"].points
    assert [(p.session_id, p.heuristic) for p in points] == [("s1", True), ("s2", False)]


def test_means_round_half_up_to_one_decimal():
    marks = [2, 2, 3, 3, 3, 3, 3, 3]  # 22 / 8 = 2.75 -> 2.8
    answers = [answer("s1", MONDAY, assessed(every(mark))) for mark in marks]
    assert by_name(answers)["delivery"].points[0].mean == 2.8


def test_without_a_record_score_the_assessments_overall_counts():
    trends = by_name([answer("s1", MONDAY, assessed(every(4)), score=None)])
    assert [p.mean for p in trends[OVERALL].points] == [8.0]  # all 4s give 8
