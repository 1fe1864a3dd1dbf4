"""`flask --app app session ...`: mock interviews in the terminal (`run`), listed, exported.

`list` shows the terminal user's own sessions (`owner.py`), `--all` everyone's;
`export` reaches any session, as `feedback show` reaches any record.
"""

import click
from flask.cli import AppGroup, with_appcontext

from ..extensions import current_runtime
from ..feedback.records import ANYONE, get_record
from ..feedback.session_export import report_markdown
from ..feedback.session_reading import find_state, list_states
from ..models import as_utc
from .owner import terminal_owner
from .session_run import run_command

session_cli = AppGroup("session", help="Run mock interviews in the terminal, list, export them.")
session_cli.add_command(run_command)


@session_cli.command("export")
@with_appcontext
@click.argument("session_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="The file to write (replaced once complete); standard output by default.",
)
def export_command(session_id: str, output: str) -> None:
    """Export a session as Markdown: each question, answer and score, then the report."""
    state = find_state(current_runtime(), session_id, ANYONE)
    if state is None:
        raise click.ClickException(f"there is no session with id {session_id!r}")
    report = get_record(state.report.id, ANYONE) if state.report is not None else None
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        out.write(report_markdown(state, report))
    if output != "-":
        click.echo(f"exported session {session_id} to {output}", err=True)


@session_cli.command("list")
@with_appcontext
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--all", "everyone", is_flag=True, help="Every owner's sessions, not only yours.")
def list_command(limit: int, everyone: bool) -> None:
    """List sessions, newest first: id, created, status, answered, role."""
    owner = ANYONE if everyone else terminal_owner()
    states, _ = list_states(current_runtime(), owner, limit, None)
    if not states:
        click.echo("no sessions", err=True)
        return
    rows = [["id", "created", "status", "answered", "role"]]
    for state in states:
        created = as_utc(state.created_at).strftime("%Y-%m-%d %H:%M UTC")
        answered = f"{state.progress['answered']}/{state.question_count}"
        rows.append([state.session_id, created, state.status, answered, state.role])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]))
