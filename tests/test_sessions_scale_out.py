"""Mock interview sessions across instances: two gunicorn servers on PostgreSQL and Redis.

A session's generations are records like any other (resume, cancel, the stale
sweep of a killed worker); the session itself is read and deleted from any
instance, and a deleted session takes all its records with it.
"""

import os
import signal
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from .interviewer import interviewer
from .sse_client import read_stream
from .test_scale_out import TEXT, get_json, post_json, wait_for_status

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

FAST = {"chunk_chars": 400, "chunk_delay_s": 0.0}


@pytest.fixture(scope="module")
def instances(server_factory, redis_url):
    """Two instances, A and B, sharing the database and Redis; dead workers judged in 2 s."""
    settings = {"REDIS_URL": redis_url, "INTERVIEW_STALE_AFTER_S": "2"}
    return server_factory(**settings), server_factory(**settings)


@pytest.fixture
def interview(fake_openai):
    """The fake upstream plays the interviewer; its report is TEXT."""
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer(report=TEXT), **FAST)
    yield fake_openai
    fake_openai.reset()


def slow(fake, chunk_chars: int, chunk_delay_s: float) -> None:
    fake.configure(chunk_chars=chunk_chars, chunk_delay_s=chunk_delay_s)


def ended(server, feedback_id: str) -> dict:
    record = wait_for_status(server, feedback_id)
    assert record["status"] == "completed", record
    return record


def answered_session(server, **fields) -> str:
    """A session on `server` whose first question is answered and its feedback saved."""
    status, session = post_json(
        server.url, "/api/v1/sessions", {"role": "Backend engineer", "question_count": 3, **fields}
    )
    assert status == 201
    if session["questions_generation"] is not None:
        ended(server, session["questions_generation"]["id"])
    sid = session["id"]
    status, started = post_json(
        server.url, f"/api/v1/sessions/{sid}/questions/1/answer", {"answer": "I led it; result?"}
    )
    assert status == 202
    ended(server, started["id"])
    return sid


def start_report(server, sid: str) -> dict:
    status, report = post_json(server.url, f"/api/v1/sessions/{sid}/report")
    assert status == 202 and report["status"] == "streaming"
    return report


def follow_in_background(server, path: str):
    return ThreadPoolExecutor(max_workers=1).submit(
        read_stream, server.url, "GET", path, timeout=30
    )


def status_code(server, method: str, path: str) -> int:
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:  # no worker to answer
        return 0


def healthy_again(server, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while status_code(server, "GET", "/healthz") != 200:
        assert time.monotonic() < deadline, "no new worker"
        time.sleep(0.1)


def test_the_report_started_on_one_instance_resumes_on_the_other(instances, interview):
    a, b = instances
    sid = answered_session(a)
    slow(interview, chunk_chars=6, chunk_delay_s=0.01)
    report = start_report(a, sid)
    events = f"/api/v1/sessions/{sid}/report/events"

    first = read_stream(b.url, "GET", events, max_events=41)
    assert [d.id for d in first.deltas()] == [str(i) for i in range(1, 41)]
    rest = read_stream(b.url, "GET", events, headers={"Last-Event-ID": "40"})
    assert [int(d.id) for d in rest.deltas()] == list(range(41, len(TEXT) + 1))
    assert first.text() + rest.text() == TEXT
    done = rest.terminal()
    assert done.event == "done" and done.id == str(len(TEXT) + 1)
    saved = done.json()
    assert saved["id"] == report["id"] and saved["kind"] == "report"
    assert saved["feedback"] == TEXT and saved["status"] == "completed"
    assert saved["session_id"] == sid and saved["metrics"]["answered"] == 1

    session = get_json(b.url, f"/api/v1/sessions/{sid}")
    assert session["status"] == "ended"
    assert session["report"]["id"] == report["id"]
    assert session["report"]["status"] == "completed"
    assert get_json(b.url, f"/api/v1/sessions/{sid}/report")["feedback"] == TEXT


def test_a_report_whose_worker_was_killed_ends_interrupted_and_can_be_asked_again(
    instances, interview
):
    a, b = instances
    sid = answered_session(a)
    slow(interview, chunk_chars=2, chunk_delay_s=0.05)  # 6 s for the whole report
    report = start_report(a, sid)
    follower = follow_in_background(b, f"/api/v1/sessions/{sid}/report/events")
    time.sleep(1.0)
    [worker] = a.worker_pids()
    os.kill(worker, signal.SIGKILL)

    record = wait_for_status(b, report["id"], timeout=15)
    assert record["status"] == "interrupted"
    assert 0 < len(record["feedback"]) < len(TEXT) and TEXT.startswith(record["feedback"])
    stream = follower.result(timeout=10)
    assert stream.terminal().json()["status"] == "interrupted"
    assert stream.text() == record["feedback"]
    session = get_json(b.url, f"/api/v1/sessions/{sid}")
    assert session["status"] == "ended"
    assert session["report"] == {
        "id": report["id"],
        "status": "interrupted",
        "events_url": report["events_url"],
    }

    # the candidate asks again: a new report, written on the other instance
    interview.configure(**FAST)
    again = start_report(b, sid)
    assert again["id"] != report["id"]
    assert ended(b, again["id"])["feedback"] == TEXT
    assert get_json(b.url, f"/api/v1/sessions/{sid}")["report"]["id"] == again["id"]
    healthy_again(a)  # its arbiter started a new worker
    assert get_json(a.url, f"/api/v1/sessions/{sid}")["report"]["status"] == "completed"


def test_cancel_on_one_instance_interrupts_the_report_on_the_other(instances, interview):
    a, b = instances
    sid = answered_session(a)
    slow(interview, chunk_chars=2, chunk_delay_s=0.05)
    report = start_report(a, sid)
    time.sleep(0.6)
    status, body = post_json(b.url, f"/api/v1/feedback/{report['id']}/cancel")
    assert status == 202 and body["status"] == "cancelling"

    record = wait_for_status(a, report["id"], timeout=5)
    assert record["status"] == "interrupted"
    assert 0 < len(record["feedback"]) < len(TEXT) and TEXT.startswith(record["feedback"])
    assert get_json(b.url, f"/api/v1/sessions/{sid}")["report"]["status"] == "interrupted"


def rows_of_session(database_url: str, sid: str) -> dict[str, int]:
    """How many rows of each table belong to the session, read straight from the database."""
    with psycopg.connect(database_url) as connection:
        return {
            table: connection.execute(
                f"SELECT count(*) FROM {table} WHERE {column} = %s", (sid,)
            ).fetchone()[0]
            for table, column in (
                ("feedback", "session_id"),
                ("session_question", "session_id"),
                ("interview_session", "id"),
            )
        }


def test_deleting_a_session_on_one_instance_stops_its_report_on_the_other(
    instances, interview, database_url
):
    a, b = instances
    sid = answered_session(a, job_description="We run payments on Postgres.")
    status, follow_up = post_json(a.url, f"/api/v1/sessions/{sid}/questions/1/follow-up")
    assert status == 202
    ended(a, follow_up["id"])
    session = get_json(a.url, f"/api/v1/sessions/{sid}")
    status, answer_1a = post_json(
        a.url, f"/api/v1/sessions/{sid}/questions/1a/answer", {"answer": "The result: 40%."}
    )
    ended(a, answer_1a["id"])
    records = [session["questions_generation"]["id"], follow_up["id"], answer_1a["id"]]
    records.append(session["questions"][0]["feedback_id"])
    aborted_before = interview.stats.streams_aborted_by_client
    slow(interview, chunk_chars=2, chunk_delay_s=0.05)
    report = start_report(a, sid)
    follower = follow_in_background(a, report["events_url"])
    time.sleep(0.6)

    assert status_code(b, "DELETE", f"/api/v1/sessions/{sid}") == 204
    stream = follower.result(timeout=10)  # the generation stopped: its stream ended
    assert TEXT.startswith(stream.text()) and len(stream.text()) < len(TEXT)
    deadline = time.monotonic() + 3
    while interview.stats.streams_aborted_by_client == aborted_before:
        assert time.monotonic() < deadline, "the upstream stream was not closed"
        time.sleep(0.05)
    time.sleep(0.5)  # the producer's final save, had it resurrected anything
    assert rows_of_session(database_url, sid) == {
        "feedback": 0,
        "session_question": 0,
        "interview_session": 0,
    }
    for server in (a, b):
        assert status_code(server, "GET", f"/api/v1/sessions/{sid}") == 404
        for feedback_id in [*records, report["id"]]:
            assert status_code(server, "GET", f"/api/v1/feedback/{feedback_id}") == 404
    # its followers were told: deleted (or, had the producer saved between the
    # cancel flag and the delete, interrupted)
    terminal = stream.terminal()
    assert (terminal.event, terminal.json().get("code") or terminal.json()["status"]) in {
        ("error", "deleted"),
        ("done", "interrupted"),
    }
