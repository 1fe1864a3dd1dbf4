"""GET /api/v1/openapi.json: the API described with apispec from the marshmallow schemas.

Schemas come from `interview.schemas` through apispec's MarshmallowPlugin, the
events of the streams from `openapi_events.py`; the operations (feedback's in
`openapi_feedback.py`, sessions' in `openapi_sessions.py`, the rest below, with
the pieces they share in `openapi_parts.py`) say which schema each route takes
and returns. The document is written in OpenAPI 3.2,
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
from . import openapi_events, openapi_feedback, openapi_sessions
from .openapi_defaults import request_defaults_in_words, without_null_defaults
from .openapi_events import event_stream
from .openapi_parts import (
    FORBIDDEN,
    INVALID_FEEDBACK,
    JSON_BODY_PROBLEMS,
    NOT_STRICT_JSON,
    REQUEST_ID_HEADER,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    json_response,
    problem,
)
from .openapi_versions import DEFAULT_VERSION, OPENAPI_VERSIONS, as_openapi_31

bp = Blueprint("openapi", __name__)

DESCRIPTION = """\
AI feedback on interview answers, streamed over SSE.

/api/v1/openapi.json is OpenAPI 3.1 by default, for client generators;
`?version=3.2` serves it as OpenAPI 3.2, which describes each event stream event
by event (`itemSchema`). In 3.1 the same event schemas are each stream's
`x-itemSchema`. People can read it at /api/v1/docs."""

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

OPERATIONS: dict[str, dict] = {
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
                "200": json_response("QuestionList", "Questions"),
                "400": problem("Unknown category"),
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
                "200": json_response("AnswerMetrics", "The metrics"),
                "400": problem(NOT_STRICT_JSON),
                "403": FORBIDDEN,
                **JSON_BODY_PROBLEMS,
                "422": problem("Invalid fields; `errors` maps each field to messages"),
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
                "200": json_response("Transcription", "The saved transcription and its delivery"),
                "403": FORBIDDEN,
                "413": problem("The recording is larger than INTERVIEW_TRANSCRIPTION_MAX_BYTES"),
                "415": problem(
                    "Not multipart/form-data, or the file is not audio in a supported format"
                ),
                "422": problem(
                    "No `file`, or one that is empty, damaged, truncated or longer than "
                    "INTERVIEW_TRANSCRIPTION_MAX_SECONDS (`errors.file` says which); a bad "
                    "`language`, or one other than `en` for the local recogniser. No upstream "
                    "call, nothing saved"
                ),
                "429": TOO_MANY_REQUESTS,
                "502": problem("The upstream failed or refused the transcription"),
                "503": problem(
                    "No transcription service (INTERVIEW_TRANSCRIPTION_PROVIDER off, or an "
                    "upstream without an audio endpoint), or the local recogniser stayed busy "
                    "with other recordings"
                ),
                "504": problem("The upstream did not answer in time"),
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
                "400": problem(NOT_STRICT_JSON),
                "403": FORBIDDEN,
                **JSON_BODY_PROBLEMS,
                "422": INVALID_FEEDBACK,
                "429": TOO_MANY_REQUESTS,
                "502": problem("The generation failed"),
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
                "200": json_response({"type": "object"}, "The OpenAPI document in that version"),
                "400": problem("Unknown version"),
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
PATHS = {**openapi_feedback.OPERATIONS, **OPERATIONS, **openapi_sessions.OPERATIONS}
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
                status: _with_request_id(_ofproblem(r, problem)) for status, r in responses.items()
            },
        }
    return finished


def _with_request_id(response: dict) -> dict:
    return {
        **response,
        "headers": {**response.get("headers", {}), "X-Request-ID": REQUEST_ID_HEADER},
    }


def _ofproblem(response: dict, problem: str) -> dict:
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
    for name, schema in {**COMPONENT_SCHEMAS, **openapi_sessions.COMPONENT_SCHEMAS}.items():
        spec.components.schema(name, schema=schema)
    for name, component in openapi_events.SCHEMAS.items():
        spec.components.schema(name, component=component)
    for path, operations in PATHS.items():
        spec.path(path=path, operations=_with_shared_responses(path, operations))
    return request_defaults_in_words(without_null_defaults(spec.to_dict()))


@bp.get("/openapi.json")
def openapi_document():
    """Return the OpenAPI document of this API, in the version `?version=` asks for."""
    version = request.args.get("version", DEFAULT_VERSION)
    if version not in OPENAPI_VERSIONS:
        abort(400, f"Unknown version; one of: {', '.join(OPENAPI_VERSIONS)}.")
    return build_openapi_document(version)
