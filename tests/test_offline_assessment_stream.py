"""The offline provider's heuristic assessment, in the `done` event and the saved record."""

import pytest

from interview.extensions import db
from interview.models import Feedback

from .offline_answers import GERMAN_ANSWER, MOTIVATION_ANSWER, WHY_THIS_JOB
from .sse_client import stream_from_response
from .test_metrics import CONFLICT, STAR_ANSWER

GERMAN_QUESTION = (
    "Erzählen Sie von einem Konflikt in Ihrem Team und warum Sie diese Lösung wählten."
)


@pytest.fixture
def offline(make_app):
    return make_app(INTERVIEW_PROVIDER="offline")


def stream_feedback(app, question: str, answer: str):
    response = app.test_client().post(
        "/api/v1/feedback", json={"question": question, "answer": answer}
    )
    return stream_from_response(response)


def saved(app, feedback_id: str) -> Feedback:
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        db.session.commit()
        return record


def test_a_behavioural_answer_gets_a_heuristic_assessment_with_star(offline, upstream):
    stream = stream_feedback(offline, CONFLICT, STAR_ANSWER)
    done = stream.terminal()
    record = done.json()
    assessment = record["assessment"]
    assert done.event == "done" and record["status"] == "completed"
    assert (assessment["method"], assessment["status"]) == ("heuristic", "complete")
    assert assessment["question_kind"] == "behavioural"
    assert len(assessment["criteria"]) == 5 and set(assessment["star"]) == {
        "situation",
        "task",
        "action",
        "result",
    }
    assert record["score"] == assessment["overall"]
    assert record["feedback"].endswith(f"Score: {assessment['overall']}/10")
    assert stream.text() == record["feedback"]
    assert saved(offline, record["id"]).assessment == assessment
    fetched = offline.test_client().get(f"/api/v1/feedback/{record['id']}").get_json()
    assert fetched["assessment"] == assessment
    assert (record["temperature"], record["seed"]) == (None, None)
    assert upstream.requests == []


def test_a_motivation_answer_gets_no_star_and_keeps_its_score(offline):
    motivation = stream_feedback(offline, WHY_THIS_JOB, MOTIVATION_ANSWER).terminal().json()
    behavioural = stream_feedback(offline, CONFLICT, STAR_ANSWER).terminal().json()
    assert motivation["assessment"]["question_kind"] == "motivation"
    assert motivation["assessment"]["star"] is None
    assert "STAR parts" not in motivation["feedback"]
    assert motivation["score"] >= behavioural["score"]


def test_an_answer_in_another_language_is_saved_unjudged_and_says_so(offline):
    record = stream_feedback(offline, GERMAN_QUESTION, GERMAN_ANSWER).terminal().json()
    assessment = record["assessment"]
    assert record["status"] == "completed"
    assert (assessment["method"], assessment["status"]) == ("heuristic", "unavailable")
    assert "only understands English" in assessment["reason"]
    assert assessment["criteria"] == {} and assessment["overall"] is None
    assert record["score"] is None
    assert (
        "this answer looks like it is in another language, so it is not scored"
        in (record["feedback"])
    )
    assert saved(offline, record["id"]).assessment == assessment
    terms = record["metrics"]["key_terms"]["terms"]
    assert not {"einem", "ihrem", "warum", "diese", "erzählen"} & set(terms)
    assert {"konflikt", "team"} <= set(terms)
