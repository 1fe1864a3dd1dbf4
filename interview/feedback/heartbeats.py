"""Each generating process's heartbeat, and how a sweeper tells a dead worker from a silent one.

Each process that generates (a gunicorn worker, the terminal client) has an id
(`this_worker_id`), tags the records it generates with it
(`feedback.worker_id`) and, while it has generations running, counts up its
row of the `worker` table from its housekeeping every `beat_interval_s`. The
beat is a counter, not a time: no two machines' clocks are ever compared.

A sweeper (`maintenance.py`) judges a worker dead only once it has itself seen
that worker's count unchanged for INTERVIEW_STALE_AFTER_S, over its own
successful and continuous observations (`HeartbeatWatch`):
- a failed check (the database unreachable) forgets every observation: an
  outage stops every beat, so after one each worker has the whole threshold
  to beat again, however long the outage was;
- so does a gap between two observations longer than half the threshold (the
  sweeper itself was starved, or the machine paused);
- a worker starved for less than the threshold minus a beat interval (at most
  a tenth of it, and at most 1 s) beats again in time;
- a process never judges itself. Only the workers of records still
  `streaming` are watched; one without a row (it never beat) counts as a
  count that never changes.
"""

import os
import secrets
import socket
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import delete, insert, select, update

from ..extensions import db
from ..models import STREAMING, Feedback, Worker, utcnow

MAX_BEAT_INTERVAL_S = 1.0

_worker_ids: dict[int, str] = {}  # by pid: a forked child is another worker


def this_worker_id() -> str:
    """This process's id: host, pid and a random part (a restarted worker may reuse a pid)."""
    pid = os.getpid()
    if pid not in _worker_ids:
        _worker_ids[pid] = f"{socket.gethostname()[:40]}-{pid}-{secrets.token_hex(4)}"
    return _worker_ids[pid]


def beat_interval_s(stale_after_s: float) -> float:
    return min(MAX_BEAT_INTERVAL_S, stale_after_s / 10)


def beat(worker_id: str) -> None:
    """Count one beat of this worker (its row is made by the first)."""
    now = utcnow()
    with db.engine.begin() as connection:
        counted = connection.execute(
            update(Worker)
            .where(Worker.worker_id == worker_id)
            .values(beats=Worker.beats + 1, beat_at=now)
        ).rowcount
        if not counted:
            connection.execute(insert(Worker).values(worker_id=worker_id, beats=1, beat_at=now))


def heartbeats_of_generating_workers() -> dict[str, int | None]:
    """The count of each worker with records `streaming` (None: it never beat)."""
    rows = db.session.execute(
        select(Feedback.worker_id, Worker.beats)
        .distinct()
        .outerjoin(Worker, Worker.worker_id == Feedback.worker_id)
        .where(Feedback.status == STREAMING, Feedback.worker_id.is_not(None))
    ).all()
    db.session.commit()
    return dict(rows)


def forget_workers(worker_ids: Collection[str]) -> None:
    """Delete the rows of workers judged dead."""
    db.session.execute(delete(Worker).where(Worker.worker_id.in_(worker_ids)))
    db.session.commit()


def forget_workers_silent_for(age: timedelta) -> int:
    """Delete the rows of workers that have not beaten for `age` (killed while idle)."""
    cutoff = utcnow() - age
    if db.engine.dialect.name == "sqlite":
        cutoff = cutoff.replace(tzinfo=None)
    deleted = db.session.execute(delete(Worker).where(Worker.beat_at < cutoff)).rowcount
    db.session.commit()
    return deleted


class HeartbeatWatch:
    """What one sweeper has seen of the other workers' counts (see the module docstring)."""

    def __init__(self, own_id: str, stale_after_s: float) -> None:
        self._own_id = own_id
        self._stale_after_s = stale_after_s
        self._seen: dict[str, tuple[int | None, float]] = {}  # id: (count, seen unchanged since)
        self._last_look: float | None = None

    def forget(self) -> None:
        """Start observing afresh: a check failed."""
        self._seen.clear()
        self._last_look = None

    def dead_workers(self, heartbeats: dict[str, int | None], now: float) -> list[str]:
        """Add an observation made at `now` (monotonic); return the workers judged dead."""
        if self._last_look is not None and now - self._last_look > self._stale_after_s / 2:
            self._seen.clear()
        self._last_look = now
        seen = {}
        for worker_id, count in heartbeats.items():
            if worker_id == self._own_id:
                continue
            previous = self._seen.get(worker_id)
            since = previous[1] if previous is not None and previous[0] == count else now
            seen[worker_id] = (count, since)
        self._seen = seen
        return [
            worker_id
            for worker_id, (_, since) in seen.items()
            if now - since >= self._stale_after_s
        ]
