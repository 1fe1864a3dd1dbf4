"""Flushing the text so far of every live generation to its record, and on to other processes.

Every FLUSH_INTERVAL_S, one background loop per application (the runtime's
`ProgressFlusher`, started with the first generation, ended when none is
left) writes the text so far of every generation that has new characters:
one UPDATE executed for up to FLUSH_BATCH_ROWS of them and one commit, then
the next batch, however many streams are open. Right after each commit, each of its generations' new
characters are published on the bus with their offset (see `bus.py` for why
in that order). Between batches the loop lets the other greenlets run: a
SQLite write holds the event loop for as long as it takes (about 2.5 ms per
100 rows), and a flush of 600 streams at once would make every one of them
late. A flush that fails (database down) is logged and skipped: the
generations go on, the next try waits FLUSH_RETRY_S, and each end is saved as
usual (`producer.py` retries it, then spools it). A batch the database refuses
for another reason (a value it cannot hold) is written again row by row, so one
bad row never holds back the others; the refused generation is logged and
left out of later flushes (its text only grows), and its end is saved or
spooled by its producer as usual.

A generation's text therefore reaches its record within about FLUSH_INTERVAL_S
of arriving; one that ends sooner is saved whole by its producer instead.
"""

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..database_errors import is_database_unavailable
from .bus import NullBus, RedisBus
from .live import Generation
from .records import flush_progress

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.25
FLUSH_RETRY_S = 1.0
FLUSH_BATCH_ROWS = 50


class Progress:
    """What has been flushed of one generation's text."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self.flushed = 0
        self.first_token_ms: int | None = None  # set by the producer at the first piece
        self.refused = False  # the database refused its text: flushed no more


class ProgressFlusher:
    """The background loop of one application: flushes the generations it tracks.

    A producer `track`s its generation once it runs and `untrack`s it at the end.
    """

    def __init__(
        self,
        bus: RedisBus | NullBus,
        database_context: Callable[[], AbstractContextManager[Any]],
    ) -> None:
        self._bus = bus
        self._database_context = database_context
        self._tracked: dict[str, Progress] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._stopped.set()

    def track(self, generation: Generation) -> Progress:
        """Flush `generation`'s text from now on; return its progress, for its first token."""
        progress = self._tracked[generation.feedback_id] = Progress(generation)
        self._ensure_running()
        return progress

    def untrack(self, generation: Generation) -> None:
        self._tracked.pop(generation.feedback_id, None)

    def flush_waiting(self) -> None:
        """Flush every tracked generation's new characters now, in batches of FLUSH_BATCH_ROWS."""
        waiting = [
            (progress, len(progress.generation.characters))
            for progress in list(self._tracked.values())
            if not progress.refused and len(progress.generation.characters) > progress.flushed
        ]
        for start in range(0, len(waiting), FLUSH_BATCH_ROWS):
            self._flush(waiting[start : start + FLUSH_BATCH_ROWS])
            time.sleep(0)  # cooperative under gevent: due characters go out between batches

    def wait_stopped(self, timeout_s: float) -> bool:
        """Wait until the loop has ended (no generation left, no flush under way); False on timeout.

        For whoever is about to close the database's connections (a test's
        teardown): a flush still under way would hold one of them.
        """
        return self._stopped.wait(timeout_s)

    def _ensure_running(self) -> None:
        with self._lock:
            if not self._stopped.is_set():
                return
            self._stopped.clear()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_INTERVAL_S)
            try:
                self.flush_waiting()
            except Exception:
                log.warning("flushing the text so far of live generations failed", exc_info=True)
                time.sleep(FLUSH_RETRY_S)
            with self._lock:
                if not self._tracked:
                    self._stopped.set()
                    return

    def _flush(self, flushes: list[tuple[Progress, int]]) -> None:
        rows = [
            (
                progress.generation.feedback_id,
                "".join(progress.generation.characters[:count]),
                progress.first_token_ms,
            )
            for progress, count in flushes
        ]
        with self._database_context():
            try:
                flush_progress(rows)
            except Exception as exc:
                if is_database_unavailable(exc):
                    raise
                flushes = _flush_one_by_one(flushes, rows)
        for progress, count in flushes:
            generation = progress.generation
            new = generation.characters[progress.flushed : count]
            self._bus.publish_characters(generation.feedback_id, progress.flushed, new)
            progress.flushed = count


def _flush_one_by_one(
    flushes: list[tuple[Progress, int]], rows: list[tuple[str, str, int | None]]
) -> list[tuple[Progress, int]]:
    """Flush each row on its own after a batch was refused; return the flushes saved."""
    saved = []
    for flush, row in zip(flushes, rows, strict=True):
        try:
            flush_progress([row])
        except Exception as exc:
            if is_database_unavailable(exc):
                raise
            progress, _ = flush
            progress.refused = True
            log.error(
                "the database refused the text so far of record %s; it is flushed no more",
                progress.generation.feedback_id,
                exc_info=True,
            )
        else:
            saved.append(flush)
    return saved
