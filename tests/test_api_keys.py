"""Bearer API keys, owners derived from them, and stream tokens for EventSource."""

import time

import pytest

from interview.config import ConfigError, load_config
from interview.extensions import db
from interview.models import Feedback

from .sse_client import stream_from_response

KEY_A = "key-alice-0123456789"
KEY_B = "key-bob-9876543210xx"
BODY = {"question": "Why this team?", "answer": "Because the product matters to me."}


@pytest.fixture
def keyed(make_app):
    return make_app(INTERVIEW_API_KEYS=f"{KEY_A},{KEY_B}", INTERVIEW_SECRET_KEY="s" * 32)


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def start(client, key: str) -> dict:
    response = client.post(
        "/api/v1/feedback", json=BODY, headers={**bearer(key), "Prefer": "respond-async"}
    )
    assert response.status_code == 202
    return response.get_json()


@pytest.mark.parametrize("headers", [{}, bearer("not-a-key-at-all-xx"), {"Authorization": KEY_A}])
def test_a_missing_or_bad_key_is_401_and_creates_nothing(keyed, headers):
    client = keyed.test_client()
    response = client.post("/api/v1/feedback", json=BODY, headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert KEY_A not in response.get_data(as_text=True)
    with keyed.app_context():
        assert db.session.query(Feedback).count() == 0


def test_each_key_sees_only_its_own_records_and_the_key_is_never_stored(keyed):
    client = keyed.test_client()
    mine = start(client, KEY_A)["id"]
    stream_from_response(client.get(f"/api/v1/feedback/{mine}/events", headers=bearer(KEY_A)))
    assert client.get(f"/api/v1/feedback/{mine}", headers=bearer(KEY_A)).status_code == 200
    for method, url in [
        ("get", f"/api/v1/feedback/{mine}"),
        ("get", f"/api/v1/feedback/{mine}/events"),
        ("post", f"/api/v1/feedback/{mine}/cancel"),
        ("delete", f"/api/v1/feedback/{mine}"),
    ]:
        assert getattr(client, method)(url, headers=bearer(KEY_B)).status_code == 404
    assert client.get("/api/v1/feedback", headers=bearer(KEY_B)).get_json()["items"] == []
    with keyed.app_context():
        owner = db.session.get(Feedback, mine).owner
    assert owner.startswith("key:") and KEY_A not in owner


def test_the_events_url_carries_a_token_that_works_without_the_key(keyed):
    client = keyed.test_client()
    accepted = start(client, KEY_A)
    assert "token=" in accepted["events_url"]
    stream = stream_from_response(client.get(accepted["events_url"]))
    assert stream.status == 200 and stream.terminal().event == "done"
    bare = accepted["events_url"].split("?")[0]
    assert client.get(bare).status_code == 401
    other = start(client, KEY_A)
    stolen = other["events_url"].split("?")[1]
    assert client.get(f"{bare}?{stolen}").status_code == 401  # another record's token
    token_only = accepted["events_url"].split("?")[1]
    assert client.get(f"/api/v1/feedback/{accepted['id']}?{token_only}").status_code == 401


def test_an_expired_token_is_refused(make_app):
    app = make_app(
        INTERVIEW_API_KEYS=KEY_A, INTERVIEW_SECRET_KEY="s" * 32, INTERVIEW_EVENTS_TOKEN_TTL_S="1"
    )
    client = app.test_client()
    accepted = start(client, KEY_A)
    time.sleep(2.1)
    assert client.get(accepted["events_url"]).status_code == 401


def test_without_keys_any_authorization_header_is_ignored(client):
    response = client.get("/api/v1/feedback", headers=bearer("whatever-it-is-123456"))
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/openapi.json", "/openapi.json?version=3.2", "/docs"])
def test_the_openapi_document_and_its_page_stay_public(keyed, path):
    assert keyed.test_client().get(f"/api/v1{path}").status_code == 200
    with_a_wrong_key = keyed.test_client().get(f"/api/v1{path}", headers=bearer("wrong" * 4))
    assert with_a_wrong_key.status_code == 200


def test_keys_need_a_stable_secret():
    with pytest.raises(ConfigError, match="INTERVIEW_SECRET_KEY"):
        load_config({"INTERVIEW_API_KEYS": KEY_A}, "/tmp")
    with pytest.raises(ConfigError, match="at least 16"):
        load_config({"INTERVIEW_API_KEYS": "short", "INTERVIEW_SECRET_KEY": "x"}, "/tmp")


def test_a_stream_token_dies_with_the_key_that_minted_it(make_app):
    secret = "s" * 32
    minted = make_app(INTERVIEW_API_KEYS=f"{KEY_A},{KEY_B}", INTERVIEW_SECRET_KEY=secret)
    accepted = start(minted.test_client(), KEY_A)
    other = start(minted.test_client(), KEY_A)
    stream_from_response(minted.test_client().get(other["events_url"]))

    without_a = make_app(INTERVIEW_API_KEYS=KEY_B, INTERVIEW_SECRET_KEY=secret).test_client()
    refused = without_a.get(accepted["events_url"])
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert without_a.get(accepted["events_url"], headers=bearer(KEY_A)).status_code == 401

    with_a = make_app(INTERVIEW_API_KEYS=KEY_A, INTERVIEW_SECRET_KEY=secret).test_client()
    stream = stream_from_response(with_a.get(accepted["events_url"]))
    assert stream.status == 200 and stream.terminal().event == "done"
    token = accepted["events_url"].split("?")[1]
    assert with_a.get(f"/api/v1/feedback/{other['id']}/events?{token}").status_code == 401
