"""Read a provider's stream into a `Generation`, then save the record once.

The producer runs on its own greenlet (a thread outside gevent), apart from
any connection: a client that leaves does not stop it, so the record is saved
with the whole text. It only stops early when asked to (`Generation.cancel`).
The text so far is flushed to the record as it grows (`progress.py`); the end is
saved in one short transaction, then announced on the bus. On failure the text
so far is saved with status `failed` and the error. A final save that finds the
record already ended by the stale sweep keeps the sweep's status, which the
record's followers were told, and adds its text (`records.finish_record`). A
final save the database refuses (not for being unreachable) ends the record
`failed` with `save_failed` and spools its text (`_save_refused`).

While the database cannot be reached, the final save is retried with
exponential backoff (SAVE_FIRST_RETRY_S, doubling) for INTERVIEW_SAVE_RETRY_S
in all; the subscribers' `done` waits for it. When the time is up (or the
worker is exiting), the record as it is to be saved goes to the local spool
(`spool.py`), to be replayed into the database once it is back, and `done`
carries that record: the one the database will hold.

The model's assessment block is taken out of the text as it enters, before
the grapheme splitter (`assessment_block.py`): subscribers and the saved
`feedback` get the prose; the block becomes the record's `assessment`
(`assessment.py`) at the end. A provider that writes no block (offline) hands
its own assessment over on its stream instead.

The buffer is bounded: the model is asked for at most INTERVIEW_MAX_TOKENS, and
an upstream that sends more than MAX_FEEDBACK_CHARACTERS characters or
MAX_FEEDBACK_CODE_POINTS code points anyway is cut off (a character is at most
32 code points, `graphemes.py`, so a flood of combining marks counts).
"""

import logging
import threading
import time
from bisect import bisect_right
from dataclasses import replace
from itertools import accumulate

import gevent

from ..database_errors import is_database_unavailable
from ..models import ANSWER, COMPLETED, FAILED, INTERRUPTED
from . import telemetry
from .assessment import assessment_at_end
from .assessment_block import AssessmentBlockFilter
from .graphemes import GraphemeSplitter
from .live import Generation, Outcome
from .pacing import after_due_streams, under_gevent
from .providers import ProviderError
from .providers.base import FeedbackInput
from .record import FeedbackRecord, RecordEnd
from .records import end_unsaved_record, final_state, finish_record
from .runtime import Runtime
from .spool import spool_line, spool_record
from .storable import storable_text

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
#: Twice the characters: scripts written with marks (Devanagari, Thai, Vietnamese)
#: take under two code points a character. At most 4 bytes each in UTF-8.
MAX_FEEDBACK_CODE_POINTS = 2 * MAX_FEEDBACK_CHARACTERS
SAVE_FIRST_RETRY_S = 0.2
# A fast upstream sends the whole text at once; reading it is CPU work that
# never waits. The producer lets the other greenlets run after the first piece
# (so its first character goes out now) and then every SLICE_S of reading.
SLICE_S = 0.002
# Read the upstream at most LOOKAHEAD_S ahead of the pace: a burst is parsed as
# its characters come due, not all at the start, where it would delay every
# other stream's start. (Unpaced generations are never ahead.) A stopping
# worker reads everything at once instead (`read_everything_now`), so what
# the upstream sent is saved.
LOOKAHEAD_S = 2.0


def stop_save_retries(runtime: Runtime) -> None:
    """Spool at once the saves still waiting for the database: the process is exiting."""
    runtime.shutdown.exiting.set()


def read_everything_now(runtime: Runtime) -> None:
    """The worker is stopping: every producer reads its upstream to the end without pausing."""
    runtime.shutdown.stopping.set()
    for generation in runtime.live.all():
        generation.wake()


def start_producer(
    runtime: Runtime,
    generation: Generation,
    request: FeedbackInput,
    created: FeedbackRecord,
) -> None:
    """Run the generation in the background and register it as live until it ends.

    `created` is the record as inserted, to build the final record from if
    the database is gone by the end.
    """
    runtime.live.add(generation)
    telemetry.generation_started(len(runtime.live))
    _in_background(produce, runtime, generation, request, created)


def _in_background(target, *args) -> None:
    """Run `target(*args)` on a greenlet under gevent, else on a daemon thread.

    (Under gevent a patched `Thread` is a greenlet too, started through
    threading's bookkeeping: about 85 us against 16 us for the greenlet alone.)
    """
    if under_gevent():
        gevent.spawn(target, *args)
    else:
        threading.Thread(target=target, args=args, daemon=True).start()


def produce(
    runtime: Runtime,
    generation: Generation,
    request: FeedbackInput,
    created: FeedbackRecord,
) -> None:
    """Generate, save the record, announce the end; tell the generation once returned."""
    try:
        _produce(runtime, generation, request, created)
    finally:
        generation.producer_returned()


def _produce(
    runtime: Runtime,
    generation: Generation,
    request: FeedbackInput,
    created: FeedbackRecord,
) -> None:
    """Append characters as they arrive, save the record, announce the end."""
    after_due_streams()
    provider, bus = runtime.provider, runtime.bus
    splitter = GraphemeSplitter()
    block_filter = AssessmentBlockFilter(request.block_nonce)
    status, error, first_token_ms = COMPLETED, None, None
    upstream = provider.open_stream(request)
    generation.attach(upstream)
    started = time.monotonic()
    progress = runtime.flusher.track(generation)
    slice_started = started
    code_points = 0
    try:
        for piece in upstream:
            now = time.monotonic()
            characters = splitter.feed(storable_text(block_filter.feed(piece)))
            kept = within_caps(characters, len(generation.characters), code_points)
            code_points += sum(map(len, kept))
            generation.append(kept, now)
            if first_token_ms is None:
                first_token_ms = progress.first_token_ms = round((now - started) * 1000)
                telemetry.first_token(now - started)
                slice_started = float("-inf")
            ahead_s = generation.ahead_s(now)
            if ahead_s > LOOKAHEAD_S and not runtime.shutdown.stopping.is_set():
                generation.pause(ahead_s - LOOKAHEAD_S / 2)
                slice_started = time.monotonic()
            elif now - slice_started >= SLICE_S:
                time.sleep(0)  # cooperative under gevent: let due characters and new requests go
                slice_started = time.monotonic()
            if len(kept) < len(characters) or block_filter.overflowed:
                upstream.close()
                status, error = FAILED, TOO_LONG
                break
        if upstream.finish_reason == "content_filter":
            status, error = FAILED, CONTENT_FILTERED
    except ProviderError as exc:
        status, error = FAILED, {"code": exc.code, "message": exc.message}
        telemetry.upstream_failed(exc.code)
    except Exception:
        log.exception("generation %s failed", generation.feedback_id)
        status, error = FAILED, INTERNAL_ERROR
    if error is not TOO_LONG or block_filter.overflowed:  # the prose before a block is whole
        rest = splitter.feed(storable_text(block_filter.flush())) + splitter.flush()
        kept = within_caps(rest, len(generation.characters), code_points)
        if len(kept) < len(rest):
            status, error = FAILED, TOO_LONG
        generation.append(kept, time.monotonic())
    if generation.cancel_requested:
        status, error = INTERRUPTED, None
    final = final_state(
        status=status,
        feedback="".join(generation.characters),
        error=error,
        usage=upstream.usage,
        first_token_ms=first_token_ms,
        assessment=assessment_at_end(provider.writes_assessment, block_filter, upstream)
        if request.kind == ANSWER
        else None,
        scored=request.kind == ANSWER,
    )
    outcome = _save(runtime, generation.feedback_id, created, final)
    generation.finish(outcome)
    runtime.live.discard(generation.feedback_id)
    runtime.flusher.untrack(generation)
    status = settled_status(outcome, final)
    telemetry.generation_ended(generation, created, final, status, started, len(runtime.live))
    bus.publish_end(generation.feedback_id)


def within_caps(characters: list[str], count: int, code_points: int) -> list[str]:
    """The first of `characters` that fit under both caps, after `count` of `code_points`."""
    kept = characters[: max(0, MAX_FEEDBACK_CHARACTERS - count)]
    sizes = list(accumulate(map(len, kept)))
    if sizes and sizes[-1] > MAX_FEEDBACK_CODE_POINTS - code_points:
        kept = kept[: bisect_right(sizes, MAX_FEEDBACK_CODE_POINTS - code_points)]
    return kept


def _save(runtime: Runtime, feedback_id: str, created: FeedbackRecord, final: RecordEnd) -> Outcome:
    """Save the end, retrying while the database is unreachable; spool it when time is up."""
    deadline = time.monotonic() + runtime.settings.save_retry_s
    wait_s = SAVE_FIRST_RETRY_S
    while True:
        try:
            with runtime.database_context():
                saved = finish_record(feedback_id, final)
        except Exception as exc:
            if not is_database_unavailable(exc):
                log.exception("the database refused the end of record %s", feedback_id)
                return _save_refused(runtime, feedback_id, created, final)
            left_s = deadline - time.monotonic()
            if left_s <= 0 or runtime.shutdown.exiting.is_set():
                return _spool(runtime, feedback_id, created, final)
            log.warning(
                "saving record %s failed, the database is unreachable; again in %.1f s",
                feedback_id,
                min(wait_s, left_s),
            )
            runtime.shutdown.exiting.wait(min(wait_s, left_s))  # a cooperative sleep under gevent
            wait_s *= 2
            continue
        if saved is None:
            return Outcome(None, DELETED)
        return Outcome(created.ended(saved), saved.error)


def _save_refused(
    runtime: Runtime, feedback_id: str, created: FeedbackRecord, final: RecordEnd
) -> Outcome:
    """End a record whose end the database refused: `failed`, `save_failed`, its text spooled.

    The spool keeps the whole text, for a replay to add to the record (or, if
    the database refuses it again, for an operator, `spool.py`). The record is
    ended at once by a write that carries no generated text, so it is never
    left `streaming`; stream, record and log line all say the save failed.
    """
    failed = replace(final, status=FAILED, error=NOT_SAVED)
    outcome = _spool(runtime, feedback_id, created, failed)
    try:
        with runtime.database_context():
            end_unsaved_record(feedback_id, failed)
    except Exception:
        log.exception("record %s could not be ended as failed; its replay will", feedback_id)
    return Outcome(outcome.record, NOT_SAVED)


def settled_status(outcome: Outcome, final: RecordEnd) -> str:
    """The status a generation ended with, as its record says; `failed` when nothing was saved."""
    if outcome.record is not None:
        return outcome.record.status
    return FAILED if outcome.error == NOT_SAVED else final.status


def _spool(
    runtime: Runtime, feedback_id: str, created: FeedbackRecord, final: RecordEnd
) -> Outcome:
    record = created.ended(final)
    directory = runtime.settings.spool_dir
    try:
        spool_record(directory, spool_line(record))
    except OSError:
        log.exception("record %s could not be saved, nor spooled to %s", feedback_id, directory)
        return Outcome(None, NOT_SAVED)
    log.error("record %s could not be saved; spooled to %s for replay", feedback_id, directory)
    return Outcome(record, final.error)
