"""Each browser sees only its own records; the open API sees all; pages resist CSRF."""

import pytest

from interview.extensions import db
from interview.models import Feedback

from .sse_client import stream_from_response

BODY = {"question": "Why this role?", "answer": "It matches what I do best."}


class Browser:
    """A test client that visited the practice page: it has a session and a CSRF token."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        assert self.client.get("/").status_code == 200
        with self.client.session_transaction() as session:
            self.token = session["csrf"]
            self.owner = session["owner"]

    def create(self) -> str:
        response = self.client.post(
            "/api/v1/feedback",
            json=BODY,
            headers={"Prefer": "respond-async", "X-CSRF-Token": self.token},
        )
        assert response.status_code == 202
        feedback_id = response.get_json()["id"]
        stream_from_response(self.client.get(f"/api/v1/feedback/{feedback_id}/events"))
        return feedback_id


def test_a_browser_never_sees_another_browsers_records(app):
    alice, bob = Browser(app), Browser(app)
    assert alice.owner != bob.owner
    mine = alice.create()
    with app.app_context():
        assert db.session.get(Feedback, mine).owner == alice.owner

    assert alice.client.get(f"/api/v1/feedback/{mine}").status_code == 200
    for url in (f"/api/v1/feedback/{mine}", f"/api/v1/feedback/{mine}/events"):
        assert bob.client.get(url).status_code == 404
    assert [r["id"] for r in alice.client.get("/api/v1/feedback").get_json()["items"]] == [mine]
    assert bob.client.get("/api/v1/feedback").get_json()["items"] == []
    headers = {"X-CSRF-Token": bob.token}
    assert bob.client.post(f"/api/v1/feedback/{mine}/cancel", headers=headers).status_code == 404
    assert bob.client.delete(f"/api/v1/feedback/{mine}", headers=headers).status_code == 404
    assert alice.client.get(f"/api/v1/feedback/{mine}").status_code == 200


def test_the_open_api_reaches_every_record(app, client):
    alice = Browser(app)
    mine = alice.create()
    listed = [r["id"] for r in client.get("/api/v1/feedback").get_json()["items"]]
    assert mine in listed
    assert client.get(f"/api/v1/feedback/{mine}").status_code == 200


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_browser_change_without_its_csrf_token_is_refused(app, token):
    browser = Browser(app)
    headers = {"Prefer": "respond-async"}
    if token is not None:
        headers["X-CSRF-Token"] = token
    response = browser.client.post("/api/v1/feedback", json=BODY, headers=headers)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.query(Feedback).count() == 0


def test_cross_site_changes_are_refused_even_without_a_session(app, client):
    response = client.post(
        "/api/v1/feedback",
        json=BODY,
        headers={"Sec-Fetch-Site": "cross-site", "Prefer": "respond-async"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.query(Feedback).count() == 0


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app):
    plain = app.test_client().get("/")
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client().get("/", base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]


@pytest.mark.parametrize("url", ["/", "/api/v1/questions", "/no-such-page"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
