"""POST /api/v1/answer-metrics: an answer's metrics and the question's key terms, stored nowhere."""

import pytest

from interview.feedback.metrics import compute_answer_metrics

QUESTION = "Tell me about a time you resolved a conflict in your team."
ANSWER = "Two engineers in my teams had a conflict about a release; I met each of them."


def test_the_metrics_are_those_a_record_would_store(client):
    response = client.post("/api/v1/answer-metrics", json={"question": QUESTION, "answer": ANSWER})
    assert response.status_code == 200
    metrics = response.get_json()
    assert metrics == compute_answer_metrics(QUESTION, ANSWER)
    assert metrics["key_terms"] == {
        "terms": ["resolved", "conflict", "team"],
        "used": ["conflict", "team"],
        "missing": ["resolved"],
    }
    assert client.get("/api/v1/feedback").get_json()["items"] == []


def test_an_empty_answer_uses_none_of_the_terms(client):
    response = client.post("/api/v1/answer-metrics", json={"question": QUESTION, "answer": "  "})
    assert response.status_code == 200
    assert response.get_json()["key_terms"]["used"] == []
    assert response.get_json()["word_count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answer": ANSWER}, "question"),
        ({"question": "   ", "answer": ANSWER}, "question"),
        ({"question": QUESTION}, "answer"),
        ({"question": QUESTION, "answer": "a" * 10_001}, "answer"),
        ({"question": QUESTION, "answer": 5}, "answer"),
        ({"question": QUESTION, "answer": ANSWER, "role": "x"}, "role"),
    ],
    ids=["no-question", "blank-question", "no-answer", "long-answer", "number", "unknown-field"],
)
def test_invalid_fields_are_422_problems_naming_the_field(client, body, field):
    response = client.post("/api/v1/answer-metrics", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("question=x", "application/x-www-form-urlencoded", 415),
        ('{"question": ', "application/json", 400),
    ],
    ids=["not-json", "malformed-json"],
)
def test_a_body_that_is_not_json_is_a_problem(client, data, content_type, status):
    response = client.post("/api/v1/answer-metrics", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_the_openapi_document_describes_it(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/answer-metrics"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "415", "422"}
    key_terms = document["components"]["schemas"]["KeyTerms"]["properties"]
    assert set(key_terms) == {"terms", "used", "missing"}
