"""Who is calling: the owner id that scopes every record lookup."""

from flask import abort, g, request

from ..browser_session import browser_owner, has_valid_csrf_token
from ..feedback.records import ANYONE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def identify_caller() -> None:
    """Set `g.owner` before every API request.

    A browser session (the practice pages) scopes the caller to its own
    records, and its state-changing calls need the session's CSRF token. Any
    other caller of the open API (no API keys configured) reaches every record.
    Browsers mark cross-site requests (`Sec-Fetch-Site`); those may not change
    anything at all.
    """
    changes_state = request.method not in SAFE_METHODS
    if changes_state and request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, "Cross-site requests cannot change anything here.")
    owner = browser_owner()
    if owner is None:
        g.owner = ANYONE
        return
    if changes_state and not has_valid_csrf_token(request):
        abort(403, "Missing or invalid CSRF token; reload the page.")
    g.owner = owner


def current_owner() -> str:
    """Return the caller's owner id (set by `identify_caller`)."""
    return g.owner
