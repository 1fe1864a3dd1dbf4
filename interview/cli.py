"""Command-line tasks: `flask --app app feedback ...`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .feedback.maintenance import replay_spooled_records

feedback_cli = AppGroup("feedback", help="Work on the feedback records.")


@feedback_cli.command("replay-spool")
def replay_spool_command() -> None:
    """Save the records spooled while the database was unreachable.

    Exits 1 when records are left in the spool (the database is still
    unreachable) or another process is replaying it now.
    """
    report = replay_spooled_records(current_app, current_app.extensions["interview.bus"])
    if report.busy:
        raise click.ClickException("another process is replaying the spool; try again shortly")
    click.echo(
        f"saved {len(report.saved)}, skipped {report.skipped} (saved already, or deleted), "
        f"rejected {report.rejected}, left {report.remaining}"
    )
    if report.remaining:
        raise click.ClickException(
            f"{report.remaining} records are still spooled: the database is unreachable"
        )


def register_commands(app: Flask) -> None:
    app.cli.add_command(feedback_cli)
