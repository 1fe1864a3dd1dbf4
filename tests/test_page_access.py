"""Who can spend the model budget: the practice pages and their cookie are the
operator's choice (INTERVIEW_PRACTICE_PAGES), and a key always decides its owner."""

import pytest

from interview.api_keys import owner_of_key
from interview.config import ConfigError, load_config
from interview.extensions import db
from interview.models import Feedback

KEY = "key-alice-0123456789"
SECRET = "s" * 32
COOKIE = "interview_session"
BODY = {"question": "Why this team?", "answer": "Because the product matters to me."}
CHAT = {
    "messages": [
        {"role": "assistant", "content": BODY["question"]},
        {"role": "user", "content": BODY["answer"]},
    ],
    "stream": False,
}


def visit(client) -> str:
    """Open the practice page as a browser does; return the session's CSRF token."""
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        return session["csrf"]


def count_records(app) -> int:
    with app.app_context():
        return db.session.query(Feedback).count()


@pytest.mark.parametrize(
    ("environ", "pages"),
    [
        ({}, True),
        ({"INTERVIEW_PRACTICE_PAGES": "off"}, False),
        ({"INTERVIEW_API_KEYS": KEY, "INTERVIEW_SECRET_KEY": SECRET}, False),
        (
            {
                "INTERVIEW_API_KEYS": KEY,
                "INTERVIEW_SECRET_KEY": SECRET,
                "INTERVIEW_PRACTICE_PAGES": "on",
            },
            True,
        ),
    ],
)
def test_the_pages_are_on_unless_keys_are_required_or_the_operator_says(environ, pages):
    assert load_config(environ, "/tmp")["INTERVIEW_PRACTICE_PAGES"] is pages


@pytest.mark.parametrize("raw", ["maybe", "true", "2"])
def test_a_bad_pages_setting_stops_start_up_naming_it(raw):
    with pytest.raises(ConfigError, match="INTERVIEW_PRACTICE_PAGES must be one of on, off"):
        load_config({"INTERVIEW_PRACTICE_PAGES": raw}, "/tmp")


def test_with_keys_the_pages_are_off_and_a_page_cookie_spends_nothing(make_app):
    pages_on = make_app(
        INTERVIEW_API_KEYS=KEY, INTERVIEW_SECRET_KEY=SECRET, INTERVIEW_PRACTICE_PAGES="on"
    )
    keyed = make_app(INTERVIEW_API_KEYS=KEY, INTERVIEW_SECRET_KEY=SECRET)
    browser = pages_on.test_client()
    token = visit(browser)  # a session signed with the same secret, from before the change
    client = keyed.test_client()
    client.set_cookie(COOKIE, browser.get_cookie(COOKIE).value)

    for path in ("/", "/history", "/feedback/abc"):
        page = keyed.test_client().get(path)
        assert page.status_code == 404 and page.mimetype == "text/html", path
        assert "turned off" in page.text and "Set-Cookie" not in page.headers  # no session
        assert client.get(path).status_code == 404
    headers = {"X-CSRF-Token": token, "Prefer": "respond-async"}
    for path, body in (("/api/v1/feedback", BODY), ("/api/v1/openai/chat/completions", CHAT)):
        refused = client.post(path, json=body, headers=headers)
        assert refused.status_code == 401, path
        assert refused.mimetype == "application/problem+json"
        assert refused.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert client.get("/api/v1/feedback").status_code == 401
    assert count_records(keyed) == 0


def test_with_keys_and_the_pages_turned_on_the_page_cookie_is_a_way_in(make_app):
    app = make_app(
        INTERVIEW_API_KEYS=KEY, INTERVIEW_SECRET_KEY=SECRET, INTERVIEW_PRACTICE_PAGES="on"
    )
    client = app.test_client()
    token = visit(client)
    response = client.post(
        "/api/v1/feedback", json=BODY, headers={"X-CSRF-Token": token, "Prefer": "respond-async"}
    )
    assert response.status_code == 202
    assert "token=" not in response.get_json()["events_url"]
    assert (
        client.post(
            "/api/v1/openai/chat/completions", json=CHAT, headers={"X-CSRF-Token": token}
        ).status_code
        == 200
    )


def test_without_keys_the_pages_can_be_turned_off_and_the_api_stays_open(make_app):
    app = make_app(INTERVIEW_PRACTICE_PAGES="off")
    client = app.test_client()
    assert client.get("/").status_code == 404
    response = client.post("/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"})
    assert response.status_code == 202


def test_a_valid_key_decides_the_owner_even_beside_a_page_cookie(make_app):
    app = make_app(
        INTERVIEW_API_KEYS=KEY, INTERVIEW_SECRET_KEY=SECRET, INTERVIEW_PRACTICE_PAGES="on"
    )
    client = app.test_client()
    token = visit(client)
    headers = {"X-CSRF-Token": token, "Prefer": "respond-async"}

    response = client.post(
        "/api/v1/feedback", json=BODY, headers={**headers, "Authorization": f"Bearer {KEY}"}
    )

    assert response.status_code == 202
    assert "token=" in response.get_json()["events_url"]  # a key's record, streamed by token
    with app.test_request_context():
        key_owner = owner_of_key(KEY)
    with app.app_context():
        assert db.session.get(Feedback, response.get_json()["id"]).owner == key_owner
    wrong = client.post(
        "/api/v1/feedback",
        json=BODY,
        headers={**headers, "Authorization": "Bearer not-a-key-at-all-xx"},
    )
    assert wrong.status_code == 401
    assert count_records(app) == 1
