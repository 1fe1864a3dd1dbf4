"""GET /metrics: Prometheus' scrape, behind INTERVIEW_METRICS_TOKEN when it is set."""

import hmac

from flask import Blueprint, Response, current_app
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from ..request_identity import bearer_token
from .metrics import exposition

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    """Return every metric of every worker in Prometheus' text format."""
    expected = current_app.config["INTERVIEW_METRICS_TOKEN"]
    if expected is not None and not hmac.compare_digest(bearer_token().encode(), expected.encode()):
        raise Unauthorized(
            "Scraping the metrics needs the metrics token: Authorization: Bearer <token>.",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "metrics"}),
        )
    body, content_type = exposition()
    return Response(body, content_type=content_type)
