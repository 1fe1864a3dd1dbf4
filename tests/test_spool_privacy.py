"""The spool holds what users wrote: 0600 files in a 0700 folder, left alone while
the database stays away, and replays spaced out until it is back."""

import os
import stat
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.exc import OperationalError

from interview.extensions import db
from interview.feedback.spool import (
    LOCK_NAME,
    REJECTED_NAME,
    REPLAY_FIRST_DELAY_S,
    REPLAY_LOCK_NAME,
    REPLAY_MAX_DELAY_S,
    SPOOL_NAME,
    ReplayReport,
    ReplaySchedule,
    has_spooled,
    replay_spool,
    spool_record,
)
from interview.models import Feedback

from .servers import CuttableProxy
from .sse_client import open_stream, parse_events

BODY = {"question": "Why this team?", "answer": "Because I care about the users."}
TEXT = "Clear and specific. Name one result you are proud of.\n\nScore: 7/10"

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def permissive_umask():
    """The common default umask, under which plain `open()` makes 0644 files."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def spooled(feedback_id: str) -> dict:
    return {"id": feedback_id, "status": "completed", "feedback": TEXT}


def unreachable(record: dict) -> str:
    raise OperationalError("UPDATE feedback ...", {}, ConnectionError("server closed"))


def test_the_spool_and_every_file_beside_it_are_private_from_the_start(tmp_path, permissive_umask):
    folder = tmp_path / "instance" / "spool"
    for feedback_id in ("refused", "saved", "kept"):
        spool_record(str(folder), spooled(feedback_id))
    outcomes = {"refused": ValueError("not a final status"), "saved": "saved"}

    def save(record: dict) -> str:
        outcome = outcomes.get(record["id"])
        if outcome is None:
            return unreachable(record)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    report = replay_spool(str(folder), save)  # rejects one, saves one, rewrites the spool

    assert (report.saved, report.rejected, report.remaining) == (["saved"], 1, 1)
    assert mode(folder) == 0o700
    names = {path.name for path in folder.iterdir()}
    assert names == {SPOOL_NAME, REJECTED_NAME, LOCK_NAME, REPLAY_LOCK_NAME}
    assert {name: mode(folder / name) for name in names} == dict.fromkeys(names, 0o600)


def test_a_wider_folder_or_file_found_there_is_narrowed_with_a_warning(
    tmp_path, permissive_umask, caplog
):
    folder = tmp_path / "spool"
    folder.mkdir(mode=0o755)
    spool = folder / SPOOL_NAME
    spool.write_text("")
    spool.chmod(0o644)

    spool_record(str(folder), spooled("one"))

    assert (mode(folder), mode(spool)) == (0o700, 0o600)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(str(folder) in w and "0755" in w and "0700" in w for w in warnings)
    assert any(str(spool) in w and "0644" in w and "0600" in w for w in warnings)


def test_a_replay_that_reaches_no_database_leaves_the_spool_untouched(tmp_path):
    folder = tmp_path / "spool"
    for feedback_id in ("one", "two"):
        spool_record(str(folder), spooled(feedback_id))
    before = (folder / SPOOL_NAME).stat()

    for _ in range(3):
        assert replay_spool(str(folder), unreachable).remaining == 2

    after = (folder / SPOOL_NAME).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp")) == []


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_replays_are_spaced_out_while_they_fail_and_due_at_once_after_one_that_worked():
    clock = Clock()
    schedule = ReplaySchedule(clock)
    ran: list[float] = []

    def replay(left: int):
        def run() -> ReplayReport:
            ran.append(clock.now)
            return ReplayReport(remaining=left)

        return run

    for _ in range(10):
        while schedule.run_if_due(replay(2)) is None:
            clock.now += 0.5
    gaps = [later - earlier for earlier, later in zip(ran, ran[1:], strict=False)]

    assert gaps == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 30.0]
    assert (REPLAY_FIRST_DELAY_S, REPLAY_MAX_DELAY_S) == (1.0, 30.0)

    clock.now += REPLAY_MAX_DELAY_S
    assert schedule.run_if_due(replay(0)) is not None  # the database is back
    assert schedule.run_if_due(replay(0)) is not None  # so the next one is due at once

    def broken() -> ReplayReport:
        raise OSError("spool folder refused")

    with pytest.raises(OSError):
        schedule.run_if_due(broken)
    assert schedule.run_if_due(replay(0)) is None  # a replay that raised waits too


# -- a real worker, its database cut -----------------------------------------------------------


@pytest.fixture
def db_proxy(database_url):
    parts = urlsplit(database_url)
    with CuttableProxy(parts.hostname, parts.port or 5432) as proxy:
        yield proxy


def proxied(database_url: str, proxy: CuttableProxy) -> str:
    parts = urlsplit(database_url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"127.0.0.1:{proxy.port}"
    return parts._replace(netloc=f"{credentials}@{netloc}" if credentials else netloc).geturl()


@postgres_only
def test_a_worker_keeps_its_spool_private_and_still_while_the_database_is_away(
    make_app, server_factory, database_url, db_proxy, upstream, tmp_path, permissive_umask
):
    app = make_app()
    folder = tmp_path / "instance" / "spool"
    server = server_factory(
        DATABASE_URL=proxied(database_url, db_proxy),
        INTERVIEW_SPOOL_DIR=str(folder),
        INTERVIEW_SAVE_RETRY_S="0.5",
        INTERVIEW_STALE_AFTER_S="2",  # a replay (and a sweep) every second at most
    )
    upstream.configure(text=TEXT, chunk_chars=4, chunk_delay_s=0.01)
    conn, response = open_stream(server.url, "POST", "/api/v1/feedback", BODY)
    events = parse_events(iter(response.readline, b""))
    start = next(events)
    db_proxy.cut()
    done = [event for event in events if not isinstance(event, str)][-1]
    conn.close()
    assert (start.event, done.event, done.json()["status"]) == ("start", "done", "completed")
    assert has_spooled(str(folder))

    assert mode(folder) == 0o700
    assert {path.name: mode(path) for path in folder.iterdir()} == {
        SPOOL_NAME: 0o600,
        LOCK_NAME: 0o600,
    } | ({REPLAY_LOCK_NAME: 0o600} if (folder / REPLAY_LOCK_NAME).exists() else {})
    before = (folder / SPOOL_NAME).stat()
    time.sleep(4)  # eight housekeeping ticks with the database away
    after = (folder / SPOOL_NAME).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert {path.name: mode(path) for path in folder.iterdir()} == {
        SPOOL_NAME: 0o600,
        LOCK_NAME: 0o600,
    } | ({REPLAY_LOCK_NAME: 0o600} if (folder / REPLAY_LOCK_NAME).exists() else {})

    db_proxy.restore()
    deadline = time.monotonic() + REPLAY_MAX_DELAY_S + 5
    while has_spooled(str(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not has_spooled(str(folder))
    with app.app_context():
        record = db.session.get(Feedback, start.json()["id"])
        assert (record.status, record.feedback) == ("completed", TEXT)
