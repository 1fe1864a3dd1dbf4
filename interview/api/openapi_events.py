"""The event streams in the OpenAPI document: a schema for each event.

OpenAPI 3.2 describes a `text/event-stream` response by its `itemSchema`: one
event as an object of the SSE fields `event`, `data`, `id` and `retry`. An
event's `data` is JSON here (a literal `[DONE]` ends the compatibility
streams), so it is described by `contentMediaType` and `contentSchema`, and a
validator can check every event's payload, the saved record in `done` included.
An unnamed event is a `message` event, as EventSource reports it. A block with
`retry:` alone (the first one of a stream) carries no data.
"""

from ..models import STATUSES

EVENT_ID = {"type": "string", "pattern": "^[1-9][0-9]*$"}
RETRY = {
    "type": "object",
    "description": "The stream's first block: the reconnection delay, no data",
    "required": ["retry"],
    "properties": {"retry": {"type": "integer", "minimum": 0}},
    "not": {"required": ["data"]},
}
DONE_MARKER = {"type": "string", "const": "[DONE]"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_data(schema: dict) -> dict:
    """An SSE `data` field that holds one line of JSON described by `schema`."""
    return {"type": "string", "contentMediaType": "application/json", "contentSchema": schema}


def _named_event(name: str, data: dict, *, with_id: bool) -> dict:
    required = ["event", "data", "id"] if with_id else ["event", "data"]
    properties = {"event": {"const": name}, "data": data}
    if with_id:
        properties["id"] = EVENT_ID
    return {"type": "object", "required": required, "properties": properties}


def _message_event(data: dict, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "required": ["data"],
        "properties": {"event": {"const": "message"}, "data": data, "id": EVENT_ID},
    }


def _part(part_type: str, **properties: dict) -> dict:
    return {
        "type": "object",
        "required": ["type", *properties],
        "properties": {"type": {"const": part_type}, **properties},
        "additionalProperties": False,
    }


STRING = {"type": "string"}
AI_SDK_PART = {
    "description": "A part of the Vercel AI SDK's UI message stream (v1)",
    "oneOf": [
        _part("start", messageId=STRING, messageMetadata=ref("AiSdkStartMetadata")),
        _part("text-start", id=STRING),
        _part("text-delta", id=STRING, delta={"type": "string", "minLength": 1}),
        _part("text-end", id=STRING),
        _part("data-feedback", id=STRING, data=ref("Feedback")),
        _part("finish", messageMetadata=ref("AiSdkFinishMetadata")),
        _part("error", errorText=STRING),
    ],
}
CHAT_COMPLETION_CHUNK = {
    "description": "An OpenAI `chat.completion.chunk`; the usage chunk has no choices",
    "type": "object",
    "required": ["id", "object", "created", "model", "choices"],
    "properties": {
        "id": {"type": "string", "pattern": "^chatcmpl-"},
        "object": {"const": "chat.completion.chunk"},
        "created": {"type": "integer"},
        "model": STRING,
        "choices": {
            "type": "array",
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["index", "delta", "finish_reason"],
                "properties": {
                    "index": {"const": 0},
                    "delta": {
                        "type": "object",
                        "properties": {"role": {"const": "assistant"}, "content": STRING},
                        "additionalProperties": False,
                    },
                    "logprobs": {"type": "null"},
                    "finish_reason": {"enum": ["stop", None]},
                },
            },
        },
        "usage": {
            "type": ["object", "null"],
            "properties": {
                "prompt_tokens": {"type": "integer"},
                "completion_tokens": {"type": "integer"},
                "total_tokens": {"type": "integer"},
            },
        },
    },
}
CHAT_COMPLETION_ERROR = {
    "description": "A failure after the stream started",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "code"],
            "properties": {"message": STRING, "type": STRING, "code": STRING},
        }
    },
}

#: Component schemas, added to the document next to the marshmallow ones.
SCHEMAS = {
    "DeltaData": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {
                "type": "string",
                "minLength": 1,
                "description": "One user-perceived character (grapheme cluster)",
            }
        },
        "additionalProperties": False,
    },
    "FeedbackEvent": {
        "description": (
            "An event of this API's stream: `start`; `delta` with `id` n for character n; "
            "`done` (the saved record) or `error` with `id` N+1 after N deltas"
        ),
        "oneOf": [
            RETRY,
            _named_event("start", json_data(ref("StartEvent")), with_id=False),
            _named_event("delta", json_data(ref("DeltaData")), with_id=True),
            _named_event("done", json_data(ref("Feedback")), with_id=True),
            _named_event("error", json_data(ref("FeedbackError")), with_id=True),
        ],
    },
    "AiSdkStartMetadata": {
        "type": "object",
        "required": ["feedbackId", "model", "createdAt"],
        "properties": {
            "feedbackId": STRING,
            "model": STRING,
            "createdAt": {"type": "string", "format": "date-time"},
        },
    },
    "AiSdkFinishMetadata": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"enum": list(STATUSES)}},
    },
    "AiSdkPart": AI_SDK_PART,
    "AiSdkEvent": {
        "description": (
            "An event of the AI SDK stream (`?protocol=ai-sdk`): a part, or `[DONE]` at the "
            "end; `id` n is kept from the text delta of character n for resuming"
        ),
        "oneOf": [
            RETRY,
            _message_event({"anyOf": [DONE_MARKER, json_data(ref("AiSdkPart"))]}, "A part"),
        ],
    },
    "ChatCompletionEvent": {
        "description": "An event of the OpenAI-compatible stream: a chunk, an error, `[DONE]`",
        "oneOf": [
            _message_event(
                {
                    "anyOf": [
                        DONE_MARKER,
                        json_data(
                            {"oneOf": [CHAT_COMPLETION_CHUNK, CHAT_COMPLETION_ERROR]},
                        ),
                    ]
                },
                "A chunk",
            ),
        ],
    },
}


def event_stream(item: str) -> dict:
    """The `content` of a response that is an event stream of `item` events."""
    return {"text/event-stream": {"itemSchema": ref(item)}}
