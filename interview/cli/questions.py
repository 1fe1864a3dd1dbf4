"""`flask questions import` and `export`: the custom bank (`feedback/question_import.py`)."""

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from ..feedback.question_import import (
    FORMATS,
    ImportedQuestion,
    InvalidBank,
    Row,
    derived_id,
    export_questions,
    import_questions,
    read_rows,
)
from ..feedback.questions import imported_questions, list_questions
from ..schemas import question_import_schema

questions_cli = AppGroup("questions", help="Import and export the custom question bank.")


def format_of(path: str, given: str | None) -> str:
    """The format given, else the file's extension (.csv, .json)."""
    if given:
        return given
    extension = Path(path).suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise click.UsageError(f"cannot tell the format of {path!r}; pass --format csv or json")
    return extension


def validate_bank(rows: list[Row]) -> list[ImportedQuestion]:
    """Return the rows as questions with their keys; raise InvalidBank listing every problem."""
    if not rows:
        raise InvalidBank(["the file holds no questions"])
    problems: list[str] = []
    questions: list[ImportedQuestion] = []
    first_row_of: dict[str, str] = {}
    for row in rows:
        where = row.where
        if row.problem is not None or not isinstance(row.fields, dict):
            problems.append(f"{where}: {row.problem or 'must be an object with a text'}")
            continue
        try:
            fields = question_import_schema.load(row.fields)
        except ValidationError as exc:
            problems.extend(_describe(where, exc.messages))
            continue
        question_id = fields.pop("id") or derived_id(fields["text"])
        if (earlier := first_row_of.setdefault(question_id, where)) != where:
            problems.append(f"{where}: id: {question_id!r} is already {earlier}'s")
        questions.append(ImportedQuestion(question_id=question_id, **fields))
    if problems:
        raise InvalidBank(problems)
    return questions


def _describe(where: str, messages: Any) -> list[str]:
    if not isinstance(messages, dict):
        return [f"{where}: {messages}"]
    return [
        f"{where}: {field}: {' '.join(map(str, errors)) if isinstance(errors, list) else errors}"
        for field, errors in messages.items()
    ]


@questions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--format", "file_format", type=click.Choice(FORMATS), help="Default: by extension.")
@click.option("--replace", is_flag=True, help="Delete the imported questions that are not in FILE.")
def import_command(file: str, file_format: str | None, replace: bool) -> None:
    """Import questions from a CSV or JSON file: all of them, or none when one is invalid."""
    file_format = format_of(file, file_format)
    with click.open_file(file, "rb") as source:
        data = source.read()
    try:
        questions = validate_bank(read_rows(data, file_format))
    except InvalidBank as exc:
        click.secho(f"{file}: nothing imported; fix these first:", fg="red", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    report = import_questions(questions, replace=replace)
    summary = f"imported {len(questions)} questions: {report.added} new, {report.updated} updated"
    click.echo(summary + (f", {report.removed} removed" if replace else ""))


@questions_cli.command("export")
@click.option("--format", "file_format", type=click.Choice(FORMATS), help="Default: by extension.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="The file to write; standard output (as JSON unless --format csv) by default.",
)
@click.option("--imported-only", is_flag=True, help="Leave out the built-in questions.")
def export_command(file_format: str | None, output: str, imported_only: bool) -> None:
    """Export the question bank as served, in a file `flask questions import` reads back."""
    file_format = file_format or ("json" if output == "-" else format_of(output, None))
    if imported_only:
        questions = imported_questions()
    else:
        questions = list_questions(current_app.config["INTERVIEW_BUILTIN_QUESTIONS"])
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        for text in export_questions(questions, file_format):
            out.write(text)
    click.echo(f"exported {len(questions)} questions", err=True)
