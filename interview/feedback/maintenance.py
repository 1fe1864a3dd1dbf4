"""Each worker's housekeeping: stop requests, signs of life, the stale sweep, shutdown.

One background greenlet per worker (started by gunicorn's `post_worker_init`
hook, see gunicorn.conf.py) runs every CHECK_INTERVAL_S:
- stops the generations of this process whose record was flagged by a cancel
  (from any process) or deleted, by closing their upstream;
- every third of INTERVIEW_STALE_AFTER_S (at most 10 s), touches `progress_at`
  of the records it generates, so a slow upstream never looks like a dead worker;
- every half of INTERVIEW_STALE_AFTER_S (at most 10 s), and once at start:
  replays the records spooled while the database was unreachable (`spool.py`;
  only a file size is checked when there are none), then ends as `interrupted`
  the records `streaming` with no sign of life for INTERVIEW_STALE_AFTER_S
  (their worker was killed), and tells their followers. A spooled record the
  sweep reached first is still replayed over it: the spool has the
  generation's own end and all its text, the sweep only the text flushed.
- every hour, with INTERVIEW_RETENTION_DAYS, deletes the finished records
  older than that (`retention.py`).
A failing check (database down) is logged and tried again at the next tick.
"""

import logging
import threading
import time

from flask import Flask

from .bus import NullBus, RedisBus
from .live import live_generations
from .records import interrupt_stale, stop_requests_among, touch_progress
from .retention import delete_records_older_than
from .spool import ReplayReport, ReplaySchedule, has_spooled, replay_spool

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 0.5
MAX_INTERVAL_S = 10.0
RETENTION_INTERVAL_S = 3600.0
FAILURES_PER_LOG = int(60 / CHECK_INTERVAL_S)


def stop_requested_generations() -> None:
    """Cancel the live generations whose record was flagged or deleted."""
    feedback_ids = live_generations.ids()
    if not feedback_ids:
        return
    for feedback_id in stop_requests_among(feedback_ids):
        generation = live_generations.get(feedback_id)
        if generation is not None:
            generation.cancel()


def tend_live_generations(touch: bool) -> None:
    """Stop the flagged generations and, with `touch`, show signs of life."""
    stop_requested_generations()
    if touch and len(live_generations):
        touch_progress(live_generations.ids())


def watch_live_generations(app: Flask, stop: threading.Event) -> threading.Thread:
    """Tend this process's generations until `stop` is set, in a thread.

    For a process that generates without the rest of the housekeeping (the
    terminal client): a cancel from the API stops it, and a slow upstream
    never makes its record look abandoned.
    """

    def watch() -> None:
        touch_interval_s = min(MAX_INTERVAL_S, app.config["INTERVIEW_STALE_AFTER_S"] / 3)
        last_touch = time.monotonic()
        while not stop.wait(CHECK_INTERVAL_S):
            now = time.monotonic()
            touch = now - last_touch >= touch_interval_s
            try:
                with app.app_context():
                    tend_live_generations(touch)
            except Exception:
                log.warning("checking the live generations failed", exc_info=True)
            if touch:
                last_touch = now

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def sweep_stale_records(app: Flask, bus: RedisBus | NullBus) -> list[str]:
    """End the records whose generating process died; return their ids."""
    swept = interrupt_stale(app.config["INTERVIEW_STALE_AFTER_S"])
    for feedback_id in swept:
        bus.publish_end(feedback_id)
    if swept:
        log.warning("marked %d records left by a stopped worker as interrupted", len(swept))
    return swept


def replay_spooled_records(app: Flask, bus: RedisBus | NullBus) -> ReplayReport:
    """Save the records spooled while the database was unreachable; tell their followers."""
    report = replay_spool(app.config["INTERVIEW_SPOOL_DIR"])
    for feedback_id in report.saved:
        bus.publish_end(feedback_id)
    if report.saved:
        log.warning("saved %d spooled records", len(report.saved))
    if report.rejected:
        log.error("moved %d unusable spooled records aside", report.rejected)
    return report


def run_maintenance(app: Flask) -> None:
    """Run the checks for ever (see the module docstring)."""
    bus = app.extensions["interview.bus"]
    stale_after_s = app.config["INTERVIEW_STALE_AFTER_S"]
    touch_interval_s = min(MAX_INTERVAL_S, stale_after_s / 3)
    sweep_interval_s = min(MAX_INTERVAL_S, stale_after_s / 2)
    retention_days = app.config["INTERVIEW_RETENTION_DAYS"]
    last_touch = last_sweep = last_purge = float("-inf")
    replays = ReplaySchedule()
    failures = 0
    while True:
        now = time.monotonic()
        try:
            with app.app_context():
                touch = now - last_touch >= touch_interval_s and len(live_generations) > 0
                tend_live_generations(touch)
                if touch:
                    last_touch = now
                if now - last_sweep >= sweep_interval_s:
                    if has_spooled(app.config["INTERVIEW_SPOOL_DIR"]):
                        replays.run_if_due(lambda: replay_spooled_records(app, bus))
                    sweep_stale_records(app, bus)
                    last_sweep = now
                if retention_days and now - last_purge >= RETENTION_INTERVAL_S:
                    last_purge = now
                    if deleted := delete_records_older_than(retention_days):
                        log.info("deleted %d records past the retention period", deleted)
        except Exception:
            failures += 1
            if failures % FAILURES_PER_LOG == 1:  # an outage logs once a minute, not every tick
                log.exception("maintenance check failed (%d times in a row)", failures)
        else:
            if failures:
                log.warning("maintenance checks work again after %d failures", failures)
            failures = 0
        time.sleep(CHECK_INTERVAL_S)


def start_maintenance(app: Flask) -> threading.Thread:
    thread = threading.Thread(target=run_maintenance, args=(app,), daemon=True)
    thread.start()
    return thread


def wait_for_generations(deadline: float) -> None:
    """Let the live generations finish until `deadline` (monotonic)."""
    while len(live_generations) and time.monotonic() < deadline:
        time.sleep(0.1)


def interrupt_generations(timeout: float = 5.0) -> None:
    """Stop every live generation and wait (up to `timeout`) for their records to be saved.

    Each one is saved `interrupted` with its text so far, and its subscribers
    get `done`.
    """
    generations = live_generations.all()
    for generation in generations:
        generation.cancel()
    deadline = time.monotonic() + timeout
    for generation in generations:
        if generation.producer is not None:
            generation.producer.join(max(0.0, deadline - time.monotonic()))
