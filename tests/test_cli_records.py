"""`flask feedback list`, `show` and `export`."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from interview.cli.owner import terminal_owner
from interview.cli.records import EXPORT_FIELDS, assessment_text
from interview.extensions import db
from interview.models import FAILED, INTERRUPTED

from .factories import feedback_record

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ASSESSMENT = {
    "version": "1",
    "status": "complete",
    "reason": None,
    "question_kind": "behavioural",
    "criteria": dict.fromkeys(("relevance", "structure", "evidence", "ownership", "delivery"), 3),
    "star": {
        "situation": {"status": "present", "quote": "our launch slipped"},
        "task": {"status": "missing", "quote": ""},
        "action": {"status": "partial", "quote": "we met"},
        "result": {"status": "present", "quote": "shipped a week later"},
    },
    "overall": 6,
}


@pytest.fixture
def records(app):
    """Three records of the terminal's user and one of an API caller, oldest first."""
    me = terminal_owner()
    made = [
        feedback_record(
            owner=me,
            question="Why us?",
            feedback="Good.",
            score=6,
            assessment=ASSESSMENT,
            temperature=0.2,
            seed=42,
            created_at=START,
        ),
        feedback_record(
            owner=me,
            question="Tell me about a   time you\nled a team through a difficult migration.",
            feedback="Partial",
            status=INTERRUPTED,
            created_at=START + timedelta(minutes=1),
        ),
        feedback_record(
            owner=me,
            feedback="",
            status=FAILED,
            error={"code": "upstream_auth", "message": "The model service refused the key."},
            usage={"total_tokens": 3},
            created_at=START + timedelta(minutes=2),
        ),
        feedback_record(owner="key:someone", question="Theirs?", created_at=START),
    ]
    with app.app_context():
        db.session.add_all(made)
        db.session.commit()
        return [record.feedback_id for record in made]


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_list_shows_my_records_newest_first_as_a_table(app, records):
    result = run(app, "feedback", "list")

    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "created", "status", "score", "question"]
    assert [row.split()[0] for row in rows] == [records[2], records[1], records[0]]
    assert "2026-11-30 09:01 UTC  interrupted  -" in rows[1]
    assert rows[1].endswith("Tell me about a time you led a team through a dif…")
    assert "completed    6      Why us?" in rows[2]


def test_list_filters_by_status_limits_and_shows_everyone_on_request(app, records):
    failed = run(app, "feedback", "list", "--status", "failed").stdout.splitlines()
    assert [row.split()[0] for row in failed[1:]] == [records[2]]
    limited = run(app, "feedback", "list", "--limit", "1").stdout.splitlines()
    assert len(limited) == 2
    everyone = run(app, "feedback", "list", "--all").stdout
    assert "key:someone" in everyone and "owner" in everyone.splitlines()[0]
    assert run(app, "feedback", "list", "--status", "lost").exit_code == 2


def test_show_prints_the_whole_record_or_its_json(app, records):
    readable = run(app, "feedback", "show", "--", records[2])
    assert readable.exit_code == 0, readable.output
    assert (
        "status:    failed (upstream_auth: The model service refused the key.)" in readable.stdout
    )
    assert f"owner:     {terminal_owner()}" in readable.stdout
    assert "\nAnswer\nBecause I care about it.\n" in readable.stdout

    assessed = run(app, "feedback", "show", "--", records[0]).stdout
    assert "model:     openai m (prompt v), temperature 0.2, seed 42\n" in assessed
    assert "\nAssessment\nstatus:    complete\nquestion:  behavioural\nrelevance: 3/5\n" in assessed
    assert "overall:   6/10 (derived)\n" in assessed
    assert 'situation: present "our launch slipped"\ntask:      missing\n' in assessed
    assert "Assessment" not in readable.stdout  # a record without one

    as_json = json.loads(run(app, "feedback", "show", "--json", "--", records[0]).stdout)
    assert as_json["assessment"] == ASSESSMENT
    api = app.test_client().get(f"/api/v1/feedback/{records[0]}").get_json()
    assert as_json == {**api, "owner": terminal_owner()}


def test_show_of_an_unknown_id_fails_clearly(app, records):
    result = run(app, "feedback", "show", "nope")
    assert result.exit_code == 1
    assert "there is no record with id 'nope'" in result.stderr


@pytest.mark.parametrize("batch_size", [2, 500])
def test_export_writes_every_record_with_the_api_fields_and_owner(
    app, records, tmp_path, monkeypatch, batch_size
):
    monkeypatch.setattr("interview.cli.records.EXPORT_BATCH", batch_size)
    api = {
        item["id"]: item
        for item in app.test_client().get("/api/v1/feedback?limit=100").get_json()["items"]
    }

    lines = run(app, "feedback", "export", "--format", "jsonl").stdout.splitlines()
    output = tmp_path / "records.csv"
    result = run(app, "feedback", "export", "--format", "csv", "--output", str(output))

    exported = [json.loads(line) for line in lines]
    ids = [row["id"] for row in exported]
    assert set(ids[:2]) == {records[0], records[3]} and ids[2:] == records[1:3]  # oldest first
    for row in exported:
        assert set(row) == set(EXPORT_FIELDS)
        assert {k: v for k, v in row.items() if k != "owner"} == api[row["id"]]
    assert "exported 4 records" in result.stderr
    table = list(csv.DictReader(io.StringIO(output.read_text("utf-8"), newline="")))
    assert [row["id"] for row in table] == [row["id"] for row in exported]
    failed = next(row for row in table if row["id"] == records[2])
    assert json.loads(failed["error"])["code"] == "upstream_auth"
    assert json.loads(failed["usage"]) == {"total_tokens": 3}
    assert failed["owner"] == terminal_owner() and failed["score"] == ""
    assessed = next(row for row in table if row["id"] == records[0])
    assert json.loads(assessed["assessment"]) == ASSESSMENT and assessed["seed"] == "42"
    assert failed["assessment"] == ""


def test_show_says_whether_a_model_or_the_offline_rules_judged():
    text = assessment_text({**ASSESSMENT, "method": "heuristic"})
    assert text.startswith("status:    complete\nmethod:    heuristic\nquestion:  behavioural\n")
