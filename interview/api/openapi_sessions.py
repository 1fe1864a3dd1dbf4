"""The OpenAPI operations of mock interview sessions (`api/sessions.py`).

An answer's feedback, a follow-up question and the report are generations,
described as POST /feedback is (`openapi_parts.generation_post`); their events
are followed, resumed and cancelled under /feedback/{feedback_id}.
"""

from .. import session_schemas
from .openapi_parts import (
    FORBIDDEN,
    IDEMPOTENCY_KEY_PARAMETER,
    INVALID_FEEDBACK,
    JSON_BODY_PROBLEMS,
    NOT_STRICT_JSON,
    PROTOCOL_PARAMETER,
    TOO_MANY_REQUESTS,
    events_get,
    generation_post,
    json_body,
    json_response,
    list_parameters,
    path_parameter,
    problem,
)

# Nested schemas first, so the ones that use them refer to these names.
COMPONENT_SCHEMAS = {
    "SessionMix": session_schemas.MixSchema,
    "SessionRequest": session_schemas.SessionRequestSchema,
    "SessionAnswerRequest": session_schemas.SessionAnswerRequestSchema,
    "GenerationRef": session_schemas.GenerationRefSchema,
    "SessionQuestion": session_schemas.SessionQuestionSchema,
    "SessionProgress": session_schemas.SessionProgressSchema,
    "Session": session_schemas.SessionSchema,
    "SessionList": session_schemas.SessionListSchema,
    "NextQuestion": session_schemas.NextQuestionSchema,
}

SESSION_ID = path_parameter("session_id")
NUMBER = path_parameter("number", 'The question\'s number: "3", or "3a" for its follow-up')
NOT_FOUND = problem("No such session for this caller")
NO_QUESTION = problem("No such session for this caller, or no question with this number")
NO_REPORT = problem("No such session for this caller, or it has no report yet")
SESSION_PROTOCOL = {
    **PROTOCOL_PARAMETER,
    "description": (
        "`ai-sdk`: the Vercel AI SDK's UI message stream (v1), inline whatever Accept "
        "says. An answer's body may be useChat's (answer = text parts of the last user "
        "message, `delay_ms` a top-level field); the follow-up and the report read no body."
    ),
}
ENDED_OR_PREPARING = "The session is still preparing its questions, or has ended"
SESSION_BODY_PROBLEMS = {
    "400": problem(f"{NOT_STRICT_JSON}; a bad Idempotency-Key"),
    **JSON_BODY_PROBLEMS,
}

OPERATIONS: dict[str, dict] = {
    "/sessions": {
        "post": {
            "summary": "Start a mock interview session",
            "description": (
                "Its questions come from the bank at once (`active`), or are written by the "
                "model for the role and job description (`preparing`): follow "
                "`questions_generation.events_url`; when that record ends the session is "
                "`active`, and a failed or short generation is made up from the bank "
                "(`questions_note` says so)."
            ),
            "parameters": [
                {
                    **IDEMPOTENCY_KEY_PARAMETER,
                    "description": (
                        "A repeat of the same request by the same caller within 24 h answers "
                        "200 with the first one's session; the same key with a different "
                        "body is 422."
                    ),
                }
            ],
            "requestBody": json_body("SessionRequest"),
            "responses": {
                "201": {
                    **json_response("Session", "The session"),
                    "headers": {"Location": {"schema": {"type": "string"}}},
                },
                "200": json_response("Session", "A repeat (Idempotency-Key): the first session"),
                **SESSION_BODY_PROBLEMS,
                "403": FORBIDDEN,
                "422": problem(
                    "Invalid fields (`mix` must add up to `question_count`); `errors` maps "
                    "each field to messages"
                ),
                "429": TOO_MANY_REQUESTS,
            },
        },
        "get": {
            "summary": "List the caller's sessions, newest first",
            "parameters": list_parameters(),
            "responses": {
                "200": json_response(
                    "SessionList", "A page of sessions and the next page's cursor"
                ),
                "400": problem("Unknown cursor"),
                "422": problem("Invalid limit"),
            },
        },
    },
    "/sessions/{session_id}": {
        "get": {
            "summary": "Read one session: its questions, progress and generations",
            "parameters": [SESSION_ID],
            "responses": {"200": json_response("Session", "The session"), "404": NOT_FOUND},
        },
        "delete": {
            "summary": "Delete a session and its records (running generations are stopped)",
            "parameters": [SESSION_ID],
            "responses": {"204": {"description": "Deleted"}, "403": FORBIDDEN, "404": NOT_FOUND},
        },
    },
    "/sessions/{session_id}/next": {
        "get": {
            "summary": "The next question to answer",
            "parameters": [SESSION_ID],
            "responses": {
                "200": json_response("NextQuestion", "The next unanswered, unskipped question"),
                "204": {"description": "No question is left"},
                "404": NOT_FOUND,
            },
        },
    },
    "/sessions/{session_id}/questions/{number}/answer": {
        "post": generation_post(
            "Answer a question of the session and get feedback on it",
            "feedback",
            parameters=[SESSION_ID, NUMBER],
            request_schema="SessionAnswerRequest",
            problems={
                "404": NO_QUESTION,
                "409": problem(f"{ENDED_OR_PREPARING}; or the question is already answered"),
                "422": INVALID_FEEDBACK,
            },
            protocol_parameter=SESSION_PROTOCOL,
        ),
    },
    "/sessions/{session_id}/questions/{number}/skip": {
        "post": {
            "summary": "Skip a question",
            "parameters": [SESSION_ID, NUMBER],
            "responses": {
                "200": json_response("Session", "The session"),
                "403": FORBIDDEN,
                "404": NO_QUESTION,
                "409": problem(f"{ENDED_OR_PREPARING}; or the question is already answered"),
            },
        },
    },
    "/sessions/{session_id}/questions/{number}/follow-up": {
        "post": generation_post(
            "Have the model ask a follow-up on an answer; it becomes question `{number}a`",
            "follow-up question",
            parameters=[SESSION_ID, NUMBER],
            request_schema=None,
            problems={
                "404": NO_QUESTION,
                "409": problem(
                    f"{ENDED_OR_PREPARING}; or the question is not answered yet, or its "
                    "feedback is still being written"
                ),
            },
            protocol_parameter=SESSION_PROTOCOL,
        ),
    },
    "/sessions/{session_id}/report": {
        "post": generation_post(
            "End the session and get its report; asked again, the same report",
            "report",
            parameters=[SESSION_ID],
            request_schema=None,
            problems={
                "404": NOT_FOUND,
                "409": problem(
                    "The session is still preparing its questions, no question is answered, "
                    "or the feedback on an answer is still being written"
                ),
            },
            protocol_parameter=SESSION_PROTOCOL,
        ),
        "get": {
            "summary": "Read the report's record (`kind` report; `metrics` is its summary)",
            "parameters": [SESSION_ID],
            "responses": {"200": json_response("Feedback", "The record"), "404": NO_REPORT},
        },
    },
    "/sessions/{session_id}/report/events": {
        "get": events_get(
            "Replay the report's event stream, then follow it live",
            parameters=[SESSION_ID],
            not_found=NO_REPORT,
        ),
    },
    "/sessions/{session_id}/report.md": {
        "get": {
            "summary": "The session and its report as a Markdown file",
            "parameters": [SESSION_ID],
            "responses": {
                "200": {
                    "description": "The Markdown (an attachment, `interview-<id>.md`)",
                    "content": {"text/markdown": {"schema": {"type": "string"}}},
                    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                },
                "404": NOT_FOUND,
            },
        },
    },
}
