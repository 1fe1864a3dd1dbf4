"""Every error as `application/problem+json` (RFC 9457) for the API, HTML for pages."""

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def problem(status: int, detail: str | None = None, **extra: Any) -> Response:
    """Return a problem details response; `extra` adds members such as `errors`."""
    phrase = HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": phrase, "status": status, "detail": detail or phrase}
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)


def _page(status: int, detail: str) -> tuple[str, int]:
    return render_template("error.html", status=status, detail=detail), status


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    if not wants_problem_json():
        return _page(status, exc.description or HTTPStatus(status).phrase)
    response = problem(status, exc.description)
    for name, value in exc.get_headers():  # Allow on 405, Retry-After, WWW-Authenticate
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_validation_error(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    errors = {field: _as_list(value) for field, value in messages.items()}
    return problem(422, "The request has invalid fields.", errors=errors)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, dict):  # nested field messages
        return [message for inner in value.values() for message in _as_list(inner)]
    if isinstance(value, list):
        return [str(message) for message in value]
    return [str(value)]


def handle_unexpected_error(exc: Exception):
    db.session.rollback()
    original = exc.original_exception if isinstance(exc, InternalServerError) else exc
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    detail = "Something went wrong on our side."
    return problem(500, detail) if wants_problem_json() else _page(500, detail)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_error)
