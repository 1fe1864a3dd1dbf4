"""`flask --app app feedback ...`: the terminal client and the records' maintenance."""

import click
from flask.cli import AppGroup

from ..extensions import current_runtime
from ..feedback.kept_audio import delete_audio_older_than
from ..feedback.maintenance import replay_spooled_records
from ..feedback.retention import delete_records_older_than
from .ask import ask_command
from .evaluate import eval_command
from .records import export_command, list_command, show_command

feedback_cli = AppGroup(
    "feedback", help="Ask for feedback, read the records, maintain them, run the eval."
)
for command in (ask_command, list_command, show_command, export_command, eval_command):
    feedback_cli.add_command(command)


@feedback_cli.command("replay-spool")
def replay_spool_command() -> None:
    """Save the records spooled while the database was unreachable.

    Exits 1 when records are left in the spool (the database is still
    unreachable) or another process is replaying it now.
    """
    report = replay_spooled_records(current_runtime())
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


@feedback_cli.command("purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    help="Defaults to INTERVIEW_RETENTION_DAYS.",
)
def purge_command(older_than_days: int | None) -> None:
    """Delete finished records older than the retention period, for good."""
    days = older_than_days or current_runtime().settings.retention_days
    if days is None:
        raise click.UsageError("set INTERVIEW_RETENTION_DAYS or pass --older-than-days")
    click.echo(f"deleted {delete_records_older_than(days)} records older than {days} days")
    if audio_dir := current_runtime().settings.audio_dir:
        deleted = delete_audio_older_than(audio_dir, days)
        click.echo(f"deleted {deleted} kept recordings older than {days} days")
