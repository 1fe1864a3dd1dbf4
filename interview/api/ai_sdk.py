"""The Vercel AI SDK's request bodies, read as this API's own feedback request.

- `useChat` (`DefaultChatTransport`) sends `{id, messages, trigger, messageId}`
  plus whatever the transport's `body` option adds (`question`, `role`,
  `delay_ms`): the answer is the text parts of the last user message.
- `useCompletion` sends `{prompt, ...body}`: the prompt is the answer.
- Anything else is taken as the native body.
"""

from typing import Any

from flask import Response

from .streaming import event_stream_response
from .text_parts import text_of_parts

PROTOCOL = "ai-sdk"
CHAT_ONLY_KEYS = ("messages", "id", "trigger", "messageId")
STREAM_HEADERS = {"x-vercel-ai-ui-message-stream": "v1"}


def _text_of(message: Any) -> str | None:
    if not isinstance(message, dict):
        return None
    parts = message.get("parts")
    if isinstance(parts, list):
        return text_of_parts(parts)
    content = message.get("content")
    return content if isinstance(content, str) else None


def feedback_request_of(body: Any) -> Any:
    """Return the native feedback request carried by an AI SDK body."""
    if not isinstance(body, dict):
        return body
    if "messages" in body:
        request = {k: v for k, v in body.items() if k not in CHAT_ONLY_KEYS}
        messages = body["messages"] if isinstance(body["messages"], list) else []
        users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        answer = _text_of(users[-1]) if users else None
        if answer is not None:
            request["answer"] = answer
        return request
    if "prompt" in body:
        request = {k: v for k, v in body.items() if k != "prompt"}
        request["answer"] = body["prompt"]
        return request
    return body


def ai_sdk_response(events) -> Response:
    response = event_stream_response(events)
    response.headers.update(STREAM_HEADERS)
    return response
