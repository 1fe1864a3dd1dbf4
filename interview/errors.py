"""Every error as `application/problem+json` (RFC 9457) for the API, HTML for pages.

A database that cannot be reached is a 503 with `Retry-After`, not a 500: the
request may succeed in a few seconds. The body says only that; the driver's
message (SQL, host, port) goes to the log.
"""

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json, make_response, render_template, request
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from .database_errors import is_database_unavailable
from .extensions import db

PROBLEM_MIMETYPE = "application/problem+json"
DATABASE_RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/metrics")


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


def handle_database_error(exc: DBAPIError | PoolTimeoutError):
    if not is_database_unavailable(exc):
        return handle_unexpected_error(exc)
    try:
        db.session.rollback()
    except Exception:
        pass  # the connection is gone already; the session is discarded at teardown
    reason = getattr(exc, "orig", None) or exc
    log.warning(
        "database unreachable on %s %s: %s", request.method, request.path, str(reason).strip()
    )
    detail = "The database cannot be reached right now. Try again in a few seconds."
    response = problem(503, detail) if wants_problem_json() else make_response(_page(503, detail))
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(PoolTimeoutError, handle_database_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_error)
