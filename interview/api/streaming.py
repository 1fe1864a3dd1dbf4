"""The HTTP response around an event stream."""

from collections.abc import Iterator

from flask import Response, stream_with_context

from .negotiation import EVENT_STREAM

STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx and friends: do not buffer the stream
}


def event_stream_response(events: Iterator[str], status: int = 200) -> Response:
    """Wrap an event generator; every header is set before the first byte goes out."""
    response = Response(stream_with_context(events), status=status, mimetype=EVENT_STREAM)
    response.headers.update(STREAM_HEADERS)
    return response
