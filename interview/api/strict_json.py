"""Strict JSON for request bodies: UTF-8 text that means one thing and can be stored.

Python's `json` lets through what a request body must not carry, because it
cannot be stored or has no single meaning. `loads_strict` refuses, with a
message that says which:

- bytes that are not UTF-8 (`json` would guess UTF-16 or UTF-32), or a BOM;
- `NaN`, `Infinity` and `-Infinity`, which are not JSON;
- integers outside 64 bits and numbers that overflow to infinity;
- lone surrogate escapes such as `"\\ud800"`: no UTF-8 encodes them, so neither
  PostgreSQL nor anything else downstream can store them;
- duplicate keys in an object: the last one would win silently;
- nesting deeper than MAX_DEPTH: every client's body fits in far less, and
  deeper only spends the recursion limit.
"""

import json
import math
from typing import Any

import regex

#: Objects and arrays inside each other; AI SDK and chat bodies use about 6.
MAX_DEPTH = 32
_INT64 = 2**63
_SURROGATE = regex.compile(r"[\ud800-\udfff]")


class InvalidJSON(ValueError):
    """A request body that is not strict JSON; the message says why."""


def _too_large(text: str) -> InvalidJSON:
    shown = text if len(text) <= 24 else text[:24] + "..."
    return InvalidJSON(f"the number {shown} is too large")


def _integer(text: str) -> int:
    # the length first: int() of thousands of digits is slow, and refused anyway
    if len(text.lstrip("-")) > 19:
        raise _too_large(text)
    value = int(text)
    if not -_INT64 <= value < _INT64:
        raise _too_large(text)
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _too_large(text)
    return value


def _constant(name: str) -> None:
    raise InvalidJSON(f"{name} is not a JSON value")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidJSON(f"the key {ascii(key[:40])} appears more than once")
        result[key] = value
    return result


def _check_depth_and_text(document: Any) -> None:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise InvalidJSON("a string holds a lone surrogate escape (\\ud800-\\udfff)")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise InvalidJSON(f"objects and arrays nest deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None and _SURROGATE.search(key):
                    raise InvalidJSON("a key holds a lone surrogate escape (\\ud800-\\udfff)")
                stack.append((item, depth + 1))


def loads_strict(data: bytes) -> Any:
    """Parse a request body as strict JSON; raise InvalidJSON saying what is wrong."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJSON("it is not UTF-8") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        reason = exc.msg[:1].lower() + exc.msg[1:]
        raise InvalidJSON(f"{reason} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InvalidJSON(f"objects and arrays nest deeper than {MAX_DEPTH} levels") from None
    _check_depth_and_text(document)
    return document
