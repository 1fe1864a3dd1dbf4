"""Reading what a request asks for: its JSON body, the response kind, a resume point."""

from typing import Any

from flask import abort, request

from .strict_json import InvalidJSON, loads_strict

EVENT_STREAM = "text/event-stream"


def json_body() -> Any:
    """Return the parsed JSON body; 415 when it is not JSON, 400 when it is not strict JSON.

    Strict: UTF-8, no duplicate keys, no lone surrogates, bounded nesting and
    numbers (`strict_json.py`).
    """
    if not request.is_json:
        abort(415, "Send the request body as JSON (Content-Type: application/json).")
    try:
        return loads_strict(request.get_data(cache=True))
    except InvalidJSON as exc:
        abort(400, f"The request body is not valid JSON: {exc}.")


def wants_inline_stream() -> bool:
    """True for the inline event stream, False for 202 + background generation.

    Event stream when the client accepts it (explicitly, through */*, or by
    sending no Accept at all); 202 when it sends `Prefer: respond-async` or
    accepts JSON but not an event stream; 406 otherwise.
    """
    if "respond-async" in request.headers.get("Prefer", "").lower():
        return False
    accept = request.accept_mimetypes
    if not request.headers.get("Accept") or accept[EVENT_STREAM] > 0:
        return True
    if accept["application/json"] > 0:
        return False
    abort(406, "Accept text/event-stream for the feedback stream or application/json for 202.")


def resume_point() -> int:
    """Return the last event id the client has seen (Last-Event-ID or ?last_event_id=).

    An empty one is none, as the SSE standard's empty last event id is: the
    stream starts from the beginning.
    """
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or "0"
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        abort(400, "Last-Event-ID must be the id of an event of this stream (a number).")
    return int(raw)
