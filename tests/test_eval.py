"""`flask feedback eval`: the gates pass on a well-ordered model and fail on bad ones.

The eval runs the real provider (the `openai` SDK over HTTP) against the fake
upstream, whose answer to each request is derived from the request: the fake
finds which dataset answer it was sent and writes an assessment for it.
"""

import json
import threading
from collections import Counter
from collections.abc import Callable
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from interview import create_app
from interview.feedback.eval_dataset import INJECTED, EvalCase, eval_cases, load_eval_dataset
from interview.feedback.eval_language import detect_language
from interview.feedback.prompt import PROMPT_VERSION
from interview.feedback.rubric import (
    BEHAVIOURAL,
    CRITERIA,
    MOTIVATION,
    STAR_PARTS,
    TECHNICAL,
)
from interview.schemas import feedback_request_schema

from .conftest import base_environment
from .fake_openai import FakeOpenAI, Fault, with_assessment

QUESTIONS = 5  # the first five mix the three kinds, four languages, and all five injections
CASES = eval_cases(load_eval_dataset())
PROSE = {
    "en": "A clear answer. You describe what you did and the result, and the example is "
    "easy to follow. Next time, say in one sentence what you learned from it.",
    "de": "Eine klare Antwort. Sie beschreiben, was Sie getan haben und was dabei "
    "herauskam. Nennen Sie beim nächsten Mal auch, was Sie daraus gelernt haben.",
    "es": "Una respuesta clara. Describes lo que hiciste y el resultado, y el ejemplo se "
    "entiende bien. La próxima vez, di en una frase lo que aprendiste.",
    "fr": "Une réponse claire. Vous décrivez ce que vous avez fait et le résultat, et "
    "l'exemple est facile à suivre. La prochaine fois, dites ce que vous en avez appris.",
}
MARK = {"strong": 5, "average": 3, "weak": 1, INJECTED: 1}


def case_of(body: Any) -> EvalCase:
    """The dataset answer a request was sent: its question and its answer's first line."""
    user = body["messages"][1]["content"]
    (case,) = [c for c in CASES if c.question in user and c.answer.split("\n")[0] in user]
    return case


def assessed(mark_of: Callable[[EvalCase], int]) -> Callable[[Any], str]:
    """A fake model: prose in the answer's language, every criterion at `mark_of(case)`."""

    def text_for(body: Any) -> str:
        case = case_of(body)
        part = {"status": "present", "quote": ""}
        block = {
            "question_kind": case.kind,
            "criteria": dict.fromkeys(CRITERIA, mark_of(case)),
            "star": dict.fromkeys(STAR_PARTS, part) if case.kind == BEHAVIOURAL else None,
        }
        return with_assessment(PROSE[case.language], block)(body)

    return text_for


SHUFFLED = [order for order in permutations(range(3)) if order != (0, 1, 2)]


def shuffled_mark(case: EvalCase) -> int:
    """The marks 5, 3, 1 given to the qualities in another order for each question."""
    question = [c.question_id for c in CASES].index(case.question_id) // 3
    if case.quality == INJECTED:
        return 1
    order = SHUFFLED[question % len(SHUFFLED)]
    return (5, 3, 1)[order[("strong", "average", "weak").index(case.quality)]]


def broken(body: Any) -> str:
    """A model that writes the prose and an assessment that is not JSON."""
    return with_assessment(PROSE[case_of(body).language], "relevance 5, structure 4")(body)


@pytest.fixture
def eval_app(upstream: FakeOpenAI, tmp_path: Path) -> Flask:
    """An app on the fake upstream; the eval saves no records, so any database will do."""
    database_url = f"sqlite:///{tmp_path / 'eval.sqlite3'}"
    return create_app(base_environment(database_url, upstream, INTERVIEW_SEED="7"))


def run_eval(app: Flask, out: Path):
    args = ["feedback", "eval", "--questions", str(QUESTIONS), "--runs", "2", "--out", str(out)]
    return app.test_cli_runner().invoke(args=args)


def table_row(output: str, label: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(f"| {label}"))


def test_a_well_ordered_model_passes_every_gate(eval_app, upstream, tmp_path):
    upstream.configure(text_for=assessed(lambda case: MARK[case.quality]), chunk_chars=7)

    result = run_eval(eval_app, tmp_path / "out")

    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert "| parseable assessments | 100% | 40/40 |" in result.output
    assert "| ranking strong > average > weak | 100% | 30/30 pairs |" in result.output
    assert "| feedback in the answer's language | 100% |" in result.output
    assert "| injected answers score <= 4 | 100% | 10/10 |" in result.output
    (results_file,) = (tmp_path / "out").glob("eval-*.json")
    results = json.loads(results_file.read_text())
    assert results["prompt_version"] == PROMPT_VERSION
    assert (results["provider"], results["model"], results["seed"]) == (
        "openai",
        "gpt-3.5-turbo",
        7,
    )
    assert results["temperature"] == eval_app.config["INTERVIEW_TEMPERATURE"]
    assert results["passed"] is True
    assert len(results["outcomes"]) == 40 == len(upstream.requests)
    strong = next(o for o in results["outcomes"] if o["quality"] == "strong")
    assert strong["assessment"]["criteria"] == dict.fromkeys(CRITERIA, 5)
    assert strong["overall"] == 10 and strong["prose"] == PROSE[strong["language"]]
    assert {o["language"] for o in results["outcomes"]} == {"en", "de", "es", "fr"}
    assert (tmp_path / "out" / results_file.name.replace(".json", ".md")).exists()


@pytest.mark.parametrize(
    ("text_for", "failing"),
    [
        (assessed(lambda case: 3), "ranking strong > average > weak"),
        (assessed(shuffled_mark), "ranking strong > average > weak"),
        (broken, "parseable assessments"),
    ],
    ids=["constant", "shuffled", "broken-format"],
)
def test_a_bad_model_fails_its_gate(eval_app, upstream, tmp_path, text_for, failing):
    upstream.configure(text_for=text_for)

    result = run_eval(eval_app, tmp_path / "out")

    assert result.exit_code == 1
    assert table_row(result.output, failing).endswith("| FAIL |")
    assert failing in result.output.split("gates failed:")[1]


def test_scores_that_move_between_runs_fail_the_spread_gates(eval_app, upstream, tmp_path):
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def moving_mark(case: EvalCase) -> int:
        """The case's mark the first time, two marks away (on 1-5) the second."""
        with lock:
            seen[case.case_id] += 1
            again = seen[case.case_id] > 1
        mark = MARK[case.quality]
        return mark + (2 if mark <= 3 else -2) if again else mark

    upstream.configure(text_for=assessed(moving_mark))

    result = run_eval(eval_app, tmp_path / "out")

    assert result.exit_code == 1
    assert table_row(result.output, "score spread, mean standard deviation").endswith("| FAIL |")
    assert table_row(result.output, "score spread, widest max - min").endswith("| FAIL |")


def test_injected_answers_that_score_high_fail_the_injection_gate(eval_app, upstream, tmp_path):
    upstream.configure(
        text_for=assessed(lambda case: 5 if case.quality == INJECTED else MARK[case.quality])
    )

    result = run_eval(eval_app, tmp_path / "out")

    assert result.exit_code == 1
    assert table_row(result.output, "injected answers score <= 4").endswith(
        "| 0/10 | >= 90% | FAIL |"
    )
    assert table_row(result.output, "ranking strong > average > weak").endswith("| pass |")


def test_feedback_in_another_language_fails_the_language_gate(eval_app, upstream, tmp_path):
    upstream.configure(
        text_for=lambda body: assessed(lambda case: MARK[case.quality])(body).replace(
            PROSE[case_of(body).language], PROSE["en"]
        )
    )

    result = run_eval(eval_app, tmp_path / "out")

    assert result.exit_code == 1
    assert table_row(result.output, "feedback in the answer's language").endswith("| FAIL |")


def test_failed_generations_are_outcomes_and_fail_the_parse_gate(eval_app, upstream, tmp_path):
    upstream.enqueue(*[Fault(status=401)] * 40)  # the upstream names the key it refused
    key = eval_app.config["OPENAI_API_KEY"]

    result = run_eval(eval_app, tmp_path / "out")

    assert result.exit_code == 1
    assert "generations failed: upstream_auth x 40" in result.output
    assert table_row(result.output, "parseable assessments").endswith("| 0/40 | >= 95% | FAIL |")
    (results_file,) = (tmp_path / "out").glob("eval-*.json")
    outcomes = json.loads(results_file.read_text())["outcomes"]
    assert {o["status"] for o in outcomes} == {"error"}
    assert key not in results_file.read_text() and key not in result.output


def test_every_dataset_answer_is_one_the_service_accepts(eval_app):
    with eval_app.app_context():
        for case in CASES:
            feedback_request_schema.load({"question": case.question, "answer": case.answer})


def test_the_dataset_has_what_the_eval_needs():
    dataset = load_eval_dataset()
    questions = dataset["questions"]
    assert len(questions) >= 12
    assert {q["kind"] for q in questions} == {BEHAVIOURAL, TECHNICAL, MOTIVATION}
    assert len({q["language"] for q in questions}) >= 3
    assert len(dataset["injections"]) >= 5
    assert all(set(q["answers"]) == {"strong", "average", "weak"} for q in questions)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.quality in ("strong", "average")], ids=lambda c: c.case_id
)
def test_the_language_heuristic_reads_the_datasets_answers(case):
    assert detect_language(case.answer) == case.language


def test_a_temperature_sweep_names_the_steadiest_temperature_that_passes(
    eval_app, upstream, tmp_path
):
    """At 0 the fake scores everything alike, at 1 its scores move between runs."""
    seen: Counter[tuple[str, float]] = Counter()
    lock = threading.Lock()

    def text_for(body: Any) -> str:
        temperature, case = body["temperature"], case_of(body)
        with lock:
            seen[case.case_id, temperature] += 1
            again = seen[case.case_id, temperature] > 1
        mark = 3 if temperature == 0 else MARK[case.quality]
        if temperature >= 1 and again:
            mark += 2 if mark <= 3 else -2
        return assessed(lambda _: mark)(body)

    upstream.configure(text_for=text_for)
    args = ["feedback", "eval", "--questions", str(QUESTIONS), "--runs", "2"]
    for temperature in ("0", "0.2", "1"):
        args += ["--temperature", temperature]
    args += ["--out", str(tmp_path / "out")]

    result = eval_app.test_cli_runner().invoke(args=args)

    assert result.exit_code == 0, result.output
    assert {request.body["temperature"] for request in upstream.requests} == {0, 0.2, 1}
    assert "### temperature 0.2" in result.output
    assert table_row(result.output, "0 ").endswith("| FAIL |")
    assert table_row(result.output, "0.2 ").endswith("| pass |")
    assert table_row(result.output, "1 ").endswith("| FAIL |")
    assert "steadiest temperature that passes every gate: 0.2" in result.output
    (results_file,) = (tmp_path / "out").glob("eval-*.json")
    results = json.loads(results_file.read_text())
    assert results["steadiest_temperature"] == 0.2
    assert [run["temperature"] for run in results["sweep"]] == [0, 0.2, 1]
    assert [run["passed"] for run in results["sweep"]] == [False, True, False]


def test_the_offline_provider_takes_no_temperature(upstream, tmp_path):
    environment = base_environment(f"sqlite:///{tmp_path / 'eval.sqlite3'}", upstream)
    app = create_app({**environment, "INTERVIEW_PROVIDER": "offline"})
    result = app.test_cli_runner().invoke(args=["feedback", "eval", "--temperature", "0.2"])
    assert result.exit_code == 2
    assert "The offline provider takes no temperature." in result.output
    assert upstream.requests == []
