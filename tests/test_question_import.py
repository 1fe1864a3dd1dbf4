"""`flask questions import` / `export`, and the imported questions served by the API and page."""

import json

import pytest
from sqlalchemy import func, select

from interview.extensions import db
from interview.feedback.question_import import derived_id
from interview.feedback.questions import builtin_questions
from interview.models import Question

CSV_BANK = (
    "id,category,text,tips,role\n"
    "sre-01,technical,How would you find why an API got slow yesterday?,Start from the data.,SRE\n"
    ',leadership,"Tell me about a time you\nchanged a team\'s mind.",,\n'
    ",,What would you like to ask us?,,\n"
)


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def stored_questions(app) -> list[Question]:
    with app.app_context():
        rows = db.session.execute(select(Question).order_by(Question.position)).scalars().all()
        db.session.commit()
        return list(rows)


def count_questions(app) -> int:
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(Question)).scalar_one()
        db.session.commit()
        return count


def test_a_csv_bank_is_imported_and_served_with_the_built_in_questions(app, client, tmp_path):
    bank = tmp_path / "bank.csv"
    bank.write_text(CSV_BANK, encoding="utf-8")

    result = run(app, "questions", "import", str(bank))

    assert result.exit_code == 0, result.output
    assert "imported 3 questions: 3 new, 0 updated" in result.output
    rows = stored_questions(app)
    assert [(r.question_id, r.category, r.role) for r in rows] == [
        ("sre-01", "technical", "SRE"),
        (derived_id("Tell me about a time you\nchanged a team's mind."), "leadership", None),
        (derived_id("What would you like to ask us?"), "general", None),
    ]
    served = client.get("/api/v1/questions").get_json()["items"]
    assert len(served) == len(builtin_questions()) + 3
    sre = next(q for q in served if q["id"] == "sre-01")
    assert sre == {
        "id": "sre-01",
        "category": "technical",
        "text": "How would you find why an API got slow yesterday?",
        "tips": "Start from the data.",
        "role": "SRE",
    }
    general = client.get("/api/v1/questions?category=general").get_json()["items"]
    assert [q["text"] for q in general] == ["What would you like to ask us?"]
    page = client.get("/").get_data(as_text=True)
    assert 'data-role="SRE"' in page and '<optgroup label="General">' in page


def test_importing_the_same_file_again_updates_instead_of_duplicating(app, tmp_path):
    bank = tmp_path / "bank.csv"
    bank.write_text(CSV_BANK, encoding="utf-8")
    run(app, "questions", "import", str(bank))
    bank.write_text(CSV_BANK.replace("Start from the data.", "Begin with the graphs."), "utf-8")

    result = run(app, "questions", "import", str(bank))

    assert result.exit_code == 0, result.output
    assert "3 questions: 0 new, 3 updated" in result.output
    assert count_questions(app) == 3
    assert stored_questions(app)[0].tips == "Begin with the graphs."


def test_an_invalid_row_imports_nothing_and_every_problem_is_reported(app, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"id": "keep-1", "text": "Why this company?"}]), "utf-8")
    run(app, "questions", "import", str(good))
    bad = tmp_path / "bad.json"
    rows = [
        {"text": "A fine question?"},
        {"category": "technical"},
        {"text": "Why?", "category": "astrology", "tip": "typo"},
        {"id": "keep-1", "text": "   "},
        {"text": "A fine question?"},
    ]
    bad.write_text(json.dumps(rows), "utf-8")

    result = run(app, "questions", "import", str(bad), "--replace")

    assert result.exit_code == 1
    output = result.output
    assert "nothing imported" in output
    assert "row 2: text: Missing data for required field." in output
    assert "row 3: category: Must be one of: behavioural" in output
    assert "row 3: tip: Unknown field." in output
    assert "row 4: text: Length must be between 1 and 2000." in output
    assert "row 5: id:" in output and "row 1's" in output
    assert [r.question_id for r in stored_questions(app)] == ["keep-1"]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("bank.csv", "question\nWhy?\n", "the header row must name the columns"),
        ("bank.csv", "text\n", "the file holds no questions"),
        ("bank.csv", 'text,tips\nWhy?,"a, b",extra\n', "row 1 (line 2): More cells"),
        ("bank.csv", "text,text\nWhy?,How?\n", "the header row must name the columns"),
        ("bank.json", '{"questions": []}', "must be a list of questions"),
        ("bank.json", '["Why?"]', "row 1: must be an object with a text"),
        ("bank.json", "[1, 2", "line 1: not valid JSON"),
        ("bank.json", b'["caf\xe9"]', "not UTF-8"),
    ],
)
def test_files_that_are_not_a_bank_are_refused(app, tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())

    result = run(app, "questions", "import", str(path))

    assert result.exit_code == 1
    assert problem in result.output
    assert count_questions(app) == 0


def test_export_round_trips_through_import(app, tmp_path):
    bank = tmp_path / "bank.csv"
    bank.write_text(CSV_BANK, encoding="utf-8")
    run(app, "questions", "import", str(bank))
    exported = {}
    for file_format in ("csv", "json"):
        path = tmp_path / f"export.{file_format}"
        result = run(app, "questions", "export", "--output", str(path), "--imported-only")
        assert result.exit_code == 0, result.output
        exported[file_format] = path.read_text("utf-8")
    before = [(r.question_id, r.category, r.text, r.tips, r.role) for r in stored_questions(app)]

    for file_format in ("csv", "json"):
        result = run(app, "questions", "import", str(tmp_path / f"export.{file_format}"))
        assert result.exit_code == 0, result.output
        assert "0 new, 3 updated" in result.output
        again = run(app, "questions", "export", "--format", file_format, "--imported-only")
        assert again.stdout == exported[file_format]

    after = [(r.question_id, r.category, r.text, r.tips, r.role) for r in stored_questions(app)]
    assert after == before


def test_the_whole_bank_exports_in_its_order(app):
    everything = json.loads(run(app, "questions", "export").stdout)
    assert [q["id"] for q in everything] == [q["id"] for q in builtin_questions()]
    assert run(app, "questions", "export", "--format", "csv").stdout.startswith(
        "id,category,text,tips,role\n"
    )


def test_replacing_a_built_in_question_and_serving_only_imported_ones(make_app, tmp_path):
    app = make_app()
    bank = tmp_path / "bank.json"
    bank.write_text(json.dumps({"items": [{"id": "beh-01", "text": "Our own first question?"}]}))
    assert run(app, "questions", "import", str(bank)).exit_code == 0

    served = app.test_client().get("/api/v1/questions").get_json()["items"]
    assert [q["text"] for q in served if q["id"] == "beh-01"] == ["Our own first question?"]
    assert len(served) == len(builtin_questions())

    only_imported = make_app(INTERVIEW_BUILTIN_QUESTIONS="off").test_client()
    items = only_imported.get("/api/v1/questions").get_json()["items"]
    assert [q["id"] for q in items] == ["beh-01"]
