"""What the streaming pipeline reports: metrics and one log line per generation.

The producer and the event stream call in here with one line each, so the hot
path stays readable and the reporting stays in one place. Nothing here runs
per character: a generation reports when it starts, at its first token and
when it ends; a client's stream counts the characters of each written batch
locally and adds them to the shared counter every REPORT_EVERY_CHARACTERS and
when it closes (in multiprocess mode each update is a write to a mmapped file).

The generation line holds ids, statuses, timings and token counts only: never
the question, the answer, the feedback or anything secret.
"""

import logging
import time

from ..observability import metrics
from .live import Generation, Outcome
from .record import FeedbackRecord, RecordEnd

REPORT_EVERY_CHARACTERS = 100
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")

log = logging.getLogger("interview.generations")


def generation_started(open_streams: int) -> None:
    """Count a generation started; `open_streams` are now running here, it among them."""
    metrics.streams_started.inc()
    metrics.streams_open.set(open_streams)


def first_token(seconds: float) -> None:
    metrics.upstream_first_token_seconds.observe(seconds)


def upstream_failed(code: str) -> None:
    metrics.upstream_errors.labels(code=code).inc()


def generation_ended(
    generation: Generation,
    created: FeedbackRecord,
    final: RecordEnd,
    status: str,
    started: float,
    open_streams: int,
) -> None:
    """Count the end of a generation and write its log line; `status` is the one it settled on.

    `open_streams` are still running here.
    """
    metrics.streams_open.set(open_streams)
    metrics.streams_ended.labels(status=status).inc()
    outcome = generation.outcome or Outcome(None, final.error)
    usage = final.usage or {}
    fields = {
        "feedback_id": generation.feedback_id,
        "status": status,
        "provider": created.provider,
        "model": created.model,
        "tokens": {name: usage[name] for name in USAGE_FIELDS if isinstance(usage.get(name), int)},
        "first_token_ms": final.first_token_ms,
        "duration_ms": round((time.monotonic() - started) * 1000),
        "error": outcome.error["code"] if outcome.error else None,
    }
    log.info("generation ended", extra={"fields": fields})


class StreamWatch:
    """One client's event stream: its first character's delay, the characters it sent."""

    __slots__ = ("_opened", "_unreported")

    def __init__(self, timed: bool) -> None:
        self._opened = time.monotonic() if timed else None
        self._unreported = 0

    def sent(self, count: int) -> None:
        """A batch of `count` characters was written to the client."""
        if self._opened is not None:
            metrics.first_character_seconds.observe(time.monotonic() - self._opened)
            self._opened = None
        self._unreported += count
        if self._unreported >= REPORT_EVERY_CHARACTERS:
            self.close()

    def close(self) -> None:
        """Add the characters not yet counted to the shared counter."""
        if self._unreported:
            metrics.characters_sent.inc(self._unreported)
            self._unreported = 0


def watch_stream(after: int) -> StreamWatch:
    """Watch a client's stream; its first character is timed unless it resumes.

    A resume (`Last-Event-ID`) sends at once what the client missed, which says
    nothing about how long a candidate waits for feedback to begin.
    """
    return StreamWatch(timed=after == 0)
