"""`flask feedback list`, `show` and `export`: the records, read from the terminal.

`list` shows the terminal user's own records (`owner.py`), `--all` everyone's;
`show` and `export` reach any record: whoever runs `flask` holds the
database's credentials, so owners scope the API, not this.
"""

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import click
from flask.cli import with_appcontext

from ..feedback.records import ANYONE, get_record, iter_records, list_records
from ..feedback.rubric import SCALE_MAX
from ..models import STATUSES, Feedback
from ..schemas import feedback_schema
from .owner import terminal_owner

#: Every field of the API's record, then the owner.
EXPORT_FIELDS = (*feedback_schema.fields, "owner")
QUESTION_WIDTH = 50
#: Records read per query while exporting.
EXPORT_BATCH = 500


def record_data(record: Feedback) -> dict[str, Any]:
    """The record as the API serializes it, plus its owner."""
    return {**feedback_schema.dump(record), "owner": record.owner}


def when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC") if iso else "-"


def one_line(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


@click.command("list")
@with_appcontext
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--status", type=click.Choice(STATUSES), help="Only records in this status.")
@click.option("--all", "everyone", is_flag=True, help="Every owner's records, not only yours.")
def list_command(limit: int, status: str | None, everyone: bool) -> None:
    """List records, newest first: id, created, status, score, question."""
    owner = ANYONE if everyone else terminal_owner()
    records, _ = list_records(owner, limit, status=status)
    if not records:
        click.echo("no records", err=True)
        return
    columns = ["id", "created", "status", "score", *(["owner"] if everyone else []), "question"]
    rows = []
    for record in records:
        data = record_data(record)
        score = "-" if data["score"] is None else str(data["score"])
        row = [data["id"], when(data["created_at"]), data["status"], score]
        if everyone:
            row.append(record.owner or "-")
        rows.append([*row, one_line(data["question"], QUESTION_WIDTH)])
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(len(columns) - 1)]
    for row in [columns, *rows]:
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*padded, row[-1]]))


@click.command("show")
@with_appcontext
@click.argument("feedback_id")
@click.option("--json", "as_json", is_flag=True, help="The record as JSON, for programs.")
def show_command(feedback_id: str, as_json: bool) -> None:
    """Show one record in full."""
    record = get_record(feedback_id, ANYONE)
    if record is None:
        raise click.ClickException(f"there is no record with id {feedback_id!r}")
    data = record_data(record)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    error = data["error"]
    facts = {
        "id": data["id"],
        "owner": data["owner"] or "-",
        "status": data["status"] + (f" ({error['code']}: {error['message']})" if error else ""),
        "score": f"{data['score']}/10" if data["score"] is not None else "-",
        "created": when(data["created_at"]),
        "completed": when(data["completed_at"]),
        "model": f"{data['provider']} {data['model']} (prompt {data['prompt_version']})"
        + sampling(data),
        "pace": f"{data['delay_ms']} ms a character; first token after "
        + (f"{data['first_token_ms']} ms" if data["first_token_ms"] is not None else "-"),
    }
    for name, value in facts.items():
        click.echo(f"{name + ':':11}{value}")
    sections = {"Question": data["question"], "Role": data["role"], "Answer": data["answer"]}
    sections["Feedback"] = data["feedback"]
    sections["Assessment"] = assessment_text(data["assessment"])
    for title, text in sections.items():
        if text:
            click.echo(f"\n{title}\n{text.rstrip()}")


def sampling(data: dict[str, Any]) -> str:
    """`, temperature T, seed S` as sent to the model; nothing where nothing was sampled."""
    parts = [f"temperature {data['temperature']:g}"] if data["temperature"] is not None else []
    if data["seed"] is not None:
        parts.append(f"seed {data['seed']}")
    return "".join(f", {part}" for part in parts)


def assessment_text(assessment: dict[str, Any] | None) -> str:
    """The assessment as lines to read: status, who judged, kind, each criterion, STAR."""
    if assessment is None:
        return ""  # a record made before assessments
    head = assessment["status"] + (f" ({assessment['reason']})" if assessment["reason"] else "")
    lines = [f"{'status:':11}{head}"]
    if assessment.get("method"):  # absent on assessments stored before it
        lines.append(f"{'method:':11}{assessment['method']}")
    if assessment["question_kind"]:
        lines.append(f"{'question:':11}{assessment['question_kind']}")
    for name, score in assessment["criteria"].items():
        lines.append(f"{name + ':':11}{score}/{SCALE_MAX}")
    if assessment["overall"] is not None:
        lines.append(f"{'overall:':11}{assessment['overall']}/10 (derived)")
    for part, judged in (assessment["star"] or {}).items():
        if judged is not None:
            quote = f' "{judged["quote"]}"' if judged["quote"] else ""
            lines.append(f"{part + ':':11}{judged['status']}{quote}")
    return "\n".join(lines)


@click.command("export")
@with_appcontext
@click.option("--format", "file_format", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="The file to write (replaced once complete); standard output by default.",
)
def export_command(file_format: str, output: str) -> None:
    """Export every record, oldest first: JSON Lines or CSV."""
    rows = (record_data(record) for record in iter_records(EXPORT_BATCH))
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        count = (write_csv if file_format == "csv" else write_jsonl)(rows, out)
    click.echo(f"exported {count} record{'' if count == 1 else 's'}", err=True)


def write_jsonl(rows: Iterable[dict[str, Any]], out) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out) -> int:
    """One column per field; `error`, `metrics`, `usage` and `assessment` hold their JSON."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()})
        count += 1
    return count
