"""Rate limits on generation requests, and the cap on each caller's open streams.

- INTERVIEW_RATE_LIMIT (Flask-Limiter) counts the requests that start a
  generation, per caller (`callers.py`), in one budget shared by every
  generation endpoint. It is checked before the view runs and deducted only
  when a generation started: a request refused for bad input, or a repeat that
  attaches to an earlier record by its Idempotency-Key, costs nothing. With
  REDIS_URL the counts are shared by every worker and instance; if Redis stops
  answering, each process falls back to counting in memory.
- INTERVIEW_MAX_OPEN_STREAMS counts the caller's generations still running,
  in the database, so it holds across workers and instances without Redis.
Past either: 429 problem+json with Retry-After, and no record.
"""

from typing import Any

from flask import Flask, g, request
from flask_limiter import Limiter
from werkzeug.exceptions import TooManyRequests

from ..feedback.live import Generation
from ..feedback.service import TooManyOpenStreams, start_feedback
from .callers import caller_key

GENERATION_ENDPOINTS = frozenset({"api.feedback.create_feedback", "api.openai.chat_completions"})
#: A generation takes tens of seconds; a few seconds on, one of the caller's
#: streams has often ended.
OPEN_STREAMS_RETRY_AFTER_S = 5


def _is_generation_request() -> bool:
    return request.method == "POST" and request.endpoint in GENERATION_ENDPOINTS


def register_rate_limits(app: Flask) -> None:
    rate = app.config["INTERVIEW_RATE_LIMIT"]
    limiter = Limiter(
        caller_key,
        application_limits=[rate] if rate else [],
        application_limits_exempt_when=lambda: not _is_generation_request(),
        application_limits_deduct_when=lambda response: g.get("generation_started", False),
        storage_uri=app.config["REDIS_URL"] or "memory://",
        strategy="sliding-window-counter",
        key_prefix="interview-rate",
        headers_enabled=True,
        retry_after="delta-seconds",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        enabled=rate is not None,
    )
    limiter.init_app(app)


def start_callers_feedback(
    app: Flask,
    payload: dict[str, Any],
    owner: str | None,
    idempotency: tuple[str, str] | None = None,
) -> Generation:
    """Start a generation counted against this request's caller, or answer 429."""
    try:
        generation = start_feedback(app, payload, owner, idempotency, caller=caller_key())
    except TooManyOpenStreams as exc:
        raise TooManyRequests(
            f"{exc}. Wait for one to finish, or cancel one.",
            retry_after=OPEN_STREAMS_RETRY_AFTER_S,
        ) from None
    g.generation_started = True
    return generation
