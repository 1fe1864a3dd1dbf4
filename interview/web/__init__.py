"""The practice pages: practise, history, one attempt, mock interviews.

They are on unless the operator turned them off (INTERVIEW_PRACTICE_PAGES, off
by default when INTERVIEW_API_KEYS is set): a page hands its visitor a session
that spends the model budget through the API without a key. Turned off, every
page is a 404 saying so, and no session is handed out.
"""

from flask import Blueprint, abort, current_app

from ..browser_session import csrf_token, ensure_browser_identity

PAGES_OFF = "The practice pages are turned off on this server."

bp = Blueprint("web", __name__)


@bp.before_request
def open_practice_pages() -> None:
    """Give the browser its identity, or answer 404 when the pages are turned off."""
    if not current_app.config["INTERVIEW_PRACTICE_PAGES"]:
        abort(404, PAGES_OFF)
    ensure_browser_identity()


@bp.app_context_processor
def page_globals() -> dict:
    return {"csrf_token": csrf_token}


from . import sessions, views  # noqa: E402,F401  (registers the routes on bp)
