"""Bad requests get problem+json and create nothing."""

import pytest

from interview.extensions import db
from interview.models import Feedback

URL = "/api/v1/feedback"
GOOD = {"question": "Why do you want this job?", "answer": "Because I love building tools."}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def assert_no_records(app) -> None:
    with app.app_context():
        assert db.session.query(Feedback).count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answer": "x y"}, "question"),
        ({"question": "Why?"}, "answer"),
        ({**GOOD, "question": "   "}, "question"),
        ({**GOOD, "answer": "\n\t "}, "answer"),
        ({**GOOD, "question": "q" * 2001}, "question"),
        ({**GOOD, "answer": "a" * 10001}, "answer"),
        ({**GOOD, "question": 42}, "question"),
        ({**GOOD, "answer": ["a"]}, "answer"),
        ({**GOOD, "role": "r" * 201}, "role"),
        ({**GOOD, "delay_ms": -1}, "delay_ms"),
        ({**GOOD, "delay_ms": 1001}, "delay_ms"),
        ({**GOOD, "delay_ms": "20"}, "delay_ms"),
        ({**GOOD, "delay_ms": 20.5}, "delay_ms"),
        ({**GOOD, "delay_ms": True}, "delay_ms"),
        ({**GOOD, "answer": "null\x00byte"}, "answer"),
        ({**GOOD, "surprise": 1}, "surprise"),
    ],
)
def test_invalid_fields_are_422_with_field_messages(app, client, body, field):
    problem = assert_problem(client.post(URL, json=body), 422)
    assert list(problem["errors"]) == [field]
    assert all(isinstance(m, str) and m for m in problem["errors"][field])
    assert_no_records(app)


def test_limits_apply_after_trimming(client):
    answer = ("We shipped it on time. " * 500)[:10000]
    body = {"question": "  " + "q" * 2000 + "  ", "answer": answer + "\n"}
    response = client.post(URL, json=body, headers={"Accept": "application/json"})
    assert response.status_code == 202


def test_max_delay_follows_the_configuration(make_app):
    client = make_app(INTERVIEW_MAX_DELAY_MS="50").test_client()
    problem = assert_problem(client.post(URL, json={**GOOD, "delay_ms": 51}), 422)
    assert "50" in problem["errors"]["delay_ms"][0]


@pytest.mark.parametrize("body", [b"[1, 2]", b"null", b'"text"'])
def test_json_that_is_not_an_object_is_422(app, client, body):
    response = client.post(URL, data=body, content_type="application/json")
    assert_problem(response, 422)
    assert_no_records(app)


@pytest.mark.parametrize("body", [b"{", b'{"question": }', b"\xff\xfe{}", b""])
def test_malformed_json_is_400(app, client, body):
    assert_problem(client.post(URL, data=body, content_type="application/json"), 400)
    assert_no_records(app)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415(app, client, content_type):
    response = client.post(URL, data=b'{"question": "q", "answer": "a"}', content_type=content_type)
    assert_problem(response, 415)
    assert_no_records(app)


def test_a_body_over_one_mebibyte_is_413(app, client):
    body = b'{"question": "q", "answer": "' + b"a" * (1024 * 1024) + b'"}'
    assert_problem(client.post(URL, data=body, content_type="application/json"), 413)
    assert_no_records(app)


def test_unknown_routes_are_404_problems(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_a_wrong_method_is_405_with_allow(client):
    response = client.put(URL, json=GOOD)
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_pages_get_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_crash_is_a_500_problem_without_internals(app, client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr("interview.api.feedback.list_records", explode)
    response = client.get(URL)
    problem = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert problem["detail"] == "Something went wrong on our side."
