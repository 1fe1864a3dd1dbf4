"""Flushing a generation's text so far to its record, and on to other processes.

About every FLUSH_INTERVAL_S or FLUSH_CHARACTERS, whichever comes first, the
text so far goes to the record in one short transaction; right after that
commit, the new characters are published on the bus with their offset (see
`bus.py` for why in that order). A flush that fails (database down) is logged
and skipped: the generation goes on, the next try waits FLUSH_RETRY_S, and the
end is saved as usual (`producer.py` retries it, then spools it). The producer
checks when a chunk arrives; the worker's housekeeping (`maintenance.py`)
checks twice a second too, so text that arrived before the upstream fell
silent is not held back.
"""

import logging
import threading
import time

from flask import Flask

from .bus import NullBus, RedisBus
from .live import Generation
from .records import flush_progress

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.25
FLUSH_CHARACTERS = 200
FLUSH_RETRY_S = 1.0


class ProgressWriter:
    def __init__(
        self, app: Flask, generation: Generation, bus: RedisBus | NullBus, started: float
    ) -> None:
        self._app = app
        self._generation = generation
        self._bus = bus
        self._flushed = 0
        self._flushed_at = started
        self._retry_at = started
        self.first_token_ms: int | None = None
        self._lock = threading.Lock()  # the producer and the housekeeping both flush

    def maybe_flush(self, now: float | None = None) -> None:
        """Flush when enough time has passed or enough characters are waiting."""
        now = time.monotonic() if now is None else now
        if now < self._retry_at:
            return
        waiting = len(self._generation.characters) - self._flushed
        if waiting >= FLUSH_CHARACTERS or (waiting and now - self._flushed_at >= FLUSH_INTERVAL_S):
            with self._lock:
                self._flush(now)

    def _flush(self, now: float) -> None:
        first_token_ms = self.first_token_ms
        characters = self._generation.characters
        count = len(characters)
        if count == self._flushed:
            return  # the other flusher was first
        feedback_id = self._generation.feedback_id
        try:
            with self._app.app_context():
                flush_progress(feedback_id, "".join(characters[:count]), first_token_ms)
        except Exception:
            log.warning("flushing the progress of %s failed", feedback_id, exc_info=True)
            self._retry_at = now + FLUSH_RETRY_S
            return
        self._bus.publish_characters(feedback_id, self._flushed, characters[self._flushed : count])
        self._flushed, self._flushed_at = count, now
