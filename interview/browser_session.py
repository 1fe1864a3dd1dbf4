"""The browser's anonymous identity: a signed session cookie with an owner id and a CSRF token.

Pages give each browser an owner id on its first visit (Flask's signed session
cookie: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS). The
page's own API calls carry that cookie; the ones that change something must
also send the session's CSRF token in `X-CSRF-Token`.
"""

import hmac
import secrets

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

CSRF_HEADER = "X-CSRF-Token"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request is HTTPS.

    Its signing serializer is made once for a set of keys, not on every request.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (request and request.is_secure)


def configure_sessions(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="interview_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )


def ensure_browser_identity() -> None:
    """Give this browser an owner id and a CSRF token, once."""
    if "owner" not in session:
        session["owner"] = secrets.token_urlsafe(16)
        session.permanent = True
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)


def browser_owner() -> str | None:
    return session.get("owner")


def csrf_token() -> str:
    return session["csrf"]


def existing_csrf_token() -> str | None:
    """The session's CSRF token, if this browser has been given one."""
    return session.get("csrf")


def has_valid_csrf_token(incoming: Request) -> bool:
    expected = session.get("csrf")
    sent = incoming.headers.get(CSRF_HEADER, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())
