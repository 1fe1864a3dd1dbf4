"""`flask feedback ask`: the feedback streamed into a terminal, through the API's pipeline."""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select as select_rows

from interview.extensions import db
from interview.models import COMPLETED, FAILED, INTERRUPTED, STREAMING, Feedback

from .conftest import base_environment
from .fake_openai import Fault
from .servers import PROJECT_ROOT

QUESTION = "Tell me about a time you resolved a conflict."
ANSWER = (
    "Two teammates disagreed about a release. I met each of them, we agreed on a staged "
    "rollout, and we shipped on time."
)
# Graphemes of several code points: each one is one character on the screen.
TEXT = "Clear example 👍🏽, café.\r\nQuantify the result.\n\nScore: 7/10"
CHARACTERS = 56
API_KEY = "k" * 24


class Ask:
    """`flask --app app feedback ask` in a subprocess; stdout read as it arrives, with times."""

    def __init__(
        self, environ: dict[str, str], *args: str, answer: str = ANSWER, one_screen=False
    ) -> None:
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "INTERVIEW_"))
        }
        command = [sys.executable, "-m", "flask", "--app", "app", "feedback", "ask"]
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [*command, "--question", QUESTION, *args],
            cwd=PROJECT_ROOT,
            env={**inherited, **environ, "LOGNAME": "tester"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if one_screen else subprocess.PIPE,
        )
        self.process.stdin.write(answer.encode())
        self.process.stdin.close()
        self.output = b""
        self.first_byte_at: float | None = None
        self.last_byte_at: float | None = None

    def read(self, until_bytes: int | None = None, timeout: float = 30.0) -> None:
        """Read stdout until EOF (or until `until_bytes` have come)."""
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while until_bytes is None or len(self.output) < until_bytes:
            assert time.monotonic() < deadline, f"no end of output: {self.output!r}"
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            data = os.read(fd, 65536)
            if not data:
                return
            now = time.monotonic()
            self.first_byte_at = self.first_byte_at or now
            self.last_byte_at = now
            self.output += data

    def finish(self) -> tuple[int, str]:
        self.read()
        stderr = self.process.stderr.read().decode() if self.process.stderr else ""
        self.process.stdout.close()
        if self.process.stderr:
            self.process.stderr.close()
        return self.process.wait(timeout=30), stderr

    @property
    def text(self) -> str:
        return self.output.decode("utf-8")


def saved_record(app, stderr: str) -> Feedback:
    feedback_id = re.search(r"record (\S+): ", stderr).group(1)
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        db.session.commit()
        return record


def test_the_feedback_is_paced_into_the_terminal_and_saved(make_app, database_url, upstream):
    upstream.configure(text=TEXT, chunk_chars=5)
    app = make_app()
    delay_ms = 25
    environ = base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS=str(delay_ms))

    ask = Ask(environ)
    status, stderr = ask.finish()
    elapsed = time.monotonic() - ask.started

    assert status == 0, stderr
    assert ask.text == TEXT
    minimum_s = (CHARACTERS - 1) * delay_ms / 1000
    assert elapsed >= minimum_s
    # Reading the first byte may lag its writing by a scheduling slice; allow that much.
    assert ask.last_byte_at - ask.first_byte_at >= minimum_s - 0.05
    assert re.search(r"record \S+: completed, score 7/10", stderr)
    record = saved_record(app, stderr)
    assert record.status == COMPLETED
    assert record.feedback == TEXT
    assert record.answer == ANSWER and record.question == QUESTION
    assert record.owner == "cli:tester"
    assert record.delay_ms == delay_ms
    assert upstream.requests[-1].body["stream"] is True


def test_log_lines_never_land_inside_the_streamed_text(make_app, database_url, upstream):
    """Standard output and error on one screen, as in a terminal: the log line comes after."""
    upstream.configure(text=TEXT, chunk_chars=5)
    make_app()
    environ = base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS="5")

    ask = Ask(environ, one_screen=True)
    status, _ = ask.finish()

    assert status == 0, ask.text
    assert ask.text.startswith(TEXT + "\n"), ask.text
    after = ask.text[len(TEXT) :]
    assert "INFO interview.generations: generation ended" in after
    assert after.index("generation ended") < after.index("record ")


def test_delay_ms_overrides_the_configured_pace(make_app, database_url, upstream, tmp_path):
    upstream.configure(text=TEXT)
    app = make_app()
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text(ANSWER, encoding="utf-8")
    environ = base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS="1000")

    ask = Ask(environ, "--answer-file", str(answer_file), "--delay-ms", "0", answer="")
    status, stderr = ask.finish()

    assert status == 0, stderr
    assert ask.text == TEXT
    assert time.monotonic() - ask.started < (CHARACTERS - 1) * 1.0
    assert saved_record(app, stderr).delay_ms == 0


def test_ctrl_c_stops_the_generation_and_keeps_the_text_so_far(make_app, database_url, upstream):
    text = "Step by step. " * 40
    upstream.configure(text=text, chunk_chars=2, chunk_delay_s=0.02)
    app = make_app()
    environ = base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS="20")

    ask = Ask(environ)
    ask.read(until_bytes=30)
    ask.process.send_signal(signal.SIGINT)
    status, stderr = ask.finish()

    assert status == 130, stderr
    assert "interrupted" in stderr
    record = saved_record(app, stderr)
    assert record.status == INTERRUPTED
    assert record.feedback == ask.text
    assert 30 <= len(record.feedback) < len(text) and text.startswith(record.feedback)


def test_a_reader_that_goes_away_leaves_the_generation_to_finish(make_app, database_url, upstream):
    upstream.configure(text=TEXT)
    app = make_app()
    ask = Ask(base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS="20"))
    ask.read(until_bytes=5)

    ask.process.stdout.close()  # as `| head -c 5` does
    status = ask.process.wait(timeout=30)
    stderr = ask.process.stderr.read().decode()
    ask.process.stderr.close()

    assert status == 0, stderr
    record = saved_record(app, stderr)
    assert record.status == COMPLETED and record.feedback == TEXT


def test_a_cancel_through_the_api_stops_the_terminal_too(make_app, database_url, upstream):
    upstream.configure(text="Slowly does it. " * 40, chunk_chars=2, chunk_delay_s=0.02)
    app = make_app()
    ask = Ask(base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS="20"))
    ask.read(until_bytes=10)
    with app.app_context():
        feedback_id = db.session.execute(
            select_rows(Feedback.feedback_id).where(Feedback.status == STREAMING)
        ).scalar_one()
        db.session.commit()

    cancel = app.test_client().post(f"/api/v1/feedback/{feedback_id}/cancel")
    status, stderr = ask.finish()

    assert cancel.status_code == 202
    assert status == 130, stderr
    record = saved_record(app, stderr)
    assert record.feedback_id == feedback_id
    assert record.status == INTERRUPTED and record.feedback == ask.text


def test_a_refused_answer_saves_nothing_and_says_why(make_app, upstream):
    app = make_app()

    result = app.test_cli_runner().invoke(
        args=["feedback", "ask", "--question", QUESTION, "--delay-ms", "5000"],
        input="test test test",
    )

    assert result.exit_code == 2
    assert "Refused; no record was saved" in result.stderr
    assert "answer: This does not look like an answer yet" in result.stderr
    assert "delay-ms: Must be between 0 and 1000." in result.stderr
    assert upstream.requests == []
    with app.app_context():
        assert db.session.execute(select_rows(Feedback)).first() is None
        db.session.commit()


def test_an_upstream_failure_is_reported_and_saved_as_failed(make_app, upstream):
    upstream.enqueue(Fault(status=401))
    app = make_app()

    result = app.test_cli_runner().invoke(
        args=["feedback", "ask", "--question", QUESTION, "--role", "Team lead"], input=ANSWER
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.search(r"record \S+: failed \(upstream_auth: ", result.stderr)
    record = saved_record(app, result.stderr)
    assert record.status == FAILED and record.role == "Team lead"


def test_a_refused_answer_typed_at_the_terminal_is_kept(make_app, database_url, upstream):
    make_app()
    controller, terminal = pty.openpty()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "feedback", "ask", "--question", "Q?"],
        cwd=PROJECT_ROOT,
        env={**inherited, **base_environment(database_url, upstream)},
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(terminal)
    os.write(controller, b"asdf asdf asdf\n\x04")  # Ctrl-D on a line of its own ends it

    stdout, stderr = process.communicate(timeout=30)
    os.close(controller)

    assert process.returncode == 2, stderr
    assert "Type or paste your answer" in stderr
    kept = re.search(r"Your answer is kept in (\S+) \(use --answer-file\)", stderr).group(1)
    assert Path(kept).read_text(encoding="utf-8") == "asdf asdf asdf\n"
    Path(kept).unlink()


def test_records_of_the_terminal_are_not_visible_to_api_callers_with_a_key(make_app, upstream):
    upstream.configure(text="Good.")
    app = make_app(INTERVIEW_API_KEYS=API_KEY, INTERVIEW_SECRET_KEY="s" * 32)

    result = app.test_cli_runner().invoke(
        args=["feedback", "ask", "--question", QUESTION], input=ANSWER
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == "Good."
    feedback_id = re.search(r"record (\S+): completed", result.stderr).group(1)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    client = app.test_client()
    assert client.get(f"/api/v1/feedback/{feedback_id}", headers=headers).status_code == 404
    assert client.get("/api/v1/feedback", headers=headers).get_json()["items"] == []
