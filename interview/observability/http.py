"""Per request: an id, a latency observation and, in JSON logs, one line when it ends.

- The request id is the client's `X-Request-ID` when it is a sane token (1 to
  REQUEST_ID_MAX_LENGTH of `A-Za-z0-9._-`), else a new one; every response
  carries it back, errors and event streams included, and so does every log
  record written while the request is handled.
- Latency is measured to the response's headers and labelled by the route's
  rule (`/api/v1/feedback/<feedback_id>`), never the raw path, which holds ids:
  an event stream's own timings are the stream metrics.
- The request line (INTERVIEW_LOG_FORMAT=json) is written when the response is
  closed, so a stream's `duration_ms` is its whole length. It has the route,
  not the path and query: an events URL's query carries a stream token. In
  text mode gunicorn's access log is the request line (`interview/gunicorn_config.py`).
"""

import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request

from ..request_identity import client_address
from . import metrics
from .endpoint import bp as metrics_bp
from .logs import configure_logging

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_MAX_LENGTH = 128
_SANE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._-]{{1,{REQUEST_ID_MAX_LENGTH}}}")
#: Methods labelled as themselves; anything else is "other", so a client cannot
#: make up label values.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = logging.getLogger("interview.requests")


def request_id() -> str:
    """This request's id, taken from `X-Request-ID` when sane, else made up."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record written while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = request_id()
        return True


def start_request() -> None:
    g.request_started = time.monotonic()
    request_id()


def finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("request_started", time.monotonic())
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in KNOWN_METHODS else "other"
    status_class = f"{response.status_code // 100}xx"
    metrics.request_seconds.labels(route, method, status_class).observe(time.monotonic() - started)
    if current_app.config["INTERVIEW_LOG_FORMAT"] == "json":
        fields = {
            "method": method,
            "route": route,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "request_id": request_id(),
            "remote_addr": client_address(),
        }
        response.call_on_close(lambda: _log_request(fields, started))
    return response


def _log_request(fields: dict, started: float) -> None:
    duration_ms = round((time.monotonic() - started) * 1000)
    log.info(
        "%s %s %s",
        fields["method"],
        fields["route"],
        fields["status"],
        extra={"fields": {**fields, "duration_ms": duration_ms}},
    )


def register_observability(app: Flask) -> None:
    """Logs in the configured format, request ids and metrics, and `/metrics`.

    Call before the other hooks are registered: the start is then taken first
    and the response seen last, after every other `after_request`.
    """
    configure_logging(app.config["INTERVIEW_LOG_FORMAT"], RequestIdFilter())
    app.before_request(start_request)
    app.after_request(finish_request)
    app.register_blueprint(metrics_bp)
