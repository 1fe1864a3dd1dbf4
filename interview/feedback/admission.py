"""Admitting a generation: the open-stream cap, the rate budget and the insert, as one step.

Two requests of one caller released at the same instant must not both see the
last free place. So the count of the caller's open streams, the spending of
its rate budget (`spend_budget`, given by the API) and the insert of its
record happen while no other admission of that caller can run, on every
worker and instance that shares the database:

- PostgreSQL: one transaction that first takes a transaction-scoped advisory
  lock keyed on the caller (`pg_advisory_xact_lock`), so only the same
  caller's admissions wait, for each other; the lock ends with the commit. The
  budget is spent after the insert, inside the transaction: an insert refused
  because a concurrent request with the same Idempotency-Key won (the API
  attaches this one to its record) has spent nothing, and a request refused by
  the budget rolls its insert back. psycopg waits for the lock cooperatively
  under gevent.
- SQLite: an exclusive `flock` on a file next to the database, so every
  process on the host (a SQLite database has only one) takes turns, waited for
  with cooperative sleeps. The budget is spent before the insert: a SQLite
  write lock must never be held across a wait that lets another greenlet run
  (spending through Redis does), since that greenlet's own write would block
  the whole worker in SQLite's busy wait. (So here, the loser of a race between
  two requests with the same Idempotency-Key has spent one unit.)

Within a process, the admissions of one caller first take turns on a lock of
the process (one of LOCAL_STRIPES, by the caller's hash), waited for without
a database connection: a burst of one caller holds at most one connection per
worker while it waits for the database's lock, never one per request (which
would empty the pool, and PostgreSQL's connection slots, for everyone).

The order is cap, then budget: a request refused by the cap spends no budget;
one refused by the budget leaves no record.

A record whose end went to the spool (`spool.py`, the database was down at its
final save) has ended, though the database says `streaming` until the spool is
replayed: it does not count against the cap. The spool read is this host's;
another host's spooled record counts until that host's housekeeping replays it,
a few seconds after the database is back.
"""

import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..extensions import db
from .file_lock import exclusive_lock
from .record import FeedbackRecord, NewRecord
from .records import create_streaming_record, insert_streaming_record, open_stream_ids
from .spool import spooled_ids

#: How many locks a process spreads its callers over; two callers on one lock
#: only take turns in this process, for the milliseconds an admission lasts.
LOCAL_STRIPES = 64
#: The first key of the advisory locks taken here ("ad" "mi"), kept apart from
#: any other use of advisory locks on the same database.
ADVISORY_LOCK_SPACE = 0x61646D69


def _nothing_to_spend() -> None:
    pass


@dataclass(frozen=True)
class Admission:
    """Who a generation counts against for the cap, and how it spends their rate budget.

    `caller` None counts the generation against nobody (the terminal client);
    `spend_budget` raises when the budget is spent.
    """

    caller: str | None = None
    spend_budget: Callable[[], None] = _nothing_to_spend


#: A generation counted against nobody.
UNCOUNTED = Admission()


class TooManyOpenStreams(Exception):
    """The caller already has INTERVIEW_MAX_OPEN_STREAMS generations running."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} feedback streams are already running for this caller.")
        self.limit = limit


def admit_streaming_record(
    new: NewRecord,
    admission: Admission,
    *,
    max_open: int | None,
    spool_dir: str,
) -> FeedbackRecord:
    """Insert the `streaming` record of a generation if the caller may start one now.

    Raises `TooManyOpenStreams` past the cap, or what `spend_budget` raises
    past the rate limit; either way nothing is saved. Returns the record as inserted.
    """
    caller = admission.caller
    cap = max_open if caller is not None else None
    with _local_turn(caller) if cap is not None else nullcontext():
        return _admit(new, caller, cap, spool_dir, admission.spend_budget)


def _admit(
    new: NewRecord,
    caller: str | None,
    cap: int | None,
    spool_dir: str,
    spend_budget: Callable[[], None],
) -> FeedbackRecord:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            if cap is not None:
                _lock_caller(connection, caller)
                _check_cap(connection, caller, cap, spool_dir)
            created = insert_streaming_record(connection, new)
            spend_budget()
        return created
    lock = exclusive_lock(f"{db.engine.url.database}.admission.lock") if cap else nullcontext()
    with lock:
        if cap is not None:
            with db.engine.connect() as connection:
                _check_cap(connection, caller, cap, spool_dir)
        spend_budget()
        return create_streaming_record(new)


# One set per process, shared by its apps: the turns they enforce hold across apps anyway.
# Created at import, after gevent has patched `threading` (gunicorn_config.py: no preload).
_local_locks = [threading.Lock() for _ in range(LOCAL_STRIPES)]


def _local_turn(caller: str) -> threading.Lock:
    return _local_locks[hash(caller) % LOCAL_STRIPES]


def _lock_caller(connection: Connection, caller: str) -> None:
    """Wait until no other admission of `caller` runs; held until the transaction ends."""
    key = func.hashtext(caller)
    connection.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_SPACE, key)))


def _check_cap(connection: Connection, caller: str, cap: int, spool_dir: str) -> None:
    running = open_stream_ids(connection, caller)
    if len(running) >= cap:
        running -= spooled_ids(spool_dir)
    if len(running) >= cap:
        raise TooManyOpenStreams(cap)
