"""`flask session run`: a mock interview in the terminal, through the sessions' domain.

The same steps as the API's /sessions: the session is made (its questions
written for a job description by the model, streamed, when one is configured),
each answer's feedback streams as `flask feedback ask` streams it, a follow-up
question after each main answer with `--follow-ups`, then the report.
Deliberate choices:
- Questions, feedback and the report go to standard output; instructions and
  the summary lines (record ids, scores, the session id) to standard error.
- Answers are taken in the order the questions are asked, follow-ups included
  (`session_answers.py`); an empty answer skips, the end of the answers ends
  the interview early, and the report covers what was answered.
- An answer the answer check refuses is not sent: typed, it is asked again;
  from a file, the question is skipped.
- Ctrl-C cancels the generation in flight (saved `interrupted`, as `ask` does)
  or stops the typing, and ends the run with status 130; the session stays.
- A generation that fails ends the run with status 1; the session stays.
  Except the questions': the session makes them up from the bank and says so.
- The session's owner is the terminal user (`owner.py`), as for `ask`.
"""

import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from ..extensions import current_runtime
from ..feedback.admission import UNCOUNTED
from ..feedback.live import Generation, Outcome
from ..feedback.maintenance import watch_live_generations
from ..feedback.runtime import Runtime
from ..feedback.session_reading import find_state
from ..feedback.session_report import start_report
from ..feedback.session_state import ANSWERED, QuestionState, SessionState, find_question
from ..feedback.sessions import (
    SessionConflict,
    Started,
    answer_question,
    ask_follow_up,
    create_session,
    skip,
)
from ..observability.logs import logs_held_back
from ..session_schemas import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    SENIORITIES,
    session_answer_request_schema,
    session_request_schema,
)
from .ask import EXIT_INTERRUPTED, report, stream_to_terminal
from .owner import terminal_owner
from .session_answers import TYPING_HELP, answers_from_files, read_text_file, typed_answers


class RunEnded(Exception):
    """The interview stops here with exit `status` (a generation interrupted or failed)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def one_line(messages: dict[str, Any]) -> str:
    """Marshmallow's messages as one line: `field: problem; ...`."""
    parts = []
    for field, problems in messages.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            parts.append(f"{field.replace('_', '-')}: {problem}")
    return "; ".join(parts)


@click.command("run")
@with_appcontext
@click.option("--role", required=True, help="The role interviewed for.")
@click.option("--seniority", type=click.Choice(SENIORITIES), default="mid", show_default=True)
@click.option(
    "--questions",
    "question_count",
    type=click.IntRange(MIN_QUESTIONS, MAX_QUESTIONS),
    default=5,
    show_default=True,
    help="How many main questions.",
)
@click.option(
    "--job-description",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A file with the job description ('-': standard input, only with --answers); "
    "with a model configured, the questions are written for it.",
)
@click.option(
    "--answers",
    "answer_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="One file per answer, in order (repeat the option), or one file with the answers "
    "separated by lines of '---'. Without it, answers are typed.",
)
@click.option("--follow-ups", is_flag=True, help="Ask one follow-up after each main answer.")
@click.option(
    "--delay-ms",
    type=click.IntRange(0, 1000),
    help="Pause between characters of the feedback (default INTERVIEW_STREAM_DELAY_MS).",
)
def run_command(
    role: str,
    seniority: str,
    question_count: int,
    job_description: str | None,
    answer_files: tuple[str, ...],
    follow_ups: bool,
    delay_ms: int | None,
) -> None:
    """Run a mock interview in the terminal: questions, feedback on each answer, the report."""
    if job_description == "-" and not answer_files:
        raise click.UsageError(
            "--job-description - reads standard input, which the typed answers need; "
            "give the answers with --answers"
        )
    body = {"role": role, "seniority": seniority, "question_count": question_count}
    if job_description is not None:
        body["job_description"] = read_text_file(job_description, "job description")
    answers = answers_from_files(answer_files) if answer_files else None
    try:
        payload = session_request_schema.load(body)
    except ValidationError as exc:
        raise click.ClickException(one_line(exc.messages)) from None
    runtime, owner = current_runtime(), terminal_owner()
    done = threading.Event()
    watch_live_generations(runtime, done)  # a cancel from the API stops these too
    interview = TerminalInterview(runtime, owner, follow_ups, delay_ms)
    try:
        status = interview.run(payload, answers)
    finally:
        done.set()
    sys.exit(status)


class TerminalInterview:
    """One run of `flask session run`: its session, and the answers it reads."""

    def __init__(
        self, runtime: Runtime, owner: str, follow_ups: bool, delay_ms: int | None
    ) -> None:
        self.runtime, self.owner = runtime, owner
        self.follow_ups, self.delay_ms = follow_ups, delay_ms
        self.session_id: str | None = None
        #: follow-up questions already shown as they were written
        self.shown: set[str] = set()

    def run(self, payload: dict[str, Any], answers: Iterator[str] | None) -> int:
        """Run the interview; return the exit status."""
        typed = answers is None
        try:
            self.start(payload)
            if typed:
                click.echo(TYPING_HELP, err=True)
                answers = typed_answers()
            self.ask_questions(answers, typed)
            self.write_report()
            status = 0
        except RunEnded as ended:
            status = ended.status
        except KeyboardInterrupt:
            click.echo("\nStopped.", err=True)
            status = EXIT_INTERRUPTED
        except SessionConflict as exc:
            raise click.ClickException(exc.message) from None
        self.print_where_it_is()
        return status

    def start(self, payload: dict[str, Any]) -> None:
        with logs_held_back():
            started = create_session(self.runtime, payload, self.owner, None, UNCOUNTED)
            state = started.state if isinstance(started, Started) else started
            self.session_id = state.session_id
            writing = started.generation if isinstance(started, Started) else None
            if writing is not None:
                click.echo(f"Writing the questions for {state.role}:\n")
                outcome = stream_to_terminal(self.runtime, writing)
        if writing is not None:
            self.end_unless_done(outcome, failure_ends=False)  # the bank fills in
            state = self.state()
        click.echo(f"Mock interview: {state.role}, {state.seniority} level.\n")
        if state.questions_note:
            click.echo(state.questions_note + "\n", err=True)

    def state(self) -> SessionState:
        return find_state(self.runtime, self.session_id, self.owner)

    def follow(self, start: Callable[[], Generation]) -> None:
        """Start a generation and stream it; end the run if it was interrupted, or failed."""
        with logs_held_back():  # from the start: a fast generation logs its end at once
            outcome = stream_to_terminal(self.runtime, start())
        self.end_unless_done(outcome)

    def end_unless_done(self, outcome: Outcome, failure_ends: bool = True) -> None:
        """Print the generation's summary line; raise `RunEnded` unless the run goes on."""
        status = report(outcome)
        click.echo("\n")  # the text ends a paragraph of standard output too
        if status == EXIT_INTERRUPTED or (status != 0 and failure_ends):
            raise RunEnded(status)

    def ask_questions(self, answers: Iterator[str], typed: bool) -> None:
        """Ask each next question until none is left or the answers end."""
        while (state := self.state()).next is not None:
            question = find_question(state, state.next)
            self.show(state, question)
            answer = self.take_answer(answers, typed)
            if answer is None:
                click.echo("The interview ends here.\n", err=True)
                return
            if not answer:
                skip(self.runtime, self.session_id, self.owner, question.number)
                click.echo(f"Question {question.number} skipped.\n", err=True)
                continue
            click.echo(f"\nFeedback on your answer to question {question.number}:\n")
            self.follow(partial(self.start_answer, question.number, answer))
            if self.follow_ups and not question.follow_up:
                self.ask_follow_up(question.number)

    def show(self, state: SessionState, question: QuestionState) -> None:
        if question.number in self.shown:
            click.echo(f"Your answer to follow-up {question.number}:", err=True)
            return
        if question.follow_up:
            click.echo(f"Follow-up {question.number}")
        else:
            click.echo(f"Question {question.position} of {state.question_count}")
        click.echo(question.text)
        if question.why:
            click.echo(f"Why: {question.why}")
        click.echo()

    def take_answer(self, answers: Iterator[str], typed: bool) -> str | None:
        """The next answer that the answer check takes: "" skips, None ends the interview."""
        while (answer := next(answers, None)) is not None:
            if not answer:
                return ""
            try:
                self.answer_payload(answer)
                return answer
            except ValidationError as exc:
                click.secho(f"Not sent: {one_line(exc.messages)}", fg="red", err=True)
                if not typed:
                    return ""
                click.echo("Answer again, or give an empty answer to skip.", err=True)
        return None

    def answer_payload(self, answer: str) -> dict[str, Any]:
        body = {"answer": answer} | ({} if self.delay_ms is None else {"delay_ms": self.delay_ms})
        return session_answer_request_schema.load(body)

    def start_answer(self, number: str, answer: str) -> Generation:
        return answer_question(
            self.runtime,
            self.session_id,
            self.owner,
            number,
            self.answer_payload(answer),
            None,
            UNCOUNTED,
        )

    def ask_follow_up(self, number: str) -> None:
        click.echo(f"Follow-up {number}a")
        self.follow(
            partial(ask_follow_up, self.runtime, self.session_id, self.owner, number, UNCOUNTED)
        )
        self.shown.add(f"{number}a")

    def write_report(self) -> None:
        state = self.state()
        if not any(q.status == ANSWERED for q in state.questions):
            click.echo("No question was answered, so there is no report.", err=True)
            return
        click.echo("Interview report\n")
        self.follow(partial(start_report, self.runtime, self.session_id, self.owner, UNCOUNTED))

    def print_where_it_is(self) -> None:
        if self.session_id is None:
            return
        state = self.state()
        progress = state.progress
        click.echo(
            f"session {state.session_id}: {state.status}, {progress['answered']} of "
            f"{progress['total']} answered, {progress['skipped']} skipped",
            err=True,
        )
        click.echo(
            f"Export it: flask --app app session export {state.session_id} -o interview.md "
            f"(or GET /api/v1/sessions/{state.session_id}/report.md)",
            err=True,
        )
