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
  unreachable, a replay stops at the first line and keeps them all, and leaves
  the spool untouched: it is rewritten only when a replay dealt with a line.
- The spool holds what users wrote and the feedback they got: only the service's
  own user may read it. The folder is 0700 and every file in it (spool,
  rejected lines, locks, the rewrite's temporary file) 0600, each created so
  (`os.open`/`mkdir` with that mode, whatever the umask), never widened later.
  A folder or file found wider is tightened, with a warning; one that cannot be
  tightened (another user's) is refused with an error naming it.
- `ReplaySchedule` spaces the housekeeping's replays while the database stays
  unreachable: 1 s after the first failed one, doubling to 30 s, at once again
  after one that left nothing.
"""

import json
import logging
import os
import stat
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from ..database_errors import is_database_unavailable
from .file_lock import exclusive_lock
from .record import FeedbackRecord, utc_isoformat
from .records import SAVED, save_spooled_record

log = logging.getLogger(__name__)

SPOOL_NAME = "feedback-spool.jsonl"
REJECTED_NAME = "feedback-spool.rejected.jsonl"
LOCK_NAME = "feedback-spool.lock"
REPLAY_LOCK_NAME = "replay.lock"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
REPLAY_FIRST_DELAY_S = 1.0
REPLAY_MAX_DELAY_S = 30.0


@dataclass
class ReplayReport:
    saved: list[str] = field(default_factory=list)  # ids of the records saved now
    skipped: int = 0  # saved after all, or deleted by their owner since
    rejected: int = 0  # moved to the rejected file
    remaining: int = 0  # still spooled: the database is unreachable
    busy: bool = False  # another process was replaying


def spool_line(record: FeedbackRecord) -> dict[str, Any]:
    """What a finished record is spooled as: every field (its id as `id`), times in ISO 8601."""
    line = {"id": record.feedback_id}
    for column in fields(record)[1:]:  # after the id
        value = getattr(record, column.name)
        line[column.name] = utc_isoformat(value) if isinstance(value, datetime) else value
    return line


def spool_record(directory: str, line: dict[str, Any]) -> None:
    """Append `line` (`spool_line`) to the spool, durable when this returns."""
    folder = private_folder(directory)
    encoded = json.dumps(line, separators=(",", ":")).encode()
    with _lock(folder / LOCK_NAME):
        _append(folder / SPOOL_NAME, [encoded])


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
    if not has_spooled(directory):
        return report
    folder = private_folder(directory)
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
            if done:
                _rewrite(folder / SPOOL_NAME, remaining)
    report.rejected, report.remaining = len(rejected), len(remaining)
    return report


class ReplaySchedule:
    """When the housekeeping's next replay is due: later and later while replays fail.

    A replay fails when it raises or leaves records spooled (the database is
    still unreachable); one that leaves nothing makes the next one due at once.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._delay_s = 0.0
        self._due_at = float("-inf")

    def run_if_due(self, replay: Callable[[], ReplayReport]) -> ReplayReport | None:
        """Run `replay` if it is due and return its report; None when it is not due."""
        if self._clock() < self._due_at:
            return None
        failed = True
        try:
            report = replay()
            failed = report.remaining > 0
            return report
        finally:
            if failed:
                self._delay_s = min(REPLAY_MAX_DELAY_S, self._delay_s * 2 or REPLAY_FIRST_DELAY_S)
                self._due_at = self._clock() + self._delay_s
            else:
                self._delay_s, self._due_at = 0.0, float("-inf")


def private_folder(directory: str) -> Path:
    """Return the spool folder, created 0700, or tightened to it if found wider."""
    folder = Path(directory)
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        _tighten(folder, os.stat(folder).st_mode, FOLDER_MODE, lambda mode: os.chmod(folder, mode))
    return folder


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    return record


def _lock(path: Path, *, wait: bool = True) -> AbstractContextManager[bool]:
    """Hold an exclusive flock on `path` (a private file); yield False if held and not `wait`."""
    return exclusive_lock(path, wait=wait, opener=_open_lock_file)


def _open_lock_file(path: Path) -> int:
    return _open_private(path, os.O_RDWR | os.O_CREAT)


def _read_lines(path: Path) -> list[bytes]:
    """Return the lines of `path` without their newlines (a torn last line has none)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return [line for line in data.split(b"\n") if line.strip()]


def _append(path: Path, lines: list[bytes]) -> None:
    created = not path.exists()
    descriptor = _open_private(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
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
        temporary.unlink(missing_ok=True)  # left by a crash: O_EXCL creates it afresh, 0600
        descriptor = _open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        with os.fdopen(descriptor, "wb") as file:
            file.writelines(line + b"\n" for line in lines)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    _fsync_directory(path.parent)


def _open_private(path: Path, flags: int) -> int:
    """`os.open` a file of the spool folder, created 0600 (the umask only narrows it)."""
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        mode = os.fstat(descriptor).st_mode
        _tighten(path, mode, FILE_MODE, lambda wanted: os.fchmod(descriptor, wanted))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _tighten(path: Path, mode: int, wanted: int, chmod: Callable[[int], None]) -> None:
    """Narrow a folder or file of the spool found wider than `wanted`, or refuse it."""
    permissions = stat.S_IMODE(mode) & 0o777
    if not permissions & ~wanted:
        return
    try:
        chmod(permissions & wanted)
    except OSError as exc:
        raise PermissionError(
            f"spool: {path} is mode {permissions:04o} and cannot be narrowed to "
            f"{wanted:04o} ({exc.strerror}); fix its owner or mode"
        ) from exc
    log.warning(
        "spool: %s was mode %04o, open beyond this service; narrowed to %04o",
        path,
        permissions,
        permissions & wanted,
    )


def _fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
