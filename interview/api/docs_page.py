"""GET /api/v1/docs: the OpenAPI document as a web page, rendered by Swagger UI.

Swagger UI is vendored in static/vendor/swagger-ui (no CDN) and started by
static/js/api-docs.js, so the page runs under the app's Content Security
Policy unchanged: no inline script, no inline style element, nothing fetched
from another origin (its validator badge, which would call out, is off).

A visitor who comes from the practice pages calls the API with their browser
session, as those pages do; the page hands its "Try it out" calls the
session's CSRF token, so that the ones that change something are accepted.
"""

from flask import Blueprint, current_app, render_template

from ..browser_session import existing_csrf_token

bp = Blueprint("docs", __name__)


@bp.get("/docs")
def api_docs():
    """Render the API reference page, which reads /api/v1/openapi.json."""
    pages_on = current_app.config["INTERVIEW_PRACTICE_PAGES"]
    return render_template("api_docs.html", csrf_token=existing_csrf_token() if pages_on else None)
