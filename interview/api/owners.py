"""Who is calling: the owner id that scopes every record lookup."""

from flask import abort, current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from ..api_keys import owner_of_events_token, owner_of_key
from ..browser_session import browser_owner, has_valid_csrf_token
from ..feedback.records import ANYONE
from ..request_identity import bearer_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EVENTS_ENDPOINT = "api.feedback.feedback_events_stream"
PUBLIC_ENDPOINTS = frozenset({"api.openapi.openapi_document", "api.docs.api_docs"})


def identify_caller() -> None:
    """Set `g.owner` before every API request.

    - With INTERVIEW_API_KEYS, a caller presenting a bearer key is that key's
      owner (or refused if the key is not valid), whatever cookie it also sends.
    - With the practice pages on (INTERVIEW_PRACTICE_PAGES), a browser session
      scopes the caller to its own records; its state-changing calls need the
      session's CSRF token. With the pages off, the session cookie counts for
      nothing: the caller is treated as if it had none.
    - With INTERVIEW_API_KEYS, any other caller needs a valid bearer key (or,
      on one record's events URL, that record's stream token); its owner is
      derived from the key.
    - Without keys the API is open: any other caller reaches every record.
    Browsers mark cross-site requests (`Sec-Fetch-Site`); those may not change anything.
    """
    changes_state = request.method not in SAFE_METHODS
    if changes_state and request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, "Cross-site requests cannot change anything here.")
    keys_required = bool(current_app.config["INTERVIEW_API_KEYS"])
    if keys_required and _presents_key():
        g.owner = _owner_from_bearer_key()
        return
    owner = browser_owner() if current_app.config["INTERVIEW_PRACTICE_PAGES"] else None
    if owner is not None:
        if changes_state and not has_valid_csrf_token(request):
            abort(403, "Missing or invalid CSRF token; reload the page.")
        g.owner = owner
        return
    if not keys_required or request.method == "OPTIONS":
        g.owner = ANYONE
        return
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    g.owner = _owner_from_token() or _owner_from_bearer_key()


def _presents_key() -> bool:
    """True when this request sends a key where one counts (not a preflight, not public)."""
    return (
        "Authorization" in request.headers
        and request.method != "OPTIONS"
        and request.endpoint not in PUBLIC_ENDPOINTS
    )


def _owner_from_token() -> str | None:
    token = request.args.get("token")
    if not token or request.endpoint != EVENTS_ENDPOINT:
        return None
    return owner_of_events_token(token, request.view_args["feedback_id"])


def _owner_from_bearer_key() -> str:
    token = bearer_token()
    owner = owner_of_key(token) if token else None
    if owner is None:
        raise Unauthorized(
            "Send a valid API key: Authorization: Bearer <key>.",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "interview"}),
        )
    g.authenticated_by_key = True
    return owner


def current_owner() -> str:
    """Return the caller's owner id (set by `identify_caller`)."""
    return g.owner


def authenticated_by_key() -> bool:
    return g.get("authenticated_by_key", False)
