"""`flask session run`, `export` and `list`: a mock interview in the terminal."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from interview.cli.owner import terminal_owner
from interview.extensions import current_runtime, db
from interview.feedback.records import ANYONE
from interview.feedback.session_reading import find_state
from interview.models import COMPLETED, ENDED, INTERRUPTED, Feedback, InterviewSession

from .conftest import base_environment
from .fake_openai import Fault
from .interviewer import FOLLOW_UP, QUESTIONS, REPORT, interviewer
from .servers import PROJECT_ROOT

ANSWERS = [
    "I led the move to a partitioned cluster; the result was p99 down from 900 ms to 80 ms.",
    "I would store an idempotency key per payment and check it before charging again.",
    "I like the product and the team seems nice to work with honestly.",
]
JOB = "We run payments at scale on Postgres."


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(
        args=["session", "run", "--role", "Backend engineer", *args], input=input
    )


def session_of(app, result):
    """The session the run made, read back through the domain."""
    session_id = re.search(r"session (\S+): ", result.stderr).group(1)
    with app.app_context():
        return find_state(current_runtime(), session_id, ANYONE)


def session_count(app) -> int:
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(InterviewSession)).scalar()
        db.session.commit()
        return count


def test_typed_answers_with_model_questions_a_skip_and_the_report(make_app, upstream, tmp_path):
    upstream.configure(text_for=interviewer())
    app = make_app()
    job = tmp_path / "job.txt"
    job.write_text(JOB, encoding="utf-8")
    typed = f"{ANSWERS[0]}\n\n\n{ANSWERS[2]}\nSecond line of it.\n\n"

    result = run(app, "--questions", "3", "--job-description", str(job), input=typed)

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Writing the questions for Backend engineer" in out
    for number, (_, text, why) in enumerate(QUESTIONS, start=1):
        assert f"{number}. [" in out  # the model's list, as it was written
        assert f"Question {number} of 3\n{text}\nWhy: {why}" in out
    assert out.count("Good answer.") == 2
    assert out.index("Question 3 of 3") < out.index("Interview report") < out.index(REPORT)
    assert "end it with an empty line" in result.stderr
    assert "Question 2 skipped." in result.stderr
    assert "/api/v1/sessions/" in result.stderr and "session export" in result.stderr
    state = session_of(app, result)
    assert state.owner == terminal_owner() and state.question_source == "model"
    assert state.status == ENDED and state.report.status == COMPLETED
    assert [q.status for q in state.questions] == ["answered", "skipped", "answered"]
    third = state.questions[2].answer_record
    assert third.answer == f"{ANSWERS[2]}\nSecond line of it."
    with app.app_context():
        assert db.session.get(Feedback, state.report.id).feedback == REPORT
        db.session.commit()


def test_answers_from_files_with_follow_ups(make_app, upstream, tmp_path):
    upstream.configure(text_for=interviewer())
    app = make_app()
    paths = []
    for index, text in enumerate([ANSWERS[0], "It cut our costs by a third.", ANSWERS[1]]):
        paths += ["--answers", str(tmp_path / f"{index}.txt")]
        (tmp_path / f"{index}.txt").write_text(text, encoding="utf-8")

    result = run(app, "--questions", "3", "--follow-ups", *paths)

    assert result.exit_code == 0, result.output
    assert f"Follow-up 1a\n{FOLLOW_UP}" in result.stdout
    assert result.stdout.count(FOLLOW_UP) == 2  # on answers 1 and 2, each shown once
    assert result.stdout.count("Follow-up 1a") == 1
    assert "Your answer to follow-up 1a:" in result.stderr
    state = session_of(app, result)
    numbers = {q.number: q for q in state.questions}
    assert numbers["1a"].text == FOLLOW_UP
    assert numbers["1a"].answer_record.answer == "It cut our costs by a third."
    assert numbers["2"].answer_record.answer == ANSWERS[1]
    # the answers ran out after question 2's: its follow-up was written, then the interview ended
    assert numbers["2a"].status == "pending" and numbers["3"].status == "pending"
    assert "The interview ends here." in result.stderr
    assert state.status == ENDED and state.report.status == COMPLETED


def test_the_offline_provider_runs_a_session_from_one_file_of_answers(make_app, tmp_path):
    app = make_app(INTERVIEW_PROVIDER="offline")
    answers = tmp_path / "answers.txt"
    answers.write_text(f"{ANSWERS[0]}\n---\n\n---\n{ANSWERS[2]}\n", encoding="utf-8")
    job = tmp_path / "job.txt"
    job.write_text(JOB, encoding="utf-8")

    result = run(app, "--questions", "3", "--job-description", str(job), "--answers", str(answers))

    assert result.exit_code == 0, result.output
    assert "No model is configured" in result.stderr
    assert "Writing the questions" not in result.stdout
    assert result.stdout.count("Offline analysis (no AI model was used)") == 3  # 2 answers, report
    assert "You answered 2 questions and skipped 1" in result.stdout
    state = session_of(app, result)
    assert [q.status for q in state.questions] == ["answered", "skipped", "answered"]
    assert state.status == ENDED

    exported = tmp_path / "interview.md"
    export = app.test_cli_runner().invoke(
        args=["session", "export", "-o", str(exported), "--", state.session_id]
    )
    assert export.exit_code == 0, export.output
    markdown = exported.read_text(encoding="utf-8")
    assert markdown.startswith("# Mock interview: Backend engineer\n")
    assert f"> {ANSWERS[2]}" in markdown and "*skipped*" in markdown
    assert "## Report" in markdown and "You answered 2 questions and skipped 1" in markdown

    listed = app.test_cli_runner().invoke(args=["session", "list"])
    row = rf"{re.escape(state.session_id)} .* ended +2/3 +Backend engineer"
    assert re.search(row, listed.output)


def test_end_of_input_ends_the_interview_early(make_app, upstream):
    upstream.configure(text_for=interviewer())
    app = make_app()

    result = run(app, "--questions", "4", input=ANSWERS[1])

    assert result.exit_code == 0, result.output
    assert "Question 2 of 4" in result.stdout and "Question 3 of 4" not in result.stdout
    assert REPORT in result.stdout
    state = session_of(app, result)
    assert state.progress["answered"] == 1 and state.status == ENDED


def test_no_answer_at_all_makes_no_report(make_app, upstream):
    app = make_app()

    result = run(app, input="\n\n\n")

    assert result.exit_code == 0, result.output
    assert "no report" in result.stderr
    state = session_of(app, result)
    assert state.report is None and state.progress["skipped"] == 3
    assert upstream.requests == []


def test_a_refused_answer_typed_is_asked_again(make_app, upstream):
    upstream.configure(text_for=interviewer())
    app = make_app()

    result = run(app, "--questions", "3", input=f"test test test\n\n{ANSWERS[0]}\n\n")

    assert result.exit_code == 0, result.output
    assert "Not sent: answer: This does not look like an answer yet" in result.stderr
    state = session_of(app, result)
    assert state.questions[0].answer_record.answer == ANSWERS[0]
    assert len(upstream.requests) == 2  # the feedback on the accepted answer, the report


def test_failed_questions_come_from_the_bank_and_the_interview_goes_on(
    make_app, upstream, tmp_path
):
    upstream.configure(text_for=interviewer())
    upstream.enqueue(Fault(status=500))
    app = make_app()
    job = tmp_path / "job.txt"
    job.write_text(JOB, encoding="utf-8")

    result = run(app, "--questions", "3", "--job-description", str(job), input=ANSWERS[0])

    assert result.exit_code == 0, result.output
    assert re.search(r"record \S+: failed \(upstream", result.stderr)
    assert "The model wrote 0 of 3 questions; 3 come from the question bank." in result.stderr
    assert REPORT in result.stdout
    state = session_of(app, result)
    assert [q.source for q in state.questions] == ["bank"] * 3
    assert state.status == ENDED


def test_a_failed_feedback_ends_the_run_and_keeps_the_session(make_app, upstream):
    upstream.enqueue(Fault(status=401))
    app = make_app()

    result = run(app, input=f"{ANSWERS[0]}\n\n{ANSWERS[1]}\n\n")

    assert result.exit_code == 1
    assert re.search(r"record \S+: failed \(upstream_auth: ", result.stderr)
    assert "Question 2 of 5" not in result.stdout and "Interview report" not in result.stdout
    state = session_of(app, result)
    assert state.status == "active" and state.questions[0].feedback_status == "failed"
    assert "session export" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--questions", "2"], "2 is not in the range 3<=x<=10"),
        (["--questions", "11"], "11 is not in the range 3<=x<=10"),
        (["--answers", "missing.txt"], "cannot read the answers: No such file or directory"),
        (["--job-description", "missing.txt"], "cannot read the job description"),
        (["--job-description", "-"], "give the answers with --answers"),
        (["--delay-ms", "5000"], "5000 is not in the range 0<=x<=1000"),
    ],
)
def test_bad_options_fail_cleanly_and_save_nothing(make_app, upstream, args, message):
    app = make_app()

    result = run(app, *args, input="")

    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert session_count(app) == 0 and upstream.requests == []


def test_a_role_too_long_is_one_clean_line(make_app):
    app = make_app()

    result = app.test_cli_runner().invoke(args=["session", "run", "--role", "x" * 201], input="")

    assert result.exit_code == 1
    assert result.stderr == "Error: role: Length must be between 1 and 200.\n"
    assert session_count(app) == 0


def test_export_of_an_unknown_session_fails_cleanly(make_app):
    result = make_app().test_cli_runner().invoke(args=["session", "export", "nope"])

    assert result.exit_code == 1
    assert result.stderr == "Error: there is no session with id 'nope'\n"


def run_in_process(environ: dict[str, str], *args: str) -> subprocess.Popen:
    """`flask session run` in a subprocess, its standard input left open."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "INTERVIEW_"))}
    command = [sys.executable, "-m", "flask", "--app", "app", "session", "run"]
    return subprocess.Popen(
        [*command, "--role", "Backend engineer", *args],
        cwd=PROJECT_ROOT,
        env={**inherited, **environ},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_until(process: subprocess.Popen, marker: bytes) -> bytes:
    output = b""
    deadline = time.monotonic() + 30
    while marker not in output:
        assert time.monotonic() < deadline, output
        output += os.read(process.stdout.fileno(), 4096)
    return output


def test_ctrl_c_saves_the_feedback_so_far_and_exits_130(make_app, database_url, upstream, tmp_path):
    upstream.configure(text="Step by step. " * 40, chunk_chars=2, chunk_delay_s=0.02)
    app = make_app()
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS[0], encoding="utf-8")
    environ = base_environment(database_url, upstream, INTERVIEW_STREAM_DELAY_MS="20")
    process = run_in_process(environ, "--answers", str(answers))

    output = read_until(process, b"Step by step. Step")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 130, stderr
    feedback_id = re.search(rb"record (\S+): interrupted", stderr).group(1).decode()
    with app.app_context():
        record = db.session.get(Feedback, feedback_id)
        db.session.commit()
    assert record.status == INTERRUPTED and record.session_id is not None
    assert (output + stdout).decode().endswith(record.feedback + "\n\n")
    assert b"Interview report" not in stdout
    assert re.search(rb"session \S+: active, 1 of 5 answered", stderr)


def test_ctrl_c_while_typing_stops_the_interview(make_app, database_url, upstream):
    make_app()
    process = run_in_process(base_environment(database_url, upstream))

    read_until(process, b"Why: ")
    time.sleep(0.3)  # into the read of the answer
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert re.search(rb"Stopped.\nsession \S+: active, 0 of 5 answered", stderr)
    assert upstream.requests == []
