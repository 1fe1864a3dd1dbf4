"""Server-Sent Events wire format: text in, text out, no I/O.

Every event's data is one line of JSON, so newlines and carriage returns in the
feedback are escaped and can never break the framing; `encode_event` still
splits multi-line data into several `data:` lines, as the SSE specification
requires, for any caller that passes raw text. `id` and `event` values have
CR and LF removed: a line break there would start a new field. `id` values
also lose NUL, for which clients ignore the whole field.

`EventFrame` is the hot path (one event per character): an event's framing
and its data around one string slot are worked out once, and each distinct
string's event is kept, so an event costs a dictionary lookup and its id.
"""

import json
from typing import Any

RETRY_MS = 3000
HEARTBEAT = ": ping\n\n"
SLOT = "\0slot\0"  # marks the place of the per-event string in an `EventFrame`'s data


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


class EventFrame:
    """One kind of event, framed once: its data is `data` as JSON with `SLOT` filled per event.

    `EventFrame({"text": SLOT}, event="delta").encode("G", event_id=7)` is
    `encode_event(to_json({"text": "G"}), event="delta", event_id=7)`, byte for byte.
    Each distinct text's event is kept (up to `MAX_CACHED`, then the cache starts
    afresh), so the characters that repeat through a stream cost one lookup and one join.
    """

    MAX_CACHED = 4096
    __slots__ = ("_head", "_tail", "_events")

    def __init__(self, data: Any, event: str | None = None) -> None:
        marker = to_json(SLOT)
        before, slot, after = to_json(data).partition(marker)
        if not slot or marker in after:
            raise ValueError("an event frame's data holds SLOT exactly once")
        named = "" if event is None else f"event: {_field_value(event)}\n"
        self._head = f"\n{named}data: {before}"
        self._tail = f"{after}\n\n"
        self._events: dict[str, str] = {}  # text -> the event after its `id:` value

    def encode(self, text: str, event_id: int | None = None) -> str:
        """Return the event with `text` in the slot, with an `id:` line if `event_id` is given."""
        event = self._events.get(text)
        if event is None:
            event = self._frame(text)
        if event_id is None:
            return event[1:]
        return f"id: {event_id}{event}"

    def _frame(self, text: str) -> str:
        if len(self._events) >= self.MAX_CACHED:
            self._events.clear()
        event = self._events[text] = f"{self._head}{to_json(text)}{self._tail}"
        return event
