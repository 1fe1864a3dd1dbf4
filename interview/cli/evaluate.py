"""`flask feedback eval`: the dataset through the configured provider, K times, and its gates.

The provider is the one the service uses (`create_app` builds it from the
configuration), and each answer goes through the service's prompt, block
filter and assessment reader (`feedback/evaluation.py`); no record is saved.
The Markdown table goes to standard output; with `--out DIR`, a results file
(JSON: the settings, the prompt and assessment versions, every run's outcome
and the measures) and the table (Markdown) are written there as
`eval-<UTC time>.json` and `.md`. Exit status: 0 when every gate passes, 1
when one fails (they are named on standard error).
"""

import json
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from ..feedback.eval_dataset import eval_cases, load_eval_dataset
from ..feedback.eval_metrics import evaluate_gates, markdown_table
from ..feedback.evaluation import run_eval
from ..feedback.prompt import PROMPT_VERSION
from ..feedback.rubric import ASSESSMENT_VERSION

EXIT_GATE_FAILED = 1


@click.command("eval")
@with_appcontext
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="How many times each answer is assessed.",
)
@click.option(
    "--questions",
    type=click.IntRange(min=1),
    help="Only the first N questions of the dataset (and their injections).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Generations in flight at once.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write the results file (JSON) and the table (Markdown) into this folder.",
)
def eval_command(runs: int, questions: int | None, concurrency: int, out_dir: str | None) -> None:
    """Assess the eval dataset with the configured provider and check the gates."""
    provider = current_app.extensions["interview.provider"]
    dataset = load_eval_dataset()
    cases = eval_cases(dataset, questions)
    started = datetime.now(UTC)
    click.echo(
        f"{len(cases)} answers x {runs} runs on {provider.name} ({provider.model}), "
        f"prompt {PROMPT_VERSION}, assessment {ASSESSMENT_VERSION}",
        err=True,
    )
    outcomes = run_eval(provider, cases, runs, concurrency)
    errors = Counter(o["error"]["code"] for o in outcomes if o["error"] is not None)
    if errors:
        listed = ", ".join(f"{code} x {count}" for code, count in errors.most_common())
        click.secho(f"generations failed: {listed}", fg="yellow", err=True)
    results = evaluate_gates(outcomes)
    table = markdown_table(results)
    click.echo(table)
    if out_dir is not None:
        summary = {
            "date": started.isoformat(),
            "provider": provider.name,
            "model": provider.model,
            "temperature": provider.temperature,
            "seed": provider.seed,
            "prompt_version": PROMPT_VERSION,
            "assessment_version": ASSESSMENT_VERSION,
            "dataset_version": dataset["version"],
            "runs": runs,
            "questions": len({case.question_id for case in cases}),
            "answers": len(cases),
            "concurrency": concurrency,
            "measures": results,
            "passed": all(result["passed"] for result in results),
            "outcomes": outcomes,
        }
        paths = write_results(out_dir, started, summary, table)
        click.echo(f"results: {' '.join(paths)}", err=True)
    failed = [result["label"] for result in results if not result["passed"]]
    if failed:
        click.secho(f"gates failed: {'; '.join(failed)}", fg="red", err=True)
        sys.exit(EXIT_GATE_FAILED)


def write_results(
    out_dir: str, started: datetime, summary: dict[str, Any], table: str
) -> tuple[str, str]:
    """Write `eval-<time>.json` and `.md` into `out_dir`; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, "eval-" + started.strftime("%Y%m%dT%H%M%SZ"))
    header = (
        f"Eval of {summary['date']}: {summary['provider']} ({summary['model']}), "
        f"temperature {summary['temperature']}, seed {summary['seed']}, "
        f"prompt {summary['prompt_version']}, assessment {summary['assessment_version']}, "
        f"{summary['answers']} answers x {summary['runs']} runs\n\n"
    )
    with open(stem + ".json", "w", encoding="utf-8") as file:
        json.dump(summary, file, ensure_ascii=False, indent=2)
    with open(stem + ".md", "w", encoding="utf-8") as file:
        file.write(header + table + "\n")
    return stem + ".json", stem + ".md"
