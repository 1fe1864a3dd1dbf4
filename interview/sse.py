"""Server-Sent Events wire format: text in, text out, no I/O.

Every event's data is one line of JSON, so newlines and carriage returns in the
feedback are escaped and can never break the framing; `encode_event` still
splits multi-line data into several `data:` lines, as the SSE specification
requires, for any caller that passes raw text. `id` and `event` values have
CR and LF removed: a line break there would start a new field. `id` values
also lose NUL, for which clients ignore the whole field.
"""

import json
from functools import lru_cache
from typing import Any

RETRY_MS = 3000
HEARTBEAT = ": ping\n\n"


def _field_value(value: object) -> str:
    return str(value).replace("\r", "").replace("\n", "")


def to_json(data: Any) -> str:
    """Serialize event data as one line of JSON (non-ASCII kept as is)."""
    return json.dumps(data, ensure_ascii=False)


def encode_event(data: str, event: str | None = None, event_id: object = None) -> str:
    """Return one SSE event: optional `id:` and `event:` lines, `data:` lines, a blank line."""
    lines = []
    if event_id is not None:
        clean_id = _field_value(event_id).replace("\0", "")
        lines.append(f"id: {clean_id}")
    if event is not None:
        lines.append(f"event: {_field_value(event)}")
    for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.append(f"data: {line}")
    return "\n".join(lines) + "\n\n"


def encode_retry(milliseconds: int = RETRY_MS) -> str:
    """Return the `retry:` field that sets a browser's reconnection delay."""
    return f"retry: {int(milliseconds)}\n\n"


def encode_delta(index: int, text: str) -> str:
    """Return the `delta` event for the character at 1-based `index`."""
    return f"id: {index}{_delta_body(text)}"


@lru_cache(maxsize=4096)
def _delta_body(text: str) -> str:
    """A delta event after its id: encoded once per distinct character, not per event."""
    return f'\nevent: delta\ndata: {{"text": {to_json(text)}}}\n\n'
