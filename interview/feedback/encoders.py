"""What a record's events hold in each protocol, one encoder per protocol.

The event stream (`events.py`) decides what to send and when: the opening, one
character at a time, the end, a keep-alive. An encoder says what each event
holds (its name, id and data) and `sse.py` frames it; the per-character
`delta` is an `EventFrame`, framed once per stream or protocol:
- `NativeEncoder`: this API's own events (`start`, `delta` with `id: n`,
  `done` / `error` with `id: N+1`, `: ping`).
- `AiSdkEncoder`: the Vercel AI SDK's UI message stream (v1). Only the keys and
  part types the SDK's strict schemas accept (5.0.x and 6.0.x reject any other
  key; 5.0.0 rejects `finishReason`); the `id: n` lines are kept for resuming.
- `OpenAIChunkEncoder`: `chat.completion.chunk` frames as the OpenAI API sends
  them: no `id:`, `retry:` or comment lines (the openai SDK for Python breaks on
  them), a failure as an unnamed `data: {"error": ...}`, then `data: [DONE]`.

The record that ends a stream is written as `record_data` makes it: the API
passes its schema's dump, so the event holds the record as `GET` returns it.
"""

import time
from collections.abc import Callable
from typing import Any, Protocol

from ..sse import HEARTBEAT, SLOT, EventFrame, encode_event, encode_retry, to_json
from .live import Outcome
from .record import FeedbackRecord

#: The record as the protocol's clients read it (the API's record schema's dump).
RecordData = Callable[[FeedbackRecord], dict[str, Any]]


class EventEncoder(Protocol):
    heartbeat: str | None  # None: this protocol has no keep-alive that clients ignore
    replay_key: str | None  # what, with the text, fixes its deltas' bytes; None: not cached

    def opening(self, start: dict[str, Any]) -> str: ...

    def delta(self, index: int, text: str) -> str: ...

    def terminal(self, outcome: Outcome, event_id: int) -> str: ...


def error_of(outcome: Outcome) -> dict[str, str]:
    return {"code": outcome.error["code"], "message": outcome.error["message"]}


class NativeEncoder:
    heartbeat = HEARTBEAT
    replay_key = "native"
    _delta = EventFrame({"text": SLOT}, event="delta")

    def __init__(self, record_data: RecordData) -> None:
        self.record_data = record_data

    def opening(self, start: dict[str, Any]) -> str:
        return encode_retry() + encode_event(to_json(start), event="start")

    def delta(self, index: int, text: str) -> str:
        return self._delta.encode(text, index)

    def terminal(self, outcome: Outcome, event_id: int) -> str:
        if outcome.error is not None:
            return encode_event(to_json(error_of(outcome)), event="error", event_id=event_id)
        record = self.record_data(outcome.record)
        return encode_event(to_json(record), event="done", event_id=event_id)


DONE = encode_event("[DONE]")


def _data(part: Any, event_id: int | None = None) -> str:
    return encode_event(to_json(part), event_id=event_id)


class AiSdkEncoder:
    heartbeat = HEARTBEAT

    def __init__(self, feedback_id: str, record_data: RecordData) -> None:
        self.feedback_id = feedback_id
        self.record_data = record_data
        self.text_id = f"{feedback_id}-text"
        self.replay_key = f"ai-sdk {feedback_id}"
        self._delta = EventFrame({"type": "text-delta", "id": self.text_id, "delta": SLOT})

    def opening(self, start: dict[str, Any]) -> str:
        metadata = {
            "feedbackId": start["id"],
            "model": start["model"],
            "createdAt": start["created_at"],
        }
        return (
            encode_retry()
            + _data({"type": "start", "messageId": start["id"], "messageMetadata": metadata})
            + _data({"type": "text-start", "id": self.text_id})
        )

    def delta(self, index: int, text: str) -> str:
        return self._delta.encode(text, index)

    def terminal(self, outcome: Outcome, event_id: int) -> str:
        if outcome.error is not None:
            error = error_of(outcome)
            text = f"{error['code']}: {error['message']}"
            return _data({"type": "error", "errorText": text}, event_id) + DONE
        record = self.record_data(outcome.record)
        finish = {"type": "finish", "messageMetadata": {"status": outcome.record.status}}
        return (
            _data({"type": "text-end", "id": self.text_id})
            + _data({"type": "data-feedback", "id": self.feedback_id, "data": record})
            + _data(finish, event_id)
            + DONE
        )


class OpenAIChunkEncoder:
    heartbeat = None
    replay_key = None  # each chunk carries the response's creation time

    def __init__(self, feedback_id: str, model: str, include_usage: bool) -> None:
        self.completion_id = f"chatcmpl-{feedback_id}"
        self.model = model
        self.include_usage = include_usage
        self.created = int(time.time())
        self._delta = EventFrame(self._chunk_data([_choice({"content": SLOT})]))

    def _chunk_data(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "id": self.completion_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
            **extra,
        }

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> str:
        return _data(self._chunk_data([_choice(delta, finish_reason)]))

    def opening(self, start: dict[str, Any]) -> str:
        return self._chunk({"role": "assistant", "content": ""})

    def delta(self, index: int, text: str) -> str:
        return self._delta.encode(text)

    def terminal(self, outcome: Outcome, event_id: int) -> str:
        if outcome.error is not None:
            error = error_of(outcome)
            payload = {"message": error["message"], "type": "server_error", "code": error["code"]}
            return _data({"error": payload})
        ending = self._chunk({}, "stop")
        if self.include_usage:
            usage = chat_usage(outcome.record.usage)
            ending += _data(self._chunk_data([], usage=usage))
        return ending + DONE


def _choice(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}


def chat_usage(usage: dict[str, Any] | None) -> dict[str, int] | None:
    """A record's token usage in the OpenAI shape (None when the upstream gave none)."""
    if not usage:
        return None
    keys = ("prompt_tokens", "completion_tokens", "total_tokens")
    return {key: int(usage.get(key) or 0) for key in keys}
