"""What the API asks of the domain: start a feedback, follow one, stop one."""

from collections.abc import Iterator
from typing import Any

from flask import Flask

from ..models import STREAMING
from .events import Feed, stream_feedback_events
from .live import Generation, StoredRecordFeed, finished_feed, live_generations
from .metrics import compute_answer_metrics
from .pacing import Pacer
from .producer import start_producer
from .prompt import PROMPT_VERSION, build_feedback_prompt
from .providers import FeedbackProvider
from .providers.base import FeedbackInput
from .records import (
    create_streaming_record,
    get_record,
    mark_interrupted,
    reload_record,
    serialize,
)

pacer = Pacer()


def provider_of(app: Flask) -> FeedbackProvider:
    return app.extensions["interview.provider"]


def start_feedback(app: Flask, payload: dict[str, Any], owner: str | None) -> Generation:
    """Save a `streaming` record for the answer and start generating its feedback."""
    config = app.config
    provider = provider_of(app)
    question, answer, role = payload["question"], payload["answer"], payload.get("role")
    delay_ms = payload.get("delay_ms")
    if delay_ms is None:
        delay_ms = config["INTERVIEW_STREAM_DELAY_MS"]
    metrics = compute_answer_metrics(question, answer)
    record = create_streaming_record(
        owner=owner,
        question=question,
        answer=answer,
        role=role,
        provider=provider.name,
        model=provider.model,
        prompt_version=PROMPT_VERSION,
        metrics=metrics,
        delay_ms=delay_ms,
    )
    saved = serialize(record)
    generation = Generation(
        {"id": saved["id"], "model": saved["model"], "created_at": saved["created_at"]},
        delay_s=delay_ms / 1000,
    )
    request = FeedbackInput(
        question, answer, role, metrics, build_feedback_prompt(question, answer, role)
    )
    start_producer(app, generation, provider, request)
    return generation


def open_feed(feedback_id: str, owner: str | None) -> Feed | None:
    """Return the feed of the owner's record, live when this process generates it."""
    record = get_record(feedback_id, owner)
    if record is None:
        return None
    live = live_generations.get(feedback_id)
    if live is not None:
        return live
    if record.status == STREAMING:
        return StoredRecordFeed(serialize(record), lambda: reload_record(feedback_id, owner))
    return finished_feed(serialize(record))


def is_resume_past_end(feed: Feed, after: int) -> bool:
    """True when a client resuming after event `after` has already seen the terminal event."""
    return feed.outcome is not None and after > len(feed.characters)


def feedback_events(app: Flask, feed: Feed, after: int = 0) -> Iterator[str]:
    """Return the paced event stream of `feed`, resuming after event `after`."""
    return stream_feedback_events(
        feed, after=after, pacer=pacer, heartbeat_s=app.config["INTERVIEW_HEARTBEAT_S"]
    )


def cancel_feedback(feedback_id: str, owner: str | None) -> str | None:
    """Stop the owner's generation: None if unknown, "finished" if already over."""
    record = get_record(feedback_id, owner)
    if record is None:
        return None
    if record.status != STREAMING:
        return "finished"
    live = live_generations.get(feedback_id)
    if live is not None:
        live.cancel()
    else:
        mark_interrupted(feedback_id)
    return "cancelling"
