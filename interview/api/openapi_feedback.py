"""The OpenAPI operations of feedback records: create, list, read, delete, events, cancel."""

from .openapi_parts import (
    FORBIDDEN,
    INVALID_FEEDBACK,
    events_get,
    generation_post,
    json_response,
    list_parameters,
    path_parameter,
    problem,
)

ID_PARAMETER = path_parameter("feedback_id")
NOT_FOUND = problem("No such record for this caller")
TOKEN_PARAMETER = {
    "name": "token",
    "in": "query",
    "schema": {"type": "string"},
    "description": (
        "The stream token of the 202 answer's `events_url` (API keys on): "
        "accepted instead of the bearer key for this record's events only."
    ),
}


def _events_with_token() -> dict:
    operation = events_get(
        "Replay a record's event stream, then follow it live",
        parameters=[ID_PARAMETER],
        not_found=NOT_FOUND,
    )
    return {**operation, "parameters": [*operation["parameters"], TOKEN_PARAMETER]}


OPERATIONS: dict[str, dict] = {
    "/feedback": {
        "post": generation_post(
            "Get feedback on an answer",
            "feedback",
            parameters=[],
            request_schema="FeedbackRequest",
            problems={"422": INVALID_FEEDBACK},
        ),
        "get": {
            "summary": "List the caller's records, newest first",
            "parameters": list_parameters(),
            "responses": {
                "200": json_response(
                    "FeedbackList", "A page of records and the next page's cursor"
                ),
                "400": problem("Unknown cursor"),
                "422": problem("Invalid limit"),
            },
        },
    },
    "/feedback/{feedback_id}": {
        "get": {
            "summary": "Read one record",
            "parameters": [ID_PARAMETER],
            "responses": {"200": json_response("Feedback", "The record"), "404": NOT_FOUND},
        },
        "delete": {
            "summary": "Delete a record for good (a running generation is stopped)",
            "parameters": [ID_PARAMETER],
            "responses": {"204": {"description": "Deleted"}, "403": FORBIDDEN, "404": NOT_FOUND},
        },
    },
    "/feedback/{feedback_id}/events": {"get": _events_with_token()},
    "/feedback/{feedback_id}/cancel": {
        "post": {
            "summary": "Stop a generation; the record ends `interrupted` with the text so far",
            "parameters": [ID_PARAMETER],
            "responses": {
                "202": json_response("Cancelling", "The generation is stopping"),
                "403": FORBIDDEN,
                "404": NOT_FOUND,
                "409": problem("The record has already finished"),
            },
        },
    },
}
