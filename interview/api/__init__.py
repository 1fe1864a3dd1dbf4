"""The HTTP API: JSON and Server-Sent Events under /api/v1, plus /healthz."""

from flask import Blueprint, Flask

from . import (
    answer_metrics,
    docs_page,
    feedback,
    health,
    openai_compat,
    openapi,
    questions,
    sessions,
    transcriptions,
)
from .event_streams import register_event_stream_slots
from .limits import register_rate_limits
from .owners import identify_caller

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
api_bp.before_request(identify_caller)
api_bp.register_blueprint(feedback.bp)
api_bp.register_blueprint(questions.bp)
api_bp.register_blueprint(answer_metrics.bp)
api_bp.register_blueprint(openapi.bp)
api_bp.register_blueprint(docs_page.bp)
api_bp.register_blueprint(openai_compat.bp)
api_bp.register_blueprint(transcriptions.bp)
api_bp.register_blueprint(sessions.bp)


def register_api(app: Flask) -> None:
    app.register_blueprint(api_bp)
    app.register_blueprint(health.bp)
    register_rate_limits(app)
    register_event_stream_slots(app)
