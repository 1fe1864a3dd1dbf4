"""The HTTP response around an event stream."""

from collections.abc import Iterator

from flask import Response

from .negotiation import EVENT_STREAM

STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx and friends: do not buffer the stream
}


class EventStreamResponse(Response):
    """A response whose body is an event generator, handed to the server as it is.

    Werkzeug would wrap the generator in two layers (its encoding generator
    and its closing iterator), each run for every write of a stream that
    writes a thousand times. Here the server iterates the generator itself,
    and closing the body still closes the response (its `call_on_close`
    callbacks run). The generator runs outside the request's context: it
    needs none (a followed record reads the database in an application
    context of its own), and the request's objects are not kept for the
    minute or more a stream lasts.
    """

    def get_app_iter(self, environ):
        if environ["REQUEST_METHOD"] == "HEAD":
            return super().get_app_iter(environ)  # headers only
        return _ClosingBody(self)


class _ClosingBody:
    def __init__(self, response: Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._response.response)

    def close(self) -> None:
        self._response.close()  # closes the generator, then the on-close callbacks


def event_stream_response(events: Iterator[bytes], status: int = 200) -> Response:
    """Wrap an event generator; every header is set before the first byte goes out."""
    response = EventStreamResponse(events, status=status, mimetype=EVENT_STREAM)
    response.headers.update(STREAM_HEADERS)
    return response
