"""`flask feedback ask`: feedback on an answer, streamed into the terminal.

The same pipeline as `POST /api/v1/feedback`: the request schema (with the
answer check), a `streaming` record saved first, the configured provider, the
producer thread, the pacer (INTERVIEW_STREAM_DELAY_MS unless `--delay-ms`),
and the record saved at the end. Deliberate choices:
- The feedback goes to standard output, each character when it falls due,
  flushed at once; the summary (record id, status, score) goes to standard
  error, so `> feedback.md` keeps only the feedback. Log lines (the
  generation's own, at INFO) are held while the feedback streams and written
  to standard error after it, so they never land inside the text on screen.
- Ctrl-C stops the generation as the API's cancel does: the upstream is
  closed, the characters already received are printed at once, and the record
  is saved `interrupted` with them. Ctrl-C again changes nothing; the save is
  bounded (INTERVIEW_SAVE_RETRY_S, then the spool).
- A refused request saves nothing. An answer typed at the terminal is then
  kept in a temporary file, whose name is printed, so it is not lost.
- A cancel through the API (`POST /api/v1/feedback/<id>/cancel`) stops it
  too: this process tends its generation as a worker's housekeeping does.
- Exit status: 0 completed, 1 failed or not saved, 2 refused, 130 interrupted.
"""

import os
import signal
import sys
import tempfile
import threading
from typing import Any, NoReturn

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from ..extensions import current_runtime
from ..feedback.live import Generation, Outcome
from ..feedback.maintenance import watch_live_generations
from ..feedback.runtime import Runtime
from ..feedback.service import inline_feedback_events, start_feedback
from ..models import COMPLETED, INTERRUPTED
from ..observability.logs import logs_held_back
from ..schemas import feedback_request_schema
from .owner import terminal_owner

EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 1, 2, 130
LOG_LINE_WAIT_S = 5.0


class TerminalEncoder:
    """Events as plain text: only the characters."""

    heartbeat = None

    def opening(self, start: dict[str, Any]) -> str:
        return ""

    def delta(self, index: int, text: str) -> str:
        return text

    def terminal(self, outcome: Outcome, event_id: int) -> str:
        return ""


@click.command("ask")
@with_appcontext
@click.option("--question", required=True, help="The interview question.")
@click.option("--role", help="The role applied for.")
@click.option(
    "--answer-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A UTF-8 file with the answer; standard input when not given.",
)
@click.option(
    "--delay-ms",
    type=int,
    help="Pause between characters (default INTERVIEW_STREAM_DELAY_MS).",
)
def ask_command(
    question: str, role: str | None, answer_file: str | None, delay_ms: int | None
) -> None:
    """Stream feedback on an answer into the terminal and save it as a record."""
    answer, typed = read_answer(answer_file)
    body = {"question": question, "answer": answer, "role": role, "delay_ms": delay_ms}
    try:
        payload = feedback_request_schema.load(body)
    except ValidationError as exc:
        refuse(exc.messages, answer if typed else None)
    runtime = current_runtime()
    done = threading.Event()
    watch_live_generations(runtime, done)  # a cancel from the API stops this one too
    try:
        with logs_held_back():  # from the start: a fast generation logs its end at once
            generation = start_feedback(runtime, payload, terminal_owner())
            outcome = stream_to_terminal(runtime, generation)
    finally:
        done.set()
    sys.exit(report(outcome))


def read_answer(answer_file: str | None) -> tuple[str, bool]:
    """Return the answer and whether it was typed at the terminal."""
    stdin = answer_file in (None, "-")
    typed = stdin and sys.stdin.isatty()
    if typed:
        click.echo("Type or paste your answer, then press Ctrl-D on a line of its own.", err=True)
    try:
        if stdin:
            return sys.stdin.buffer.read().decode("utf-8"), typed
        with open(answer_file, encoding="utf-8") as file:
            return file.read(), False
    except UnicodeDecodeError:
        raise click.UsageError("the answer must be UTF-8 text") from None
    except OSError as exc:
        raise click.UsageError(f"cannot read the answer: {exc.strerror}: {answer_file}") from None


def refuse(messages: Any, typed_answer: str | None) -> NoReturn:
    """Say what is wrong with the request, keep a typed answer, and exit."""
    click.secho("Refused; no record was saved:", fg="red", err=True)
    for field, problems in messages.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            click.echo(f"  {field.replace('_', '-')}: {problem}", err=True)
    if typed_answer is not None:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", prefix="interview-answer-", suffix=".txt", delete=False
        ) as kept:
            kept.write(typed_answer)
        click.echo(f"Your answer is kept in {kept.name} (use --answer-file).", err=True)
    sys.exit(EXIT_REFUSED)


def stream_to_terminal(runtime: Runtime, generation: Generation) -> Outcome:
    """Print the generation as it falls due and wait for its producer to return.

    Call it under `logs_held_back()`, entered before the generation starts.
    """
    outcome = print_feedback(runtime, generation)
    generation.wait_produced(LOG_LINE_WAIT_S)  # its log line comes last
    click.echo("", err=True)
    return outcome


def print_feedback(runtime: Runtime, generation: Generation) -> Outcome:
    """Write the characters as they fall due, until the end; Ctrl-C cancels the generation.

    Ctrl-C is handled, not raised: the stream then ends as a cancelled one
    does, so what was printed is exactly what is saved. A reader that goes
    away (`| head`) is a client that left: the generation finishes and is saved.
    """

    def stop(signum, frame) -> None:
        if not generation.cancel_requested:
            click.echo("\nStopping; saving the text so far...", err=True)
        generation.cancel()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        for chunk in inline_feedback_events(runtime, generation, TerminalEncoder()):
            sys.stdout.write(chunk.decode())
            sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # the flush at exit needs somewhere to go
        generation.wait_produced()
    finally:
        signal.signal(signal.SIGINT, previous)
    return generation.outcome


def report(outcome: Outcome) -> int:
    """Print the summary line; return the exit status."""
    record = outcome.record
    if record is None:
        click.secho(f"Not saved: {outcome.error['message']}", fg="red", err=True)
        return EXIT_FAILED
    summary = f"record {record.feedback_id}: {record.status}"
    if record.score is not None:
        summary += f", score {record.score}/10"
    if outcome.error is not None:
        summary += f" ({outcome.error['code']}: {outcome.error['message']})"
    click.echo(summary, err=True)
    if record.status == COMPLETED:
        return 0
    return EXIT_INTERRUPTED if record.status == INTERRUPTED else EXIT_FAILED
