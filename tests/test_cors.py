"""CORS: listed origins only, never `*`, preflights for the streaming clients' headers."""

import pytest

from interview.config import ConfigError, load_config

ALLOWED = "https://mock-interview.example"


@pytest.fixture
def cors_client(make_app):
    return make_app(INTERVIEW_CORS_ORIGINS=f"{ALLOWED}, http://localhost:5173").test_client()


def preflight(client, origin: str, headers: str):
    return client.options(
        "/api/v1/feedback",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers,
        },
    )


def test_a_listed_origin_passes_the_preflight(cors_client):
    asked = "authorization, content-type, idempotency-key, last-event-id, prefer, x-stainless-lang"
    response = preflight(cors_client, ALLOWED, asked)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == asked
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("origin", "headers"),
    [("https://evil.example", "content-type"), (ALLOWED, "content-type, x-secret")],
)
def test_other_origins_and_unknown_headers_fail_the_preflight(cors_client, origin, headers):
    response = preflight(cors_client, origin, headers)
    assert "Access-Control-Allow-Headers" not in response.headers
    if origin != ALLOWED:
        assert "Access-Control-Allow-Origin" not in response.headers


def test_responses_expose_location_and_rate_limit_headers_to_listed_origins(cors_client):
    response = cors_client.get("/api/v1/questions", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    exposed = response.headers["Access-Control-Expose-Headers"].split(", ")
    assert {"Location", "Retry-After", "X-RateLimit-Remaining"} <= set(exposed)


def test_no_origin_is_allowed_by_default(client):
    response = client.get("/api/v1/questions", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("value", ["*", "mock-interview.example"])
def test_a_wildcard_or_bare_host_is_a_configuration_error(value):
    with pytest.raises(ConfigError, match="INTERVIEW_CORS_ORIGINS"):
        load_config({"INTERVIEW_CORS_ORIGINS": value}, "/tmp")
