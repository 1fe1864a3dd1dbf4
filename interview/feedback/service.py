"""What the API asks of the domain: start a feedback, follow one, stop one."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..models import STREAMING
from .admission import UNCOUNTED, Admission, admit_streaming_record
from .assessment_block import new_block_nonce
from .encoders import EventEncoder
from .events import Feed, stream_feedback_events
from .follow import FollowedRecord
from .heartbeats import this_worker_id
from .idempotency import earlier_record_id, is_duplicate_key_error, request_digest, scoped_key
from .live import Generation, Outcome, StoredFeed, start_event_data
from .metrics import compute_answer_metrics
from .pacing import after_due_streams
from .producer import start_producer
from .prompt import PROMPT_VERSION, build_feedback_prompt
from .providers.base import FeedbackInput
from .record import FeedbackRecord, NewRecord
from .records import (
    get_record,
    interrupt_stale,
    is_stale,
    reload_record,
    request_cancel,
)
from .runtime import Runtime
from .transcriptions import get_transcription


class UnknownTranscription(Exception):
    """The request names a transcription that its owner does not have."""


@dataclass(frozen=True)
class GenerationRequest:
    """What a generation's record is made of, besides what the provider answers with.

    `delay_ms` None takes INTERVIEW_STREAM_DELAY_MS; `idempotency` is the
    request's scoped Idempotency-Key and digest.
    """

    owner: str | None
    question: str
    answer: str
    role: str | None
    metrics: dict[str, Any]
    delay_ms: int | None
    prompt_version: str
    idempotency: tuple[str, str] | None = None
    delivery: dict[str, Any] | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class Attach:
    """A repeated request: the record its first sending created, to attach to."""

    feedback_id: str


def start_or_attach(
    runtime: Runtime,
    payload: dict[str, Any],
    owner: str | None,
    key: str | None,
    admission: Admission,
    session_id: str | None = None,
) -> Generation | Attach:
    """Start a generation for the request, or name the record an earlier sending of it created.

    A request with an Idempotency-Key `key` that the owner already sent
    attaches to that request's record (`idempotency.py`); raises
    `IdempotencyConflict` when the key was used for another request. Otherwise
    as `start_feedback`.
    """
    if key is None:
        return start_feedback(runtime, payload, owner, None, admission, session_id)
    digest = request_digest(payload)
    earlier = earlier_record_id(owner, key, digest)
    if earlier is not None:
        return Attach(earlier)
    try:
        idempotency = (scoped_key(owner, key), digest)
        return start_feedback(runtime, payload, owner, idempotency, admission, session_id)
    except IntegrityError as exc:
        if not is_duplicate_key_error(exc):
            raise
        # a concurrent request with the same key won the race: attach to its record
        return Attach(earlier_record_id(owner, key, digest))


def start_feedback(
    runtime: Runtime,
    payload: dict[str, Any],
    owner: str | None,
    idempotency: tuple[str, str] | None = None,
    admission: Admission = UNCOUNTED,
    session_id: str | None = None,
) -> Generation:
    """Save a `streaming` record for the answer and start generating its feedback.

    `idempotency` is the request's scoped key and digest, stored on the record.
    The `admission`'s caller is who the request counts against for
    INTERVIEW_MAX_OPEN_STREAMS, and its `spend_budget` takes one generation
    from the caller's rate budget (or raises): both are settled in one step
    with the insert, so requests at the same instant cannot pass together
    (`admission.py`). Past the cap this raises `TooManyOpenStreams`; either
    refusal saves nothing, as does a `transcription_id` the owner does not
    have (`UnknownTranscription`). A spoken answer's record gets its
    transcription's delivery figures, and so does the prompt. `session_id`
    names the mock interview the answer belongs to.
    """
    question, answer, role = payload["question"], payload["answer"], payload.get("role")
    delivery = spoken_delivery(payload.get("transcription_id"), owner)
    metrics = compute_answer_metrics(question, answer)
    nonce = new_block_nonce()
    messages = build_feedback_prompt(question, answer, role, nonce=nonce, delivery=delivery)
    return start_generation(
        runtime,
        GenerationRequest(
            owner=owner,
            question=question,
            answer=answer,
            role=role,
            metrics=metrics,
            delay_ms=payload.get("delay_ms"),
            prompt_version=PROMPT_VERSION,
            idempotency=idempotency,
            delivery=delivery,
            session_id=session_id,
        ),
        FeedbackInput(question, answer, role, metrics, messages, block_nonce=nonce),
        admission,
    )


def start_generation(
    runtime: Runtime, what: GenerationRequest, request: FeedbackInput, admission: Admission
) -> Generation:
    """Admit and insert the `streaming` record of `what`, then start its producer."""
    after_due_streams()
    settings, provider = runtime.settings, runtime.provider
    delay_ms = settings.stream_delay_ms if what.delay_ms is None else what.delay_ms
    new = NewRecord(
        owner=what.owner,
        question=what.question,
        answer=what.answer,
        role=what.role,
        provider=provider.name,
        model=provider.model,
        prompt_version=what.prompt_version,
        temperature=provider.temperature,
        seed=provider.seed,
        metrics=what.metrics,
        delay_ms=delay_ms,
        idempotency_key=what.idempotency[0] if what.idempotency else None,
        request_digest=what.idempotency[1] if what.idempotency else None,
        caller=admission.caller,
        worker_id=this_worker_id(),
        delivery=what.delivery,
        kind=request.kind,
        session_id=what.session_id,
    )
    created = admit_streaming_record(
        new, admission, max_open=settings.max_open_streams, spool_dir=settings.spool_dir
    )
    generation = Generation(start_event_data(created), delay_s=delay_ms / 1000)
    start_producer(runtime, generation, request, created)
    return generation


def spoken_delivery(transcription_id: str | None, owner: str | None) -> dict[str, Any] | None:
    """The delivery figures of the owner's transcription; None for a typed answer."""
    if transcription_id is None:
        return None
    transcription = get_transcription(transcription_id, owner)
    if transcription is None:
        raise UnknownTranscription(transcription_id)
    return transcription.delivery


def open_feed(runtime: Runtime, feedback_id: str, owner: str | None) -> Feed | None:
    """Return the feed of the owner's record: live here, followed from elsewhere, or stored."""
    record = get_record(feedback_id, owner)
    if record is None:
        return None
    live = runtime.live.get(feedback_id)
    if live is not None:
        return live
    if record.status != STREAMING:
        return StoredFeed(FeedbackRecord.from_row(record))
    subscription = runtime.bus.subscribe(feedback_id)
    current = reload_record(feedback_id, owner)  # read again, now that we are subscribed
    if current is None:
        if subscription is not None:
            subscription.close()
        return None

    def reload() -> FeedbackRecord | None:
        with runtime.database_context():  # the stream runs outside the request's context
            return reload_record(feedback_id, owner)

    return FollowedRecord(current, subscription, reload, poll_s=runtime.settings.poll_interval_s)


def is_resume_past_end(feed: Feed, after: int) -> bool:
    """True when a client resuming after event `after` has already seen the terminal event."""
    return feed.outcome is not None and after > len(feed.characters)


def feedback_events(
    runtime: Runtime, feed: Feed, after: int = 0, *, encoder: EventEncoder
) -> Iterator[bytes]:
    """Return the paced event stream of `feed`, resuming after event `after`."""
    return stream_feedback_events(
        feed,
        after=after,
        pacer=runtime.pacer,
        heartbeat_s=runtime.settings.heartbeat_s,
        encoder=encoder,
        replays=runtime.replays,
    )


def inline_feedback_events(
    runtime: Runtime, generation: Generation, encoder: EventEncoder
) -> Iterator[bytes]:
    """Return the event stream of a generation started by this request.

    With INTERVIEW_ABORT_ON_DISCONNECT, the client leaving stops the generation.
    """
    abort = runtime.settings.abort_on_disconnect
    return stream_feedback_events(
        generation,
        pacer=runtime.pacer,
        heartbeat_s=runtime.settings.heartbeat_s,
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


def cancel_feedback(runtime: Runtime, feedback_id: str, owner: str | None) -> str | None:
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
    live = runtime.live.get(feedback_id)
    if live is not None:
        live.cancel()
        return "cancelling"
    request_cancel(feedback_id)
    stale_after_s = runtime.settings.stale_after_s
    if is_stale(record, stale_after_s):
        for swept_id in interrupt_stale(stale_after_s):
            runtime.bus.publish_end(swept_id)
    return "cancelling"
