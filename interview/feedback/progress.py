"""Flushing the text so far of every live generation to its record, and on to other processes.

Every FLUSH_INTERVAL_S, one background loop per process (started with the
first generation, ended when none is left) writes the text so far of every
generation that has new characters: one UPDATE executed for up to
FLUSH_BATCH_ROWS of them and one commit, then the next batch, however many
streams are open. Right after each commit, each of its generations' new
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
from collections import defaultdict

from flask import Flask

from ..database_errors import is_database_unavailable
from .bus import NullBus, RedisBus
from .live import Generation, live_generations
from .records import flush_progress

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.25
FLUSH_RETRY_S = 1.0
FLUSH_BATCH_ROWS = 50


class Progress:
    """What has been flushed of one generation, and where it goes."""

    def __init__(self, app: Flask, bus: RedisBus | NullBus) -> None:
        self.app = app
        self.bus = bus
        self.flushed = 0
        self.first_token_ms: int | None = None
        self.refused = False  # the database refused its text: flushed no more


def flush_waiting_progress() -> None:
    """Flush every live generation's new characters now, in batches of FLUSH_BATCH_ROWS."""
    waiting: dict[Flask, list[tuple[Generation, Progress, int]]] = defaultdict(list)
    for generation in live_generations.all():
        progress = generation.progress
        if (
            progress is not None
            and not progress.refused
            and len(generation.characters) > progress.flushed
        ):
            waiting[progress.app].append((generation, progress, len(generation.characters)))
    for app, flushes in waiting.items():
        for start in range(0, len(flushes), FLUSH_BATCH_ROWS):
            _flush(app, flushes[start : start + FLUSH_BATCH_ROWS])
            time.sleep(0)  # cooperative under gevent: due characters go out between batches


def _flush(app: Flask, flushes: list[tuple[Generation, Progress, int]]) -> None:
    rows = [
        (generation.feedback_id, "".join(generation.characters[:count]), progress.first_token_ms)
        for generation, progress, count in flushes
    ]
    with app.app_context():
        try:
            flush_progress(rows)
        except Exception as exc:
            if is_database_unavailable(exc):
                raise
            flushes = _flush_one_by_one(flushes, rows)
    for generation, progress, count in flushes:
        new = generation.characters[progress.flushed : count]
        progress.bus.publish_characters(generation.feedback_id, progress.flushed, new)
        progress.flushed = count


def _flush_one_by_one(
    flushes: list[tuple[Generation, Progress, int]], rows: list[tuple[str, str, int | None]]
) -> list[tuple[Generation, Progress, int]]:
    """Flush each row on its own after a batch was refused; return the flushes saved."""
    saved = []
    for flush, row in zip(flushes, rows, strict=True):
        try:
            flush_progress([row])
        except Exception as exc:
            if is_database_unavailable(exc):
                raise
            generation, progress, _ = flush
            progress.refused = True
            log.error(
                "the database refused the text so far of record %s; it is flushed no more",
                generation.feedback_id,
                exc_info=True,
            )
        else:
            saved.append(flush)
    return saved


class ProgressFlusher:
    """The background loop of one process; `ensure_running` after registering a generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._stopped.set()

    def ensure_running(self) -> None:
        with self._lock:
            if not self._stopped.is_set():
                return
            self._stopped.clear()
        threading.Thread(target=self._run, daemon=True).start()

    def wait_stopped(self, timeout_s: float) -> bool:
        """Wait until the loop has ended (no generation left, no flush under way); False on timeout.

        For whoever is about to close the database's connections (a test's
        teardown): a flush still under way would hold one of them.
        """
        return self._stopped.wait(timeout_s)

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_INTERVAL_S)
            try:
                flush_waiting_progress()
            except Exception:
                log.warning("flushing the text so far of live generations failed", exc_info=True)
                time.sleep(FLUSH_RETRY_S)
            with self._lock:
                if not len(live_generations):
                    self._stopped.set()
                    return


progress_flusher = ProgressFlusher()
