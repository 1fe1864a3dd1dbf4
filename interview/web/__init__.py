"""The practice pages: practise, history, one attempt."""

from flask import Blueprint

from ..browser_session import csrf_token, ensure_browser_identity

bp = Blueprint("web", __name__)
bp.before_request(ensure_browser_identity)


@bp.app_context_processor
def page_globals() -> dict:
    return {"csrf_token": csrf_token}


from . import views  # noqa: E402,F401  (registers the routes on bp)
