"""The question bank, the OpenAPI document and the health check."""

import re

from interview import create_app
from interview.feedback.questions import BUILTIN_CATEGORIES


def test_questions_by_category(client):
    everything = client.get("/api/v1/questions").get_json()["items"]
    assert len(everything) >= 40
    assert {q["category"] for q in everything} == set(BUILTIN_CATEGORIES)
    for category in BUILTIN_CATEGORIES:
        items = client.get(f"/api/v1/questions?category={category}").get_json()["items"]
        assert items and all(q["category"] == category for q in items)
        assert all(q["id"] and q["text"] for q in items)


def test_unknown_category_is_400(client):
    response = client.get("/api/v1/questions?category=astrology")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    routes = {
        (re.sub(r"<(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == described
    schemas = document["components"]["schemas"]
    request = schemas["FeedbackRequest"]
    assert set(request["required"]) == {"question", "answer"}
    assert request["properties"]["question"]["maxLength"] == 2000
    assert request["properties"]["answer"]["maxLength"] == 10000
    assert "status" in schemas["Feedback"]["properties"]
    assert "errors" in schemas["Problem"]["properties"]


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer():
    app = create_app({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
