"""Log lines as text or as JSON (INTERVIEW_LOG_FORMAT), with the standard library alone.

A record may carry `fields` (a dict, given as `extra={"fields": ...}`), as the
request and generation lines do: in JSON they are members of the line, in text
they follow the message as key=value. `request_id` is put on records by the
request filter (`http.py`) while a request is being handled.

This module imports nothing of the app: gunicorn's arbiter imports it
(interview/gunicorn_config.py) to write gunicorn's own lines in the same format.
"""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

HANDLER_NAME = "interview"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            line["request_id"] = request_id
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id]: message key=value ...`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        text = super().formatMessage(record)
        if request_id := getattr(record, "request_id", None):
            name, _, rest = text.partition(": ")
            text = f"{name} [{request_id}]: {rest}"
        fields = getattr(record, "fields", None) or {}
        pairs = (f"{key}={json.dumps(value, default=str)}" for key, value in fields.items())
        return " ".join([text, *pairs])


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record comes (test runners swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def configure_logging(log_format: str, *filters: logging.Filter) -> None:
    """Send log records to stderr in `log_format` ("text" or "json").

    The app's own loggers (`interview.*`) write from INFO, libraries from
    WARNING as before. Idempotent: the handler of an earlier call is replaced,
    so building the app again (tests do) never doubles the lines. In JSON the
    development server's own request lines are silenced: the app writes one
    per request.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    for log_filter in filters:
        handler.addFilter(log_filter)
    root.addHandler(handler)
    app_logger = logging.getLogger("interview")
    if app_logger.level == logging.NOTSET:
        app_logger.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(
        logging.WARNING if log_format == "json" else logging.NOTSET
    )


@contextmanager
def logs_held_back() -> Iterator[None]:
    """Hold the log records of this process until the block ends, then write them.

    For a command that streams text to a terminal: standard error shares the
    screen with standard output, and a line written mid-stream would land
    inside the text.
    """
    root = logging.getLogger()
    writers = [handler for handler in root.handlers if handler.get_name() == HANDLER_NAME]
    held: list[logging.LogRecord] = []
    holder = _Holder(held)
    for writer in writers:
        root.removeHandler(writer)
    root.addHandler(holder)
    try:
        yield
    finally:
        root.removeHandler(holder)
        for writer in writers:
            root.addHandler(writer)
            for record in held:
                writer.handle(record)


class _Holder(logging.Handler):
    def __init__(self, held: list[logging.LogRecord]) -> None:
        super().__init__()
        self.held = held

    def emit(self, record: logging.LogRecord) -> None:
        self.held.append(record)
