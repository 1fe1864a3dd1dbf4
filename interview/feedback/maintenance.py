"""Each worker's housekeeping: stop requests, heartbeats, the stale sweep, shutdown.

One background greenlet per worker (started by gunicorn's `post_worker_init`
hook, see interview/gunicorn_config.py) runs every CHECK_INTERVAL_S:
- stops the generations of this process whose record was flagged by a cancel
  (from any process) or deleted, by closing their upstream;
- every tenth of INTERVIEW_STALE_AFTER_S (at most 1 s), while it generates,
  counts its heartbeat, and looks at the other workers' (`heartbeats.py`): the
  `streaming` records of a worker it has seen silent for INTERVIEW_STALE_AFTER_S
  over its own continuous observations (the worker was killed) are ended as
  `interrupted`, and their followers told. A failed check starts the
  observations afresh, so a database outage never makes a live worker look dead;
- every half of INTERVIEW_STALE_AFTER_S (at most 10 s), and once at start:
  replays the records spooled while the database was unreachable (`spool.py`;
  only a file size is checked when there are none), then ends the records
  without a worker id (made before workers had ids) that have shown no sign of
  life (`progress_at`) for INTERVIEW_STALE_AFTER_S. A spooled record the sweep
  reached first is still replayed over it: the spool has the generation's own
  end and all its text, the sweep only the text flushed.
- every hour: forgets the heartbeat rows silent for a day (workers killed
  while idle), and with INTERVIEW_RETENTION_DAYS deletes the finished records
  older than that (`retention.py`).
A failing check (database down) is logged and tried again at the next tick.
"""

import logging
import threading
import time
from datetime import timedelta

from .bus import NullBus, RedisBus
from .heartbeats import (
    HeartbeatWatch,
    beat,
    beat_interval_s,
    forget_workers,
    forget_workers_silent_for,
    heartbeats_of_generating_workers,
    this_worker_id,
)
from .kept_audio import delete_audio_older_than
from .live import LiveGenerations
from .records import interrupt_records_of, interrupt_stale, stop_requests_among
from .retention import delete_records_older_than
from .runtime import Runtime
from .spool import ReplayReport, ReplaySchedule, has_spooled, replay_spool

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 0.5
MAX_INTERVAL_S = 10.0
RETENTION_INTERVAL_S = 3600.0
FORGET_WORKERS_AFTER = timedelta(days=1)
FAILURES_PER_LOG = int(60 / CHECK_INTERVAL_S)


def stop_requested_generations(live: LiveGenerations) -> None:
    """Cancel the live generations whose record was flagged or deleted."""
    feedback_ids = live.ids()
    if not feedback_ids:
        return
    for feedback_id in stop_requests_among(feedback_ids):
        generation = live.get(feedback_id)
        if generation is not None:
            generation.cancel()


def tend_live_generations(live: LiveGenerations, beating: bool) -> None:
    """Stop the flagged generations and, with `beating`, count a heartbeat while any runs."""
    stop_requested_generations(live)
    if beating and len(live):
        beat(this_worker_id())


def watch_live_generations(runtime: Runtime, stop: threading.Event) -> threading.Thread:
    """Tend this process's generations until `stop` is set, in a thread.

    For a process that generates without the rest of the housekeeping (the
    terminal client): a cancel from the API stops it, and a slow upstream
    never makes its record look abandoned.
    """

    def watch() -> None:
        interval_s = beat_interval_s(runtime.settings.stale_after_s)
        last_beat = float("-inf")
        while not stop.wait(CHECK_INTERVAL_S):
            now = time.monotonic()
            beating = now - last_beat >= interval_s
            try:
                with runtime.database_context():
                    tend_live_generations(runtime.live, beating)
            except Exception:
                log.warning("checking the live generations failed", exc_info=True)
            if beating:
                last_beat = now

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def sweep_dead_workers(bus: RedisBus | NullBus, watch: HeartbeatWatch, now: float) -> list[str]:
    """Observe the heartbeats; end the records of the workers judged dead; return their ids."""
    dead = watch.dead_workers(heartbeats_of_generating_workers(), now)
    if not dead:
        return []
    swept = interrupt_records_of(dead)
    forget_workers(dead)
    for feedback_id in swept:
        bus.publish_end(feedback_id)
    log.warning(
        "marked %d records of %d silent workers as interrupted: %s",
        len(swept),
        len(dead),
        ", ".join(dead),
    )
    return swept


def sweep_stale_records(runtime: Runtime) -> list[str]:
    """End the records without a worker id whose generating process died; return their ids."""
    swept = interrupt_stale(runtime.settings.stale_after_s)
    for feedback_id in swept:
        runtime.bus.publish_end(feedback_id)
    if swept:
        log.warning("marked %d records left by a stopped worker as interrupted", len(swept))
    return swept


def replay_spooled_records(runtime: Runtime) -> ReplayReport:
    """Save the records spooled while the database was unreachable; tell their followers."""
    report = replay_spool(runtime.settings.spool_dir)
    for feedback_id in report.saved:
        runtime.bus.publish_end(feedback_id)
    if report.saved:
        log.warning("saved %d spooled records", len(report.saved))
    if report.rejected:
        log.error("moved %d unusable spooled records aside", report.rejected)
    return report


def run_maintenance(runtime: Runtime) -> None:
    """Run the checks for ever (see the module docstring)."""
    settings = runtime.settings
    stale_after_s = settings.stale_after_s
    heartbeat_s = beat_interval_s(stale_after_s)
    sweep_interval_s = min(MAX_INTERVAL_S, stale_after_s / 2)
    watch = HeartbeatWatch(this_worker_id(), stale_after_s)
    replays = ReplaySchedule()
    last_beat = last_sweep = last_purge = float("-inf")
    failures = 0
    while True:
        now = time.monotonic()
        try:
            with runtime.database_context():
                beating = now - last_beat >= heartbeat_s
                tend_live_generations(runtime.live, beating)
                if beating:
                    sweep_dead_workers(runtime.bus, watch, time.monotonic())
                    last_beat = now
                if now - last_sweep >= sweep_interval_s:
                    if has_spooled(settings.spool_dir):
                        replays.run_if_due(lambda: replay_spooled_records(runtime))
                    sweep_stale_records(runtime)
                    last_sweep = now
                if now - last_purge >= RETENTION_INTERVAL_S:
                    last_purge = now
                    forget_workers_silent_for(FORGET_WORKERS_AFTER)
                    days = settings.retention_days
                    if days and (deleted := delete_records_older_than(days)):
                        log.info("deleted %d records past the retention period", deleted)
                    if days and settings.audio_dir:
                        delete_audio_older_than(settings.audio_dir, days)
        except Exception:
            watch.forget()  # an outage stops every heartbeat: never count it as silence
            failures += 1
            if failures % FAILURES_PER_LOG == 1:  # an outage logs once a minute, not every tick
                log.exception("maintenance check failed (%d times in a row)", failures)
        else:
            if failures:
                log.warning("maintenance checks work again after %d failures", failures)
            failures = 0
        time.sleep(CHECK_INTERVAL_S)


def start_maintenance(runtime: Runtime) -> threading.Thread:
    thread = threading.Thread(target=run_maintenance, args=(runtime,), daemon=True)
    thread.start()
    return thread


def wait_for_generations(live: LiveGenerations, deadline: float) -> None:
    """Let the live generations finish until `deadline` (monotonic)."""
    while len(live) and time.monotonic() < deadline:
        time.sleep(0.1)


def interrupt_generations(live: LiveGenerations, timeout: float = 5.0) -> None:
    """Stop every live generation and wait (up to `timeout`) for their records to be saved.

    Each one is saved `interrupted` with its text so far, and its subscribers
    get `done`.
    """
    generations = live.all()
    for generation in generations:
        generation.cancel()
    deadline = time.monotonic() + timeout
    for generation in generations:
        generation.wait_produced(max(0.0, deadline - time.monotonic()))
