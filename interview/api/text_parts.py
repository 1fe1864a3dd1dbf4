"""The text of a message's content parts, as the AI SDK and OpenAI bodies carry them."""

from typing import Any


def text_of_parts(parts: list[Any]) -> str:
    """Join the `text` of every `{"type": "text", "text": ...}` part; other parts are skipped."""
    texts = [p.get("text") for p in parts if isinstance(p, dict) and p.get("type") == "text"]
    return "".join(t for t in texts if isinstance(t, str))
