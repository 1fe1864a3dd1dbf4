"""A local spool for the records the database could not take, and its replay.

When the final save of a generation still fails after its retries
(`producer.py`), the record as it is to be saved goes to
`<INTERVIEW_SPOOL_DIR>/feedback-spool.jsonl` as one JSON line, flushed and
fsynced before the stream's `done`. A replay (each worker's housekeeping at
start and every few seconds, see `maintenance.py`, or `flask feedback
replay-spool`) saves the lines with `records.save_spooled_record` and removes
the ones it has dealt with.

Deliberate choices, for several workers sharing the folder:
- Every append and every rewrite holds an exclusive `flock` on
  `feedback-spool.lock`, never on the spool itself, which a rewrite replaces.
  The lock is taken without blocking and retried with a sleep, which gevent
  makes cooperative: a worker's hub never waits on it.
- One replay at a time (`replay.lock`, not waited for: a worker that finds
  another replaying leaves the work to it).
- A replay reads the lines under the lock, saves them without it, then under
  the lock again rewrites the spool without the lines it dealt with, keeping
  any appended meanwhile (a temporary file, fsync, rename).
- A line that is not a spooled record (a write torn by a crash, a bad edit),
  or that the database refuses, moves to `feedback-spool.rejected.jsonl` and
  is reported, so it is never retried for ever. While the database is
  unreachable, a replay stops at the first line and keeps them all.
"""

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import SAVED, is_database_unavailable, save_spooled_record

log = logging.getLogger(__name__)

SPOOL_NAME = "feedback-spool.jsonl"
REJECTED_NAME = "feedback-spool.rejected.jsonl"
LOCK_NAME = "feedback-spool.lock"
REPLAY_LOCK_NAME = "replay.lock"
LOCK_POLL_S = 0.005


@dataclass
class ReplayReport:
    saved: list[str] = field(default_factory=list)  # ids of the records saved now
    skipped: int = 0  # saved after all, or deleted by their owner since
    rejected: int = 0  # moved to the rejected file
    remaining: int = 0  # still spooled: the database is unreachable
    busy: bool = False  # another process was replaying


def spool_record(directory: str, record: dict[str, Any]) -> None:
    """Append `record` to the spool as one line, durable when this returns."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, separators=(",", ":")).encode()
    with _lock(folder / LOCK_NAME):
        _append(folder / SPOOL_NAME, [line])


def has_spooled(directory: str) -> bool:
    """True when the spool holds anything: a cheap check before a replay."""
    try:
        return (Path(directory) / SPOOL_NAME).stat().st_size > 0
    except FileNotFoundError:
        return False


def spooled_lines(directory: str) -> list[bytes]:
    """Return the spool's lines as they are on disk."""
    with _lock(Path(directory) / LOCK_NAME):
        return _read_lines(Path(directory) / SPOOL_NAME)


def spooled_ids(directory: str) -> set[str]:
    """The ids of the records in the spool: ended, though the database still says `streaming`."""
    if not has_spooled(directory):
        return set()
    return {record["id"] for line in spooled_lines(directory) if (record := _parse(line))}


def replay_spool(
    directory: str, save: Callable[[dict[str, Any]], str] = save_spooled_record
) -> ReplayReport:
    """Save the spooled records with `save` (in an app context); remove those dealt with."""
    report = ReplayReport()
    folder = Path(directory)
    if not has_spooled(directory):
        return report
    with _lock(folder / REPLAY_LOCK_NAME, wait=False) as acquired:
        if not acquired:
            report.busy = True
            return report
        with _lock(folder / LOCK_NAME):
            lines = _read_lines(folder / SPOOL_NAME)
        done: set[bytes] = set()
        rejected: list[bytes] = []
        for line in lines:
            record = _parse(line)
            if record is None:
                log.warning("spool: not a record, moved to %s: %r", REJECTED_NAME, line[:120])
                rejected.append(line)
                done.add(line)
                continue
            try:
                outcome = save(record)
            except Exception as exc:
                if is_database_unavailable(exc):
                    log.warning("spool: the database is still unreachable; replay later")
                    break
                log.exception("spool: record %s refused, moved to %s", record["id"], REJECTED_NAME)
                rejected.append(line)
                done.add(line)
                continue
            done.add(line)
            if outcome == SAVED:
                report.saved.append(record["id"])
            else:
                log.info("spool: record %s was %s; dropped from the spool", record["id"], outcome)
                report.skipped += 1
        with _lock(folder / LOCK_NAME):
            remaining = [line for line in _read_lines(folder / SPOOL_NAME) if line not in done]
            if rejected:
                _append(folder / REJECTED_NAME, rejected)
            _rewrite(folder / SPOOL_NAME, remaining)
    report.rejected, report.remaining = len(rejected), len(remaining)
    return report


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    return record


@contextmanager
def _lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive flock on `path`; yield False at once if it is held and not `wait`."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    yield False
                    return
                time.sleep(LOCK_POLL_S)
        yield True
    finally:
        os.close(descriptor)  # releases the lock


def _read_lines(path: Path) -> list[bytes]:
    """Return the lines of `path` without their newlines (a torn last line has none)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return [line for line in data.split(b"\n") if line.strip()]


def _append(path: Path, lines: list[bytes]) -> None:
    created = not path.exists()
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        data = b"".join(line + b"\n" for line in lines)
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            data = b"\n" + data  # end a torn line first, so this one stays whole
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:
        _fsync_directory(path.parent)


def _rewrite(path: Path, lines: list[bytes]) -> None:
    """Replace `path` with `lines` atomically; remove it when there are none."""
    if not lines:
        path.unlink(missing_ok=True)
    else:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as file:
            file.writelines(line + b"\n" for line in lines)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    _fsync_directory(path.parent)


def _fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
