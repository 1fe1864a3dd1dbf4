"""An OpenAI-compatible chat completions endpoint, for the openai SDKs and LangChain.

`base_url = <service>/api/v1/openai`. The answer is the last `user` message;
the question is a top-level `question` if given, else the nearest `assistant`
message before that answer (the interviewer asked it), else a `system`
message. `role` and `delay_ms` may come as extra top-level fields
(`extra_body`). Other OpenAI parameters (temperature, max_tokens, ...) are
accepted and ignored: the service owns the prompt. Errors before the stream are
problem+json with an `error` member `{message, type, code}`, which the SDKs show.
"""

import time
from typing import Any

from flask import Blueprint, Response, current_app
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..errors import handle_http_exception, handle_validation_error, problem
from ..extensions import current_runtime
from ..feedback.admission import TooManyOpenStreams
from ..feedback.encoders import OpenAIChunkEncoder, chat_usage
from ..feedback.service import inline_feedback_events, start_feedback, wait_for_outcome
from ..schemas import feedback_request_schema, feedback_schema
from .limits import caller_admission, too_many_open_streams
from .negotiation import json_body
from .owners import current_owner
from .streaming import event_stream_response
from .text_parts import text_of_parts

bp = Blueprint("openai", __name__, url_prefix="/openai")

#: How long a non-streaming request waits for its feedback.
NON_STREAM_TIMEOUT_S = 300.0


def _content_text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return text_of_parts(content)
    return None


def feedback_request_of(body: Any) -> dict[str, Any]:
    """Return the native feedback request carried by a chat completions body."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["The request body must be a JSON object."]})
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValidationError({"messages": ["A non-empty list of messages is required."]})
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    if "user" not in roles:
        raise ValidationError({"messages": ["The answer must be a `user` message."]})
    if not isinstance(body.get("stream_options") or {}, dict):
        raise ValidationError({"stream_options": ["Must be an object."]})
    last_user = len(roles) - 1 - roles[::-1].index("user")
    request = {"answer": _content_text(messages[last_user].get("content"))}
    question = body.get("question")
    if question is None:
        earlier = [m for m in messages[:last_user] if isinstance(m, dict)]
        asked = [m for m in earlier if m.get("role") == "assistant"]
        system = [m for m in earlier if m.get("role") in ("system", "developer")]
        if asked or system:
            question = _content_text((asked or system)[-1].get("content"))
    request["question"] = question
    for key in ("role", "delay_ms"):
        if key in body:
            request[key] = body[key]
    return {key: value for key, value in request.items() if value is not None}


def _with_openai_error(response: Response, error_type: str) -> Response:
    body = response.get_json()
    body["error"] = {"message": body["detail"], "type": error_type, "code": str(body["status"])}
    if "errors" in body:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in body["errors"].items())
        body["error"]["message"] = f"{body['detail']} {fields}"
    response.set_data(current_app.json.dumps(body))
    return response


@bp.errorhandler(ValidationError)
def validation_error(exc: ValidationError):
    return _with_openai_error(handle_validation_error(exc), "invalid_request_error")


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    response = handle_http_exception(exc)
    return _with_openai_error(response, "invalid_request_error")


@bp.post("/chat/completions")
def chat_completions():
    """Get feedback as an OpenAI chat completion, streamed or whole."""
    body = json_body()
    payload = feedback_request_schema.load(feedback_request_of(body))
    runtime = current_runtime()
    try:
        generation = start_feedback(runtime, payload, current_owner(), admission=caller_admission())
    except TooManyOpenStreams as exc:
        raise too_many_open_streams(exc) from None
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        encoder = OpenAIChunkEncoder(
            generation.feedback_id, generation.start["model"], include_usage
        )
        return event_stream_response(inline_feedback_events(runtime, generation, encoder))
    outcome = wait_for_outcome(generation, NON_STREAM_TIMEOUT_S)
    if outcome is None or outcome.error is not None:
        error = outcome.error if outcome else {"code": "timeout", "message": "Still generating."}
        openai_error = {"message": error["message"], "type": "server_error", "code": error["code"]}
        return problem(502, error["message"], error=openai_error)
    record = outcome.record
    return {
        "id": f"chatcmpl-{record.feedback_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": record.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": record.feedback, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": chat_usage(record.usage),
        "feedback": feedback_schema.dump(record),
    }


@bp.get("/models")
def list_models():
    """List the one model this endpoint serves, as OpenAI's models endpoint does."""
    model = current_runtime().provider.model
    return {
        "object": "list",
        "data": [{"id": model, "object": "model", "created": 0, "owned_by": "interview"}],
    }
