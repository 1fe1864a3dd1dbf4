"""Read a provider's stream into a `Generation`, then save the record once.

The producer runs on its own greenlet (a thread outside gevent), apart from
any connection: a client that leaves does not stop it, so the record is saved
with the whole text. It only stops early when asked to (`Generation.cancel`).
The text so far is flushed to the record as it grows (`progress.py`); the end is
saved in one short transaction, then announced on the bus. On failure the text
so far is saved with status `failed` and the error.

The buffer is bounded: the model is asked for at most INTERVIEW_MAX_TOKENS, and
an upstream that sends more than MAX_FEEDBACK_CHARACTERS anyway is cut off.
"""

import logging
import threading
import time

from flask import Flask

from ..models import COMPLETED, FAILED, INTERRUPTED
from .bus import NullBus, RedisBus
from .graphemes import GraphemeSplitter
from .live import Generation, Outcome, live_generations
from .progress import ProgressWriter
from .providers import FeedbackProvider, ProviderError
from .providers.base import FeedbackInput
from .records import finish_record

log = logging.getLogger(__name__)

CONTENT_FILTERED = {
    "code": "content_filtered",
    "message": "The model service stopped the feedback with its content filter.",
}
INTERNAL_ERROR = {"code": "internal_error", "message": "The feedback could not be generated."}
NOT_SAVED = {"code": "save_failed", "message": "The feedback could not be saved."}
DELETED = {"code": "deleted", "message": "The record was deleted."}
TOO_LONG = {"code": "upstream_too_long", "message": "The model service sent too much text."}
MAX_FEEDBACK_CHARACTERS = 20_000


def start_producer(
    app: Flask,
    generation: Generation,
    provider: FeedbackProvider,
    request: FeedbackInput,
    bus: RedisBus | NullBus,
) -> None:
    """Run the generation in the background and register it as live until it ends."""
    live_generations.add(generation)
    generation.producer = threading.Thread(
        target=produce, args=(app, generation, provider, request, bus), daemon=True
    )
    generation.producer.start()


def produce(
    app: Flask,
    generation: Generation,
    provider: FeedbackProvider,
    request: FeedbackInput,
    bus: RedisBus | NullBus,
) -> None:
    """Generate, append characters as they arrive, save the record, announce the end."""
    splitter = GraphemeSplitter()
    status, error, first_token_ms = COMPLETED, None, None
    upstream = provider.open_stream(request)
    generation.attach(upstream)
    started = time.monotonic()
    generation.progress = progress = ProgressWriter(app, generation, bus, started)
    try:
        for piece in upstream:
            now = time.monotonic()
            if first_token_ms is None:
                first_token_ms = progress.first_token_ms = round((now - started) * 1000)
            generation.append(splitter.feed(piece), now)
            progress.maybe_flush(now)
            if len(generation.characters) > MAX_FEEDBACK_CHARACTERS:
                upstream.close()
                status, error = FAILED, TOO_LONG
                break
        if upstream.finish_reason == "content_filter":
            status, error = FAILED, CONTENT_FILTERED
    except ProviderError as exc:
        status, error = FAILED, {"code": exc.code, "message": exc.message}
    except Exception:
        log.exception("generation %s failed", generation.feedback_id)
        status, error = FAILED, INTERNAL_ERROR
    generation.append(splitter.flush(), time.monotonic())
    if generation.cancel_requested:
        status, error = INTERRUPTED, None
    generation.finish(_save(app, generation, status, error, upstream.usage, first_token_ms))
    live_generations.discard(generation.feedback_id)
    bus.publish_end(generation.feedback_id)


def _save(app, generation, status, error, usage, first_token_ms) -> Outcome:
    try:
        with app.app_context():
            record = finish_record(
                generation.feedback_id,
                status=status,
                feedback="".join(generation.characters),
                error=error,
                usage=usage,
                first_token_ms=first_token_ms,
            )
    except Exception:
        log.exception("saving record %s failed", generation.feedback_id)
        return Outcome(None, NOT_SAVED)
    if record is None:
        return Outcome(None, DELETED)
    return Outcome(record, error)
