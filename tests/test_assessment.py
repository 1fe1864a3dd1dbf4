"""The model's block becomes an honest assessment, whatever the model wrote."""

import json

import pytest

from interview.feedback.assessment import read_assessment
from interview.feedback.rubric import overall_score

FIVE = ("relevance", "structure", "evidence", "ownership", "delivery")
STAR = {
    "situation": {"status": "present", "quote": "our release slipped"},
    "task": {"status": "partial", "quote": "I had to fix it"},
    "action": {"status": "present", "quote": "I split the work"},
    "result": {"status": "missing", "quote": ""},
}


def block(**fields) -> str:
    data = {
        "question_kind": "behavioural",
        "criteria": dict(zip(FIVE, (4, 3, 2, 5, 4), strict=True)),
        "star": STAR,
    }
    return json.dumps({**data, **fields})


@pytest.mark.parametrize(
    ("scores", "overall"),
    [((1, 1, 1, 1, 1), 1), ((3, 3, 3, 3, 3), 6), ((5, 5, 5, 5, 5), 10), ((4, 3, 2, 5, 4), 7)],
)
def test_the_overall_score_is_derived_from_the_criteria(scores, overall):
    assert overall_score(dict(zip(FIVE, scores, strict=True))) == overall


def test_a_complete_block_is_read_whole():
    assessment = read_assessment(block())
    assert assessment == {
        "version": "1",
        "method": "model",
        "status": "complete",
        "reason": None,
        "question_kind": "behavioural",
        "criteria": dict(zip(FIVE, (4, 3, 2, 5, 4), strict=True)),
        "star": STAR,
        "overall": 7,
    }


def test_star_is_left_out_where_it_does_not_apply():
    assessment = read_assessment(block(question_kind="motivation"))
    assert assessment["status"] == "complete" and assessment["star"] is None


def test_a_code_fence_around_the_json_is_tolerated():
    assert read_assessment(f"```json\n{block()}\n```")["status"] == "complete"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"criteria": {"relevance": 9, "structure": 3, "evidence": 2, "ownership": 5}},
         "invalid or missing: criteria.delivery, criteria.relevance"),
        ({"criteria": {**dict.fromkeys(FIVE, 3), "evidence": "4"}},
         "invalid or missing: criteria.evidence"),
        ({"star": {**STAR, "result": {"status": "maybe"}}}, "invalid or missing: star.result"),
        ({"question_kind": "trivia"}, "invalid or missing: question_kind"),
    ],
)  # fmt: skip
def test_what_is_valid_is_kept_and_the_reason_names_the_rest(fields, reason):
    assessment = read_assessment(block(**fields))
    assert assessment["status"] == "partial" and assessment["reason"] == reason
    assert assessment["criteria"]


def test_without_all_five_criteria_there_is_no_overall_score():
    assessment = read_assessment(block(criteria={"relevance": 4}))
    assert assessment["criteria"] == {"relevance": 4} and assessment["overall"] is None


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (None, "missing"),
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('{"criteria": "great", "question_kind": 3}', "malformed"),
    ],
)
def test_a_broken_block_gives_an_empty_assessment_and_why(text, status):
    assessment = read_assessment(text)
    assert assessment["status"] == status and assessment["reason"]
    assert assessment["method"] == "model"
    assert assessment["criteria"] == {} and assessment["overall"] is None


def test_an_unclosed_block_is_at_best_partial():
    assessment = read_assessment(None, unclosed=block())
    assert assessment["status"] == "partial"
    assert assessment["reason"] == "invalid or missing: the block was not closed"
    assert assessment["overall"] == 7
