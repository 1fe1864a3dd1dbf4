"""What the API asks of the domain: start a feedback, follow one, stop one."""

import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask

from ..models import STREAMING
from .admission import admit_streaming_record
from .assessment_block import new_block_nonce
from .bus import NullBus, RedisBus
from .encoders import EventEncoder
from .events import Feed, stream_feedback_events
from .follow import FollowedRecord
from .heartbeats import this_worker_id
from .live import Generation, Outcome, finished_feed, live_generations, start_event_data
from .metrics import compute_answer_metrics
from .pacing import after_due_streams, process_pacer
from .producer import start_producer
from .prompt import PROMPT_VERSION, build_feedback_prompt
from .providers import FeedbackProvider
from .providers.base import FeedbackInput
from .record import FeedbackRecord, NewRecord
from .records import (
    get_record,
    interrupt_stale,
    is_stale,
    reload_record,
    request_cancel,
)
from .replay import ReplayCache

pacer = process_pacer()
replays = ReplayCache()  # per process, like the pacer: what its replays have encoded


def provider_of(app: Flask) -> FeedbackProvider:
    return app.extensions["interview.provider"]


def bus_of(app: Flask) -> RedisBus | NullBus:
    return app.extensions["interview.bus"]


def _nothing_to_spend() -> None:
    pass


def start_feedback(
    app: Flask,
    payload: dict[str, Any],
    owner: str | None,
    idempotency: tuple[str, str] | None = None,
    caller: str | None = None,
    spend_budget: Callable[[], None] = _nothing_to_spend,
) -> Generation:
    """Save a `streaming` record for the answer and start generating its feedback.

    `idempotency` is the request's scoped key and digest, stored on the record.
    `caller` is who the request counts against for INTERVIEW_MAX_OPEN_STREAMS,
    and `spend_budget` takes one generation from its rate budget (or raises):
    both are settled in one step with the insert, so requests at the same
    instant cannot pass together (`admission.py`). Past the cap this raises
    `TooManyOpenStreams`; either refusal saves nothing.
    """
    after_due_streams()
    config = app.config
    provider = provider_of(app)
    question, answer, role = payload["question"], payload["answer"], payload.get("role")
    delay_ms = payload.get("delay_ms")
    if delay_ms is None:
        delay_ms = config["INTERVIEW_STREAM_DELAY_MS"]
    metrics = compute_answer_metrics(question, answer)
    new = NewRecord(
        owner=owner,
        question=question,
        answer=answer,
        role=role,
        provider=provider.name,
        model=provider.model,
        prompt_version=PROMPT_VERSION,
        temperature=provider.temperature,
        seed=provider.seed,
        metrics=metrics,
        delay_ms=delay_ms,
        idempotency_key=idempotency[0] if idempotency else None,
        request_digest=idempotency[1] if idempotency else None,
        caller=caller,
        worker_id=this_worker_id(),
    )
    created = admit_streaming_record(
        new,
        caller=caller,
        max_open=config["INTERVIEW_MAX_OPEN_STREAMS"],
        spool_dir=config["INTERVIEW_SPOOL_DIR"],
        spend_budget=spend_budget,
    )
    generation = Generation(start_event_data(created), delay_s=delay_ms / 1000)
    nonce = new_block_nonce()
    messages = build_feedback_prompt(question, answer, role, nonce=nonce)
    request = FeedbackInput(question, answer, role, metrics, messages, block_nonce=nonce)
    start_producer(app, generation, provider, request, bus_of(app), created)
    return generation


def open_feed(app: Flask, feedback_id: str, owner: str | None) -> Feed | None:
    """Return the feed of the owner's record: live here, followed from elsewhere, or stored."""
    record = get_record(feedback_id, owner)
    if record is None:
        return None
    live = live_generations.get(feedback_id)
    if live is not None:
        return live
    if record.status != STREAMING:
        return finished_feed(FeedbackRecord.from_row(record))
    subscription = bus_of(app).subscribe(feedback_id)
    current = reload_record(feedback_id, owner)  # read again, now that we are subscribed
    if current is None:
        if subscription is not None:
            subscription.close()
        return None

    def reload() -> FeedbackRecord | None:
        with app.app_context():  # the stream runs outside the request's context
            return reload_record(feedback_id, owner)

    return FollowedRecord(
        current, subscription, reload, poll_s=app.config["INTERVIEW_POLL_INTERVAL_S"]
    )


def is_resume_past_end(feed: Feed, after: int) -> bool:
    """True when a client resuming after event `after` has already seen the terminal event."""
    return feed.outcome is not None and after > len(feed.characters)


def feedback_events(
    app: Flask, feed: Feed, after: int = 0, *, encoder: EventEncoder
) -> Iterator[bytes]:
    """Return the paced event stream of `feed`, resuming after event `after`."""
    return stream_feedback_events(
        feed,
        after=after,
        pacer=pacer,
        heartbeat_s=app.config["INTERVIEW_HEARTBEAT_S"],
        encoder=encoder,
        replays=replays,
    )


def inline_feedback_events(
    app: Flask, generation: Generation, encoder: EventEncoder
) -> Iterator[bytes]:
    """Return the event stream of a generation started by this request.

    With INTERVIEW_ABORT_ON_DISCONNECT, the client leaving stops the generation.
    """
    abort = app.config["INTERVIEW_ABORT_ON_DISCONNECT"]
    return stream_feedback_events(
        generation,
        pacer=pacer,
        heartbeat_s=app.config["INTERVIEW_HEARTBEAT_S"],
        on_disconnect=generation.cancel if abort else None,
        encoder=encoder,
    )


def wait_for_outcome(feed: Feed, timeout_s: float) -> Outcome | None:
    """Block (cooperatively) until the feed's record is finished; None after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while feed.outcome is None and (remaining := deadline - time.monotonic()) > 0:
        feed.wait_for_more(len(feed.characters), min(remaining, 1.0))
    feed.close()
    return feed.outcome


def cancel_feedback(app: Flask, feedback_id: str, owner: str | None) -> str | None:
    """Stop the owner's generation, wherever it runs: None if unknown, "finished" if over.

    The record is flagged; the generating process sees the flag within a
    fraction of a second (`maintenance.py`) and closes its upstream. A record
    without a worker id whose process has died is ended here and now; one with
    a worker id is ended by the stale sweep once its worker is judged dead.
    """
    record = get_record(feedback_id, owner)
    if record is None:
        return None
    if record.status != STREAMING:
        return "finished"
    live = live_generations.get(feedback_id)
    if live is not None:
        live.cancel()
        return "cancelling"
    request_cancel(feedback_id)
    stale_after_s = app.config["INTERVIEW_STALE_AFTER_S"]
    if is_stale(record, stale_after_s):
        for swept_id in interrupt_stale(stale_after_s):
            bus_of(app).publish_end(swept_id)
    return "cancelling"
