"""Pieces the OpenAPI operations share: problems, parameters, the generation's answers.

A route that starts a generation (POST /feedback, a session's answer,
follow-up and report) is answered the same way: its inline event stream, or
202 with the record's `events_url`, or the AI SDK's stream; `generation_post`
describes that once, and `events_get` the replay of a record's events.
"""

from ..errors import PROBLEM_MIMETYPE
from .openapi_events import ref

EVENT_STREAM_DESCRIPTION = """\
Server-Sent Events. `retry: 3000`, then `event: start` (StartEvent), one
`event: delta` per user-perceived character (grapheme cluster) with `id: n`
(1-based) and data `{"text": "..."}`, paced `delay_ms` apart on a monotonic
clock, then `event: done` with the saved Feedback record, or `event: error`
with `{"code", "message"}`. The terminal event carries `id: N+1` after N
deltas. A `: ping` comment is sent after 15 s of silence."""
INLINE_OR_ACCEPTED = (
    "Streams the {what} inline (200 text/event-stream) when the client "
    "accepts text/event-stream (explicitly, through `*/*`, or with no Accept). "
    "Answers 202 and generates in the background when the client accepts "
    "JSON but not an event stream, or sends `Prefer: respond-async`."
)


def problem(description: str) -> dict:
    return {
        "description": description,
        "content": {PROBLEM_MIMETYPE: {"schema": "Problem"}},
    }


def json_response(schema: str | dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_body(schema: str | dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def path_parameter(name: str, description: str | None = None) -> dict:
    parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
    return {**parameter, "description": description} if description else parameter


TOO_MANY_REQUESTS = {
    **problem(
        "INTERVIEW_RATE_LIMIT or INTERVIEW_MAX_OPEN_STREAMS reached for this caller; no record"
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer"},
        }
    },
}
TOO_MANY_EVENT_STREAMS = {
    **TOO_MANY_REQUESTS,
    "description": "INTERVIEW_MAX_EVENT_STREAMS event streams of this caller already open",
}
REQUEST_ID_HEADER = {
    "description": (
        "The request's X-Request-ID when it is 1 to 128 characters of A-Za-z0-9._-, "
        "else a generated one; the logs carry it too"
    ),
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
}
PROTOCOL_PARAMETER = {
    "name": "protocol",
    "in": "query",
    "schema": {"type": "string", "enum": ["ai-sdk"]},
    "description": (
        "`ai-sdk`: the Vercel AI SDK's UI message stream (v1), inline whatever Accept "
        "says; the body may be useChat's (answer = text parts of the last user message) "
        "or useCompletion's (`prompt` = answer), with `question`, `role`, `delay_ms` "
        "as top-level fields. On the events URL: a record still generating is replayed "
        "from its start, a finished one answers 204."
    ),
}
PREFER_PARAMETER = {"name": "Prefer", "in": "header", "schema": {"type": "string"}}
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "schema": {"type": "string", "maxLength": 200, "pattern": "^[ -~]*[!-~][ -~]*$"},
    "description": (
        "A repeat of the same request by the same caller within 24 h attaches "
        "to the first one's record (honouring Last-Event-ID) instead of "
        "starting another generation; the same key with a different body is 422."
    ),
}
# An event id this API sent: a number of at most nine digits.
# The id of the last event seen; empty (as the SSE standard's empty last event id)
# or absent: the stream from its start.
LAST_EVENT_ID = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 999_999_999},
        {"type": "string", "maxLength": 0},
    ]
}
LAST_EVENT_ID_HEADER = {"name": "Last-Event-ID", "in": "header", "schema": LAST_EVENT_ID}
# This API's events, or the AI SDK's with ?protocol=ai-sdk
FEEDBACK_STREAM = {
    "text/event-stream": {"itemSchema": {"anyOf": [ref("FeedbackEvent"), ref("AiSdkEvent")]}}
}
NOT_STRICT_JSON = (
    "A body that is not strict JSON: not UTF-8, NaN or Infinity, a number beyond 64 bits, "
    "a lone surrogate escape, a duplicate key, or nesting deeper than 32"
)
INVALID_FEEDBACK = problem(
    "Invalid fields; `errors` maps each field to messages. Also on `answer` when it is "
    "plainly not an answer (no letters, one word repeated, keyboard mash), unless "
    "INTERVIEW_ANSWER_CHECK=off"
)
UNAUTHORIZED = problem("API keys are on and the bearer key (or stream token) is missing or wrong")
FORBIDDEN = problem(
    "A browser session without its CSRF token (X-CSRF-Token), or a cross-site request"
)
JSON_BODY_PROBLEMS = {
    "413": problem("Body larger than 1 MiB"),
    "415": problem("Body is not JSON"),
}


def generation_post(
    summary: str,
    what: str,
    *,
    parameters: list[dict],
    request_schema: str | None,
    problems: dict[str, dict],
    protocol_parameter: dict = PROTOCOL_PARAMETER,
) -> dict:
    """A POST that starts a generation: inline stream, 202 Accepted or the AI SDK's stream.

    `parameters` come before the shared ones; with a `request_schema` the operation
    takes a JSON body and honours Idempotency-Key. `problems` adds its own errors.
    """
    with_body = request_schema is not None
    if with_body:
        bad_request = (
            f"{NOT_STRICT_JSON}; an unknown `protocol`; a bad Idempotency-Key or Last-Event-ID"
        )
        repeat = "A repeat (Idempotency-Key) past the terminal event"
    else:
        bad_request = "An unknown `protocol`; a bad Last-Event-ID"
        repeat = "A repeat past the terminal event (Last-Event-ID)"
    operation = {
        "summary": summary,
        "description": INLINE_OR_ACCEPTED.format(what=what),
        "parameters": [
            *parameters,
            PREFER_PARAMETER,
            *([IDEMPOTENCY_KEY_PARAMETER] if with_body else []),
            LAST_EVENT_ID_HEADER,
            protocol_parameter,
        ],
        "responses": {
            "200": {"description": EVENT_STREAM_DESCRIPTION, "content": FEEDBACK_STREAM},
            "202": json_response(
                "Accepted",
                "Generation started in the background; with API keys, `events_url` "
                "carries a short-lived stream token for EventSource",
            ),
            "204": {"description": repeat},
            "400": problem(bad_request),
            "403": FORBIDDEN,
            "406": problem("Neither an event stream nor JSON is acceptable"),
            **(JSON_BODY_PROBLEMS if with_body else {}),
            **problems,
            "429": TOO_MANY_REQUESTS,
        },
    }
    if with_body:
        operation["requestBody"] = json_body(request_schema)
    return operation


def events_get(summary: str, *, parameters: list[dict], not_found: dict) -> dict:
    """A GET that replays a record's event stream, then follows it live."""
    return {
        "summary": summary,
        "parameters": [
            *parameters,
            PROTOCOL_PARAMETER,
            LAST_EVENT_ID_HEADER,
            {"name": "last_event_id", "in": "query", "schema": LAST_EVENT_ID},
        ],
        "responses": {
            "200": {"description": EVENT_STREAM_DESCRIPTION, "content": FEEDBACK_STREAM},
            "204": {"description": "The client has already seen the terminal event"},
            "400": problem("Last-Event-ID is not an event id, or an unknown `protocol`"),
            "404": not_found,
            "429": TOO_MANY_EVENT_STREAMS,
        },
    }


def list_parameters() -> list[dict]:
    """`limit` and `cursor` of a list that is read a page at a time."""
    return [
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "default": 20, "minimum": 1, "maximum": 100},
        },
        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
    ]
