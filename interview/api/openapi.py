"""GET /api/v1/openapi.json: the API described with apispec from the marshmallow schemas.

Schemas come from `interview.schemas` through apispec's MarshmallowPlugin, the
events of the streams from `openapi_events.py`; the operations below say which
schema each route takes and returns. The document is written in OpenAPI 3.2,
the first version that describes an event stream event by event (`itemSchema`),
and served as OpenAPI 3.1 unless `?version=3.2` asks for it (`openapi_versions.py`).
A test checks that every API route is described here; another fuzzes the app
against both versions.
"""

from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, abort, request

from .. import schemas
from ..errors import PROBLEM_MIMETYPE
from ..feedback.questions import CATEGORIES
from . import openapi_events
from .openapi_events import event_stream, ref
from .openapi_versions import DEFAULT_VERSION, OPENAPI_VERSIONS, as_openapi_31

bp = Blueprint("openapi", __name__)

DESCRIPTION = """\
AI feedback on interview answers, streamed over SSE.

/api/v1/openapi.json is OpenAPI 3.1 by default, for client generators;
`?version=3.2` serves it as OpenAPI 3.2, which describes each event stream event
by event (`itemSchema`). In 3.1 the same event schemas are each stream's
`x-itemSchema`. People can read it at /api/v1/docs."""

EVENT_STREAM_DESCRIPTION = """\
Server-Sent Events. `retry: 3000`, then `event: start` (StartEvent), one
`event: delta` per user-perceived character (grapheme cluster) with `id: n`
(1-based) and data `{"text": "..."}`, paced `delay_ms` apart on a monotonic
clock, then `event: done` with the saved Feedback record, or `event: error`
with `{"code", "message"}`. The terminal event carries `id: N+1` after N
deltas. A `: ping` comment is sent after 15 s of silence."""


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {PROBLEM_MIMETYPE: {"schema": "Problem"}},
    }


TOO_MANY_REQUESTS = {
    **_problem(
        "INTERVIEW_RATE_LIMIT or INTERVIEW_MAX_OPEN_STREAMS reached for this caller; no record"
    ),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer"},
        }
    },
}


REQUEST_ID_HEADER = {
    "description": (
        "The request's X-Request-ID when it is 1 to 128 characters of A-Za-z0-9._-, "
        "else a generated one; the logs carry it too"
    ),
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
}


def _json(schema: str | dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
CHAT_REQUEST = {
    "type": "object",
    "required": ["messages"],
    "properties": {
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "object"},
            "contains": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {
                    "role": {"const": "user"},
                    "content": {"type": ["string", "array"]},
                },
            },
        },
        "stream": {"type": "boolean"},
        "stream_options": {
            "type": ["object", "null"],
            "properties": {"include_usage": {"type": "boolean"}},
        },
        "question": {"type": ["string", "null"], "maxLength": 2000},
        "role": {"type": ["string", "null"], "maxLength": 200},
        "delay_ms": {"type": ["integer", "null"], "minimum": 0},
    },
    "description": (
        "An OpenAI chat completions body. Answer = last `user` message; question = "
        "`question`, else the nearest earlier `assistant` message, else a `system` "
        "message. Other OpenAI parameters are accepted and ignored."
    ),
}
ID_PARAMETER = {"name": "feedback_id", "in": "path", "required": True, "schema": {"type": "string"}}
# An event id this API sent: a number of at most nine digits.
LAST_EVENT_ID = {"type": "integer", "minimum": 0, "maximum": 999_999_999}
# This API's events, or the AI SDK's with ?protocol=ai-sdk
FEEDBACK_STREAM = {
    "text/event-stream": {"itemSchema": {"anyOf": [ref("FeedbackEvent"), ref("AiSdkEvent")]}}
}
NOT_FOUND = _problem("No such record for this caller")
NOT_STRICT_JSON = (
    "A body that is not strict JSON: not UTF-8, NaN or Infinity, a number beyond 64 bits, "
    "a lone surrogate escape, a duplicate key, or nesting deeper than 32"
)
INVALID_FEEDBACK = _problem(
    "Invalid fields; `errors` maps each field to messages. Also on `answer` when it is "
    "plainly not an answer (no letters, one word repeated, keyboard mash), unless "
    "INTERVIEW_ANSWER_CHECK=off"
)
UNAUTHORIZED = _problem("API keys are on and the bearer key (or stream token) is missing or wrong")
FORBIDDEN = _problem(
    "A browser session without its CSRF token (X-CSRF-Token), or a cross-site request"
)

OPERATIONS: dict[str, dict] = {
    "/feedback": {
        "post": {
            "summary": "Get feedback on an answer",
            "description": (
                "Streams the feedback inline (200 text/event-stream) when the client "
                "accepts text/event-stream (explicitly, through `*/*`, or with no Accept). "
                "Answers 202 and generates in the background when the client accepts "
                "JSON but not an event stream, or sends `Prefer: respond-async`."
            ),
            "parameters": [
                {"name": "Prefer", "in": "header", "schema": {"type": "string"}},
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "schema": {
                        "type": "string",
                        "maxLength": 200,
                        "pattern": "^[ -~]*[!-~][ -~]*$",
                    },
                    "description": (
                        "A repeat of the same request by the same caller within 24 h attaches "
                        "to the first one's record (honouring Last-Event-ID) instead of "
                        "starting another generation; the same key with a different body is 422."
                    ),
                },
                {"name": "Last-Event-ID", "in": "header", "schema": LAST_EVENT_ID},
                PROTOCOL_PARAMETER,
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": "FeedbackRequest"}},
            },
            "responses": {
                "200": {"description": EVENT_STREAM_DESCRIPTION, "content": FEEDBACK_STREAM},
                "202": _json(
                    "Accepted",
                    "Generation started in the background; with API keys, `events_url` "
                    "carries a short-lived stream token for EventSource",
                ),
                "204": {"description": "A repeat (Idempotency-Key) past the terminal event"},
                "400": _problem(
                    f"{NOT_STRICT_JSON}; an unknown `protocol`; a bad Idempotency-Key or "
                    "Last-Event-ID"
                ),
                "403": FORBIDDEN,
                "406": _problem("Neither an event stream nor JSON is acceptable"),
                "413": _problem("Body larger than 1 MiB"),
                "415": _problem("Body is not JSON"),
                "422": INVALID_FEEDBACK,
                "429": TOO_MANY_REQUESTS,
            },
        },
        "get": {
            "summary": "List the caller's records, newest first",
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "default": 20, "minimum": 1, "maximum": 100},
                },
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": _json("FeedbackList", "A page of records and the next page's cursor"),
                "400": _problem("Unknown cursor"),
                "422": _problem("Invalid limit"),
            },
        },
    },
    "/feedback/{feedback_id}": {
        "get": {
            "summary": "Read one record",
            "parameters": [ID_PARAMETER],
            "responses": {"200": _json("Feedback", "The record"), "404": NOT_FOUND},
        },
        "delete": {
            "summary": "Delete a record for good (a running generation is stopped)",
            "parameters": [ID_PARAMETER],
            "responses": {"204": {"description": "Deleted"}, "403": FORBIDDEN, "404": NOT_FOUND},
        },
    },
    "/feedback/{feedback_id}/events": {
        "get": {
            "summary": "Replay a record's event stream, then follow it live",
            "parameters": [
                ID_PARAMETER,
                PROTOCOL_PARAMETER,
                {"name": "Last-Event-ID", "in": "header", "schema": LAST_EVENT_ID},
                {"name": "last_event_id", "in": "query", "schema": LAST_EVENT_ID},
                {
                    "name": "token",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": (
                        "The stream token of the 202 answer's `events_url` (API keys on): "
                        "accepted instead of the bearer key for this record's events only."
                    ),
                },
            ],
            "responses": {
                "200": {"description": EVENT_STREAM_DESCRIPTION, "content": FEEDBACK_STREAM},
                "204": {"description": "The client has already seen the terminal event"},
                "400": _problem("Last-Event-ID is not an event id, or an unknown `protocol`"),
                "404": NOT_FOUND,
                "429": {
                    **TOO_MANY_REQUESTS,
                    "description": (
                        "INTERVIEW_MAX_EVENT_STREAMS event streams of this caller already open"
                    ),
                },
            },
        },
    },
    "/feedback/{feedback_id}/cancel": {
        "post": {
            "summary": "Stop a generation; the record ends `interrupted` with the text so far",
            "parameters": [ID_PARAMETER],
            "responses": {
                "202": _json("Cancelling", "The generation is stopping"),
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": _problem("The record has already finished"),
            },
        },
    },
    "/questions": {
        "get": {
            "summary": "The question bank",
            "parameters": [
                {
                    "name": "category",
                    "in": "query",
                    "schema": {
                        "type": "string",
                        "enum": list(CATEGORIES),
                    },
                },
            ],
            "responses": {
                "200": _json("QuestionList", "Questions"),
                "400": _problem("Unknown category"),
            },
        },
    },
    "/answer-metrics": {
        "post": {
            "summary": "An answer's metrics, as a record would store them, without a model call",
            "description": (
                "Word count, speaking time, filler words, the keyword STAR check and the "
                "question's key terms, with those the answer uses. Nothing is stored and no "
                "generation is counted against the rate limit."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": "AnswerMetricsRequest"}},
            },
            "responses": {
                "200": _json("AnswerMetrics", "The metrics"),
                "400": _problem(NOT_STRICT_JSON),
                "403": FORBIDDEN,
                "413": _problem("Body larger than 1 MiB"),
                "415": _problem("Body is not JSON"),
                "422": _problem("Invalid fields; `errors` maps each field to messages"),
            },
        },
    },
    "/transcriptions": {
        "post": {
            "summary": "Transcribe a spoken answer and time its delivery",
            "description": (
                "The recording goes to the upstream's audio transcriptions with word "
                "timestamps where it gives them; the answer holds the transcript and its "
                "delivery (pace over the time actually spoken, long pauses, fillers). The "
                "audio is judged by its content (WebM, Ogg, WAV, MP3, M4A), never kept and "
                "never logged; the transcription is saved without it, for `transcription_id` "
                "on POST /feedback. Counts against INTERVIEW_RATE_LIMIT."
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {
                                    "type": "string",
                                    "format": "binary",
                                    "contentMediaType": "application/octet-stream",
                                    "description": (
                                        "The recording, at most INTERVIEW_TRANSCRIPTION_MAX_BYTES "
                                        "and INTERVIEW_TRANSCRIPTION_MAX_SECONDS; its name and "
                                        "declared type are ignored"
                                    ),
                                },
                                "language": {
                                    "type": "string",
                                    "pattern": "^[a-z]{2}$",
                                    "description": "ISO-639-1 code of the language spoken",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json("Transcription", "The saved transcription and its delivery"),
                "403": FORBIDDEN,
                "413": _problem("The recording is larger than INTERVIEW_TRANSCRIPTION_MAX_BYTES"),
                "415": _problem(
                    "Not multipart/form-data, or the file is not audio in a supported format"
                ),
                "422": _problem(
                    "No `file`, or one that is empty, damaged, truncated or longer than "
                    "INTERVIEW_TRANSCRIPTION_MAX_SECONDS (`errors.file` says which); a bad "
                    "`language`, or one other than `en` for the local recogniser. No upstream "
                    "call, nothing saved"
                ),
                "429": TOO_MANY_REQUESTS,
                "502": _problem("The upstream failed or refused the transcription"),
                "503": _problem(
                    "No transcription service (INTERVIEW_TRANSCRIPTION_PROVIDER off, or an "
                    "upstream without an audio endpoint), or the local recogniser stayed busy "
                    "with other recordings"
                ),
                "504": _problem("The upstream did not answer in time"),
            },
        },
    },
    "/openai/chat/completions": {
        "post": {
            "summary": "Feedback as an OpenAI chat completion (for the openai SDKs, LangChain)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": CHAT_REQUEST}},
            },
            "responses": {
                "200": {
                    "description": (
                        "`stream: true`: `chat.completion.chunk` frames (id `chatcmpl-<record "
                        "id>`), a usage chunk with `stream_options.include_usage`, then "
                        '`data: [DONE]`; a failure is `data: {"error": {message, type, code}}`. '
                        "Otherwise one `chat.completion` with the saved record as `feedback`."
                    ),
                    "content": {
                        **event_stream("ChatCompletionEvent"),
                        "application/json": {"schema": {"type": "object"}},
                    },
                },
                "400": _problem(NOT_STRICT_JSON),
                "403": FORBIDDEN,
                "413": _problem("Body larger than 1 MiB"),
                "415": _problem("Body is not JSON"),
                "422": INVALID_FEEDBACK,
                "429": TOO_MANY_REQUESTS,
                "502": _problem("The generation failed"),
            },
        },
    },
    "/openai/models": {
        "get": {
            "summary": "The one model this endpoint serves, in OpenAI's list shape",
            "responses": {"200": {"description": "Model list"}},
        },
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "parameters": [
                {
                    "name": "version",
                    "in": "query",
                    "schema": {
                        "type": "string",
                        "enum": list(OPENAPI_VERSIONS),
                        "default": DEFAULT_VERSION,
                    },
                    "description": (
                        "`3.1` (the default, for client generators) or `3.2`, which "
                        "describes each event stream event by event (`itemSchema`)"
                    ),
                },
            ],
            "responses": {
                "200": _json({"type": "object"}, "The OpenAPI document in that version"),
                "400": _problem("Unknown version"),
            },
        },
    },
    "/docs": {
        "get": {
            "summary": "This document as a web page (Swagger UI)",
            "responses": {
                "200": {
                    "description": "The page",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        },
    },
}
#: Paths anyone may read, even with API keys on.
PUBLIC_PATHS = frozenset({"/openapi.json", "/docs"})

# Nested schemas first, so the ones that use them refer to these names.
COMPONENT_SCHEMAS = {
    "FeedbackError": schemas.FeedbackErrorSchema,
    "Question": schemas.QuestionSchema,
    "FeedbackRequest": schemas.FeedbackRequestSchema,
    "StarPart": schemas.StarPartSchema,
    "AssessedCriteria": schemas.AssessedCriteriaSchema,
    "AssessedStar": schemas.AssessedStarSchema,
    "Assessment": schemas.AssessmentSchema,
    "Pause": schemas.PauseSchema,
    "Delivery": schemas.DeliverySchema,
    "Feedback": schemas.FeedbackSchema,
    "FeedbackList": schemas.FeedbackListSchema,
    "AnswerMetricsRequest": schemas.AnswerMetricsRequestSchema,
    "KeyTerms": schemas.KeyTermsSchema,
    "AnswerMetrics": schemas.AnswerMetricsSchema,
    "Accepted": schemas.AcceptedSchema,
    "Cancelling": schemas.CancellingSchema,
    "StartEvent": schemas.StartEventSchema,
    "QuestionList": schemas.QuestionListSchema,
    "TimedWord": schemas.TimedWordSchema,
    "Transcription": schemas.TranscriptionSchema,
    "Problem": schemas.ProblemSchema,
    "OpenAIError": schemas.OpenAIErrorSchema,
    "OpenAIProblem": schemas.OpenAIProblemSchema,
}


def _with_shared_responses(path: str, operations: dict) -> dict:
    """Add what the operations share: 401, X-Request-ID, the OpenAI routes' problem shape.

    Every operation but this document's and its page's answers 401 when API keys are on; every
    response carries X-Request-ID; the OpenAI-compatible routes add an `error`
    member to every problem.
    """
    problem = "OpenAIProblem" if path.startswith("/openai/") else "Problem"
    finished = {}
    for method, operation in operations.items():
        responses = operation["responses"]
        if path not in PUBLIC_PATHS:
            responses = {"401": UNAUTHORIZED, **responses}
        finished[method] = {
            **operation,
            "responses": {
                status: _with_request_id(_of_problem(r, problem)) for status, r in responses.items()
            },
        }
    return finished


def _with_request_id(response: dict) -> dict:
    return {
        **response,
        "headers": {**response.get("headers", {}), "X-Request-ID": REQUEST_ID_HEADER},
    }


def _of_problem(response: dict, problem: str) -> dict:
    content = response.get("content", {})
    if PROBLEM_MIMETYPE not in content:
        return response
    return {**response, "content": {**content, PROBLEM_MIMETYPE: {"schema": problem}}}


@cache
def build_openapi_document(version: str = DEFAULT_VERSION) -> dict:
    """Return the OpenAPI document in `version`, "3.1" or "3.2" (built once per process)."""
    document = _build_openapi_32()
    return document if version == "3.2" else as_openapi_31(document)


@cache
def _build_openapi_32() -> dict:
    spec = APISpec(
        title="interview",
        version="1.0.0",
        openapi_version=OPENAPI_VERSIONS["3.2"],
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
        components={
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        security=[{"bearer": []}, {}],
        servers=[{"url": "/api/v1"}],
    )
    for name, schema in COMPONENT_SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    for name, component in openapi_events.SCHEMAS.items():
        spec.components.schema(name, component=component)
    for path, operations in OPERATIONS.items():
        spec.path(path=path, operations=_with_shared_responses(path, operations))
    return _without_null_defaults(spec.to_dict())


def _without_null_defaults(document: dict) -> dict:
    """Drop the `default: null` that marshmallow's `load_default=None` adds to properties.

    It says no more than an optional nullable property does, and openapi-typescript
    (with its default `defaultNonNullable`) types a property that has a default as
    always present: frontends would have to send `role: null`, and would expect
    `errors` on every problem.
    """
    for schema in document["components"]["schemas"].values():
        for name, field in schema.get("properties", {}).items():
            if "default" in field and field["default"] is None:
                schema["properties"][name] = {k: v for k, v in field.items() if k != "default"}
    return document


@bp.get("/openapi.json")
def openapi_document():
    """Return the OpenAPI document of this API, in the version `?version=` asks for."""
    version = request.args.get("version", DEFAULT_VERSION)
    if version not in OPENAPI_VERSIONS:
        abort(400, f"Unknown version; one of: {', '.join(OPENAPI_VERSIONS)}.")
    return build_openapi_document(version)
