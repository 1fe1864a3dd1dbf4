"""The database goes away: 503 before a stream, a stream that still ends, retried saves, the spool.

The PostgreSQL cases reach the database through a TCP proxy the test cuts and
restores (`servers.CuttableProxy`); the spool's own tests need no database.
"""

import fcntl
import json
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy.exc import OperationalError

from interview.extensions import db
from interview.feedback import producer
from interview.feedback.assessment import read_assessment
from interview.feedback.record import FeedbackRecord
from interview.feedback.records import final_state
from interview.feedback.spool import (
    REJECTED_NAME,
    REPLAY_LOCK_NAME,
    has_spooled,
    replay_spool,
    spool_line,
    spool_record,
    spooled_lines,
)
from interview.models import Feedback, utcnow

from .factories import feedback_record
from .servers import CuttableProxy
from .sse_client import parse_events

BODY = {"question": "Why this team?", "answer": "Because I care about the users."}
TEXT = "Clear and specific. Name one result you are proud of.\n\nScore: 7/10"

postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def spool_dir(tmp_path) -> str:
    return str(tmp_path / "spool")


@pytest.fixture
def db_proxy(database_url):
    parts = urlsplit(database_url)
    with CuttableProxy(parts.hostname, parts.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def make_proxied_app(db_proxy, make_app, database_url, spool_dir):
    """Build an app whose database connections all pass through `db_proxy`."""
    parts = urlsplit(database_url)
    credentials = parts.netloc.rpartition("@")[0]
    proxied = (
        f"{credentials}@127.0.0.1:{db_proxy.port}" if credentials else f"127.0.0.1:{db_proxy.port}"
    )
    proxied_url = parts._replace(netloc=proxied).geturl()

    def make(**overrides: str):
        return make_app(DATABASE_URL=proxied_url, INTERVIEW_SPOOL_DIR=spool_dir, **overrides)

    yield make
    db_proxy.restore()  # the tables are emptied through it


def open_inline_stream(client):
    """POST for an inline stream; return its events as an iterator read as they come."""
    response = client.post("/api/v1/feedback", json=BODY, buffered=False)
    assert response.status_code == 200
    lines = (line for chunk in response.response for line in chunk.splitlines(keepends=True))
    return parse_events(event for event in lines)


def watch_failed_saves(monkeypatch) -> threading.Event:
    """Return an event set when the producer's final save fails."""
    failed = threading.Event()
    finish_record = producer.finish_record

    def watched(*args, **kwargs):
        try:
            return finish_record(*args, **kwargs)
        except Exception:
            failed.set()
            raise

    monkeypatch.setattr(producer, "finish_record", watched)
    return failed


def stored(app, feedback_id: str) -> Feedback | None:
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        db.session.commit()
        return record


def insert_record(app, **fields) -> FeedbackRecord:
    """Insert a record as POST does; return it as created."""
    with app.app_context():
        record = feedback_record(**{"status": "streaming", **fields})
        db.session.add(record)
        db.session.commit()
        return FeedbackRecord.from_row(record)


def spooled_end(created: FeedbackRecord, text: str = TEXT, status: str = "completed") -> dict:
    final = final_state(status=status, feedback=text, error=None, usage=None, first_token_ms=9)
    return spool_line(created.ended(final))


# -- the database is down when a request comes ---------------------------------------------


@postgres_only
def test_a_post_while_the_database_is_down_is_a_503_and_streams_nothing(
    make_proxied_app, db_proxy, upstream
):
    app = make_proxied_app()
    client = app.test_client()
    db_proxy.cut()

    response = client.post("/api/v1/feedback", json=BODY)

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 10
    problem = response.get_json()
    assert problem["status"] == 503 and problem["title"] == "Service Unavailable"
    for internal in ("INSERT", "SELECT", "127.0.0.1", str(db_proxy.port), "psycopg", "postgres"):
        assert internal not in response.text
    assert upstream.requests == []

    for path in ("/api/v1/feedback", "/api/v1/feedback/abc", "/api/v1/feedback/abc/events"):
        read = client.get(path)
        assert read.status_code == 503, path
        assert read.mimetype == "application/problem+json" and read.headers["Retry-After"]
    page = client.get("/history")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert page.headers["Retry-After"]

    db_proxy.restore()
    assert client.get("/api/v1/feedback").get_json()["items"] == []


# -- the database goes away during a stream --------------------------------------------------


@postgres_only
def test_the_stream_ends_and_the_save_is_retried_until_the_database_is_back(
    make_proxied_app, db_proxy, upstream, spool_dir, monkeypatch
):
    app = make_proxied_app(INTERVIEW_SAVE_RETRY_S="10")
    upstream.configure(text=TEXT, chunk_chars=4, chunk_delay_s=0.01)
    failed_save = watch_failed_saves(monkeypatch)
    events = open_inline_stream(app.test_client())
    start = next(events)
    db_proxy.cut()
    restorer = threading.Thread(target=lambda: failed_save.wait(10) and db_proxy.restore())
    restorer.start()

    *deltas, done = list(events)
    restorer.join()

    assert start.event == "start" and done.event == "done"
    assert "".join(delta.json()["text"] for delta in deltas) == TEXT
    assert failed_save.is_set(), "the database was back before the save"
    record = done.json()
    assert record["status"] == "completed" and record["feedback"] == TEXT
    saved = stored(app, start.json()["id"])
    assert (saved.status, saved.feedback, saved.score) == ("completed", TEXT, 7)
    assert not has_spooled(spool_dir)


@postgres_only
def test_past_the_retries_the_record_is_spooled_then_replayed_by_the_cli(
    make_proxied_app, db_proxy, upstream, spool_dir
):
    app = make_proxied_app(INTERVIEW_SAVE_RETRY_S="0.5")
    upstream.configure(text=TEXT, chunk_chars=4, chunk_delay_s=0.005)
    events = open_inline_stream(app.test_client())
    start = next(events)
    db_proxy.cut()

    *deltas, done = list(events)

    # the client has its whole feedback, and the record as the database will hold it
    assert done.event == "done"
    assert "".join(delta.json()["text"] for delta in deltas) == TEXT
    record = done.json()
    assert record["id"] == start.json()["id"]
    assert (record["status"], record["feedback"], record["score"]) == ("completed", TEXT, 7)
    [line] = spooled_lines(spool_dir)
    spooled = json.loads(line)
    assert spooled.pop("owner") is None  # the open API's records have no owner
    assert spooled == record

    runner = app.test_cli_runner()
    still_down = runner.invoke(args=["feedback", "replay-spool"])
    assert still_down.exit_code == 1 and "still spooled" in still_down.output
    assert spooled_lines(spool_dir) == [line]

    db_proxy.restore()
    assert stored(app, record["id"]).status == "streaming"
    replayed = runner.invoke(args=["feedback", "replay-spool"])

    assert replayed.exit_code == 0 and "saved 1" in replayed.output
    saved = stored(app, record["id"])
    assert (saved.status, saved.feedback, saved.score) == ("completed", TEXT, 7)
    assert saved.completed_at == datetime.fromisoformat(record["completed_at"])
    assert spooled_lines(spool_dir) == [] and not has_spooled(spool_dir)


@postgres_only
def test_a_worker_replays_the_spool_when_it_starts(make_app, server_factory, spool_dir):
    app = make_app()
    left_streaming = insert_record(app)
    long_ago = utcnow() - timedelta(minutes=5)
    swept = insert_record(app, status="interrupted", feedback="Clear and", completed_at=long_ago)
    deleted = insert_record(app)
    for created in (left_streaming, swept, deleted):
        spool_record(spool_dir, spooled_end(created))
    with app.app_context():
        db.session.delete(db.session.get(Feedback, deleted.feedback_id))
        db.session.commit()

    server_factory(INTERVIEW_SPOOL_DIR=spool_dir)

    deadline = time.monotonic() + 10
    while has_spooled(spool_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not has_spooled(spool_dir)
    for created in (left_streaming, swept):
        saved = stored(app, created.feedback_id)
        assert (saved.status, saved.feedback) == ("completed", TEXT)
    assert stored(app, deleted.feedback_id) is None  # a deleted record stays deleted


# -- replay rules, on every backend ------------------------------------------------------------


def test_replay_wins_over_the_sweep_and_leaves_saved_and_deleted_records_alone(app, spool_dir):
    left_streaming = insert_record(app, feedback="Clear")
    swept = insert_record(app, status="interrupted", feedback="Clear and", completed_at=utcnow())
    saved_after_all = insert_record(app, status="completed", feedback="Saved.", score=5)
    deleted = insert_record(app)
    stopped = insert_record(app, feedback="Cle")
    for created in (left_streaming, swept, saved_after_all, deleted):
        spool_record(spool_dir, spooled_end(created))
    spool_record(spool_dir, spooled_end(stopped, text="Clear and s", status="interrupted"))
    with app.app_context():
        db.session.delete(db.session.get(Feedback, deleted.feedback_id))
        db.session.commit()

        report = replay_spool(spool_dir)

    assert report.saved == [left_streaming.feedback_id, swept.feedback_id, stopped.feedback_id]
    assert (report.skipped, report.rejected, report.remaining) == (2, 0, 0)
    for created in (left_streaming, swept):
        record = stored(app, created.feedback_id)
        assert (record.status, record.feedback, record.score) == ("completed", TEXT, 7)
    record = stored(app, stopped.feedback_id)
    assert (record.status, record.feedback) == ("interrupted", "Clear and s")
    record = stored(app, saved_after_all.feedback_id)
    assert (record.status, record.feedback, record.score) == ("completed", "Saved.", 5)
    assert stored(app, deleted.feedback_id) is None
    assert not has_spooled(spool_dir)


# -- the spool file ----------------------------------------------------------------------------


def spooled(feedback_id: str, text: str = TEXT) -> dict:
    return {"id": feedback_id, "status": "completed", "feedback": text}


def test_concurrent_appends_and_replays_lose_and_repeat_nothing(spool_dir):
    writers, per_writer = 8, 40
    saved: list[str] = []
    appending = True

    def append(writer: int) -> None:
        for index in range(per_writer):
            spool_record(spool_dir, spooled(f"{writer}-{index}", TEXT * 20))

    def save(record: dict) -> str:
        assert record["feedback"] == TEXT * 20
        saved.append(record["id"])
        return "saved"

    def replay_while_appending() -> None:
        while appending:
            replay_spool(spool_dir, save)

    threads = [threading.Thread(target=append, args=(writer,)) for writer in range(writers)]
    replayer = threading.Thread(target=replay_while_appending)
    replayer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    appending = False
    replayer.join()
    replay_spool(spool_dir, save)

    expected = {f"{writer}-{index}" for writer in range(writers) for index in range(per_writer)}
    assert sorted(saved) == sorted(expected)
    assert not has_spooled(spool_dir)


def test_torn_and_corrupt_lines_are_reported_and_set_aside(spool_dir):
    spool_record(spool_dir, spooled("first"))
    with open(f"{spool_dir}/feedback-spool.jsonl", "ab") as spool:
        spool.write(b'not json\n["a list"]\n{"status": "completed"}\n{"id": "torn", "feedb')
    spool_record(spool_dir, spooled("after-the-tear"))
    saved: list[str] = []

    report = replay_spool(spool_dir, lambda record: saved.append(record["id"]) or "saved")

    assert saved == report.saved == ["first", "after-the-tear"]
    assert (report.rejected, report.remaining) == (4, 0)
    with open(f"{spool_dir}/{REJECTED_NAME}", "rb") as rejected:
        assert rejected.read().splitlines() == [
            b"not json",
            b'["a list"]',
            b'{"status": "completed"}',
            b'{"id": "torn", "feedb',
        ]
    assert not has_spooled(spool_dir)


def test_a_record_the_database_refuses_is_set_aside_and_the_rest_saved(spool_dir):
    for feedback_id in ("refused", "fine"):
        spool_record(spool_dir, spooled(feedback_id))

    def save(record: dict) -> str:
        if record["id"] == "refused":
            raise ValueError("not a final status")
        return "saved"

    report = replay_spool(spool_dir, save)

    assert (report.saved, report.rejected, report.remaining) == (["fine"], 1, 0)


def test_a_replay_keeps_every_line_while_the_database_is_unreachable(spool_dir):
    for feedback_id in ("one", "two"):
        spool_record(spool_dir, spooled(feedback_id))
    before = spooled_lines(spool_dir)

    def save(record: dict) -> str:
        raise OperationalError("UPDATE feedback ...", {}, ConnectionError("server closed"))

    report = replay_spool(spool_dir, save)

    assert (report.saved, report.rejected, report.remaining) == ([], 0, 2)
    assert spooled_lines(spool_dir) == before


def test_a_replay_running_in_another_process_is_left_to_it(spool_dir):
    spool_record(spool_dir, spooled("one"))
    with open(f"{spool_dir}/{REPLAY_LOCK_NAME}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = replay_spool(spool_dir, lambda record: pytest.fail("replayed twice"))
    assert report.busy and len(spooled_lines(spool_dir)) == 1


def test_a_replayed_record_keeps_its_assessment_and_an_old_line_replays_without_one(app, spool_dir):
    assessed, old = insert_record(app), insert_record(app)
    assessment = read_assessment(
        '{"question_kind": "technical", "criteria": {"relevance": 4, "structure": 4, '
        '"evidence": 4, "ownership": 4, "delivery": 4}}'
    )
    final = final_state(
        status="completed",
        feedback=TEXT,
        error=None,
        usage=None,
        first_token_ms=9,
        assessment=assessment,
    )
    spool_record(spool_dir, spool_line(assessed.ended(final)))
    line_from_before = spooled_end(old)
    del line_from_before["assessment"]  # spooled by a version without assessments
    spool_record(spool_dir, line_from_before)
    with app.app_context():
        report = replay_spool(spool_dir)

    assert report.saved == [assessed.feedback_id, old.feedback_id]
    record = stored(app, assessed.feedback_id)
    assert record.assessment == assessment and record.score == assessment["overall"] == 8
    assert stored(app, old.feedback_id).assessment is None
