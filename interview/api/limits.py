"""Rate limits on generation requests, and the cap on each caller's open streams.

- INTERVIEW_RATE_LIMIT (Flask-Limiter) counts the requests that start a
  generation or a transcription (each costs an upstream call), per caller
  (`callers.py`), in one budget shared by every such endpoint. Before the
  view, Flask-Limiter only tests it (a caller already past it is refused
  before the view runs); the count is taken with one atomic test-and-hit
  (`limits`' `hit`: a Lua script in Redis, an increment checked and undone in
  memory) when the generation is admitted, in one step with the cap and the
  insert (`feedback/admission.py`), or just before a transcription's upstream
  call (`feedback/transcription.py`). So
  requests in flight together cannot all see the old count, and a request
  refused for bad input, refused by the cap, or attached to an earlier record
  by its Idempotency-Key costs nothing.
  With REDIS_URL the count is shared by every worker and instance; without it
  (or if Redis stops answering, when each process falls back to memory) each
  worker process counts alone, so a caller gets at most the limit from each.
- INTERVIEW_MAX_OPEN_STREAMS counts the caller's generations still running, in
  the database, under a per-caller lock held with the insert: it holds across
  workers and instances, with or without Redis.
Past either: 429 problem+json with Retry-After, and no record. A generation
view hands the domain `caller_admission()` and answers `TooManyOpenStreams`
with `too_many_open_streams`.
"""

import logging

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.exceptions import TooManyRequests

from ..feedback.admission import Admission, TooManyOpenStreams
from .callers import caller_key

log = logging.getLogger(__name__)

GENERATION_ENDPOINTS = frozenset(
    {
        "api.feedback.create_feedback",
        "api.openai.chat_completions",
        "api.transcriptions.create_transcription",
        "api.sessions.create",
        "api.sessions.answer",
        "api.sessions.follow_up",
        "api.sessions.create_report",
    }
)
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
        # tested before the view, never deducted after it: `spend_rate_budget` counts
        application_limits_deduct_when=lambda response: False,
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
    app.extensions["interview.limiter"] = limiter


def spend_rate_budget() -> None:
    """Take one generation from this request's rate budget in one atomic step, or raise 429."""
    limiter: Limiter = current_app.extensions["interview.limiter"]
    budget = limiter.current_limit  # what Flask-Limiter tested before the view, if anything
    if budget is None:
        return
    try:
        spent = limiter.limiter.hit(budget.limit, *budget.request_args)
    except Exception:  # the storage failed since the test: the next request falls back
        log.warning("rate limit storage unreachable; generation admitted uncounted")
        return
    if not spent:
        raise TooManyRequests(str(budget.limit))


def caller_admission() -> Admission:
    """How a generation this request starts is admitted: against its caller's cap and budget."""
    return Admission(caller=caller_key(), spend_budget=spend_rate_budget)


def too_many_open_streams(exc: TooManyOpenStreams) -> TooManyRequests:
    """The 429 for a caller at INTERVIEW_MAX_OPEN_STREAMS."""
    return TooManyRequests(
        f"{exc}. Wait for one to finish, or cancel one.",
        retry_after=OPEN_STREAMS_RETRY_AFTER_S,
    )
