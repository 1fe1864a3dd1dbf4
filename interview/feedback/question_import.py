"""Importing a custom question bank from CSV or JSON, and exporting the bank again.

- CSV: a header row naming the columns (`id`, `category`, `text`, `tips`,
  `role`; only `text` is required), one question a row, UTF-8 (a BOM is
  fine). An empty cell is a missing value.
- JSON: a list of objects with those keys, or `{"items": [...]}` as
  `GET /api/v1/questions` answers.
Every row is checked before anything is written (`flask questions import`
validates each with `QuestionImportSchema`); one bad row and nothing is
imported, and every problem is reported with its row. A question's key is its
`id`, else one derived from its text (`q-` and a hash of the text, spaces and
case aside), so importing the same file again updates the questions instead of
adding them twice. The whole import is one transaction.
Export writes the same formats, so an exported bank imports as it was.
"""

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Question, utcnow

FORMATS = ("csv", "json")
COLUMNS = ("id", "category", "text", "tips", "role")


class InvalidBank(ValueError):
    """The file cannot be imported; `problems` says why, each with its row where there is one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One question as read from the file, or why it cannot be read."""

    where: str  # "row N", and for CSV "(line L)"
    fields: Any
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedQuestion:
    """One question of a bank, checked, with its key."""

    question_id: str
    category: str
    text: str
    tips: str
    role: str | None


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    removed: int


def derived_id(text: str) -> str:
    """The key of a question the file gives no id: the same text (spacing, case aside), same key."""
    normal = " ".join(text.split()).casefold()
    return "q-" + hashlib.sha256(normal.encode()).hexdigest()[:16]


def read_rows(data: bytes, file_format: str) -> list[Row]:
    """Return the file's rows; raise InvalidBank when it is not a CSV or JSON bank at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidBank([f"the file is not UTF-8 text (byte {exc.start})"]) from None
    return _csv_rows(text) if file_format == "csv" else _json_rows(text)


def _csv_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        unknown = [name for name in header if name not in COLUMNS]
        if unknown or "text" not in header or len(set(header)) < len(header):
            columns = ", ".join(COLUMNS)
            got = ", ".join(header) or "nothing"
            raise InvalidBank(
                [f"the header row must name the columns {columns} (text is required); got {got}"]
            )
        rows, line = [], reader.line_num
        for number, record in enumerate(reader, start=1):
            where = f"row {number} (line {line + 1})"
            line = reader.line_num
            if None in record:
                rows.append(Row(where, None, "More cells than the header has columns."))
                continue
            rows.append(Row(where, {k: v for k, v in record.items() if v not in (None, "")}))
    except csv.Error as exc:
        raise InvalidBank([f"line {reader.line_num}: not valid CSV: {exc}"]) from None
    return rows


def _json_rows(text: str) -> list[Row]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidBank([f"line {exc.lineno}: not valid JSON: {exc.msg}"]) from None
    if isinstance(document, dict) and set(document) == {"items"}:
        document = document["items"]
    if not isinstance(document, list):
        raise InvalidBank(['the JSON must be a list of questions, or {"items": [...]}'])
    return [Row(f"row {number}", item) for number, item in enumerate(document, start=1)]


def import_questions(questions: list[ImportedQuestion], replace: bool = False) -> ImportReport:
    """Insert or update the questions by key, in one transaction.

    With `replace`, imported questions that are not in this file are deleted:
    the file becomes the whole imported bank.
    """
    keys = [question.question_id for question in questions]
    try:
        existing = {
            row.question_id: row
            for row in db.session.execute(select(Question).where(Question.question_id.in_(keys)))
            .scalars()
            .all()
        }
        removed = 0
        if replace:
            removed = db.session.execute(
                delete(Question).where(Question.question_id.not_in(keys))
            ).rowcount
        now = utcnow()
        for position, question in enumerate(questions, start=1):
            row = existing.get(question.question_id)
            if row is None:
                row = Question(question_id=question.question_id)
                db.session.add(row)
            row.category, row.text = question.category, question.text
            row.tips, row.role = question.tips, question.role
            row.position, row.imported_at = position, now
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportReport(len(questions) - len(existing), len(existing), removed)


def export_questions(questions: Iterable[dict[str, Any]], file_format: str) -> Iterable[str]:
    """Yield the bank as a file `read_rows` reads back: CSV with a header, or a JSON list."""
    if file_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for question in questions:
            writer.writerow({column: question.get(column) or "" for column in COLUMNS})
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
        return
    items = [{column: question.get(column) for column in COLUMNS} for question in questions]
    yield json.dumps(items, ensure_ascii=False, indent=1) + "\n"
