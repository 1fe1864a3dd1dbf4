"""The response around an event stream: the generator as the body, closed with the response."""

from flask import Flask, has_request_context

from interview.api.streaming import event_stream_response


def streaming_app(seen: list[str]) -> Flask:
    app = Flask(__name__)

    def events():
        try:
            seen.append(f"context while streaming: {has_request_context()}")
            for n in range(3):
                yield f"data: {n}\n\n".encode()
        finally:
            seen.append("generator closed")

    @app.route("/events", methods=["GET", "POST"])
    def stream():
        response = event_stream_response(events())
        response.call_on_close(lambda: seen.append("response closed"))
        return response

    return app


def test_the_body_is_the_generator_run_outside_the_request_context():
    seen: list[str] = []
    response = streaming_app(seen).test_client().post("/events")
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache, no-transform"
    assert response.get_data() == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
    response.close()
    assert seen == ["context while streaming: False", "generator closed", "response closed"]


def test_a_client_that_leaves_closes_the_generator_and_the_response():
    seen: list[str] = []
    response = streaming_app(seen).test_client().get("/events", buffered=False)
    body = iter(response.response)
    assert next(body) == b"data: 0\n\n"
    response.close()  # the server closes the body when the client has gone
    assert seen[-2:] == ["generator closed", "response closed"]


def test_head_sends_the_headers_without_running_the_generator():
    seen: list[str] = []
    response = streaming_app(seen).test_client().head("/events")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert response.get_data() == b""
    response.close()
    assert "response closed" in seen and not any("context" in s for s in seen)
