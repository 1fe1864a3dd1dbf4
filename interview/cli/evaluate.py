"""`flask feedback eval`: the dataset through the configured provider, K times, and its gates.

The provider is the one the service uses (`create_app` builds it from the
configuration), and each answer goes through the service's prompt, block
filter and assessment reader (`feedback/evaluation.py`); no record is saved.
The Markdown table goes to standard output; with `--out DIR`, a results file
(JSON: the settings, the prompt and assessment versions, every run's outcome
and the measures) and the table (Markdown) are written there as
`eval-<UTC time>.json` and `.md`. Exit status: 0 when every gate passes, 1
when one fails (they are named on standard error).

`--temperature` (repeatable) runs the whole eval at each temperature given,
one table each, then a table of all of them and the steadiest temperature that
passes every gate (`eval_metrics.steadiest_temperature`): how the default
`INTERVIEW_TEMPERATURE` is chosen. The exit status is then 0 when at least one
temperature passes.
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

from ..extensions import current_runtime
from ..feedback.eval_dataset import EvalCase, eval_cases, load_eval_dataset
from ..feedback.eval_metrics import (
    evaluate_gates,
    markdown_table,
    steadiest_temperature,
    sweep_table,
)
from ..feedback.evaluation import run_eval
from ..feedback.prompt import PROMPT_VERSION
from ..feedback.providers import FeedbackProvider, provider_from_config
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
    "--temperature",
    "temperatures",
    type=click.FloatRange(0, 2),
    multiple=True,
    help="Run at this temperature instead of INTERVIEW_TEMPERATURE. Given several "
    "times, run at each and name the steadiest that passes every gate.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write the results file (JSON) and the table (Markdown) into this folder.",
)
def eval_command(
    runs: int,
    questions: int | None,
    concurrency: int,
    temperatures: tuple[float, ...],
    out_dir: str | None,
) -> None:
    """Assess the eval dataset with the configured provider and check the gates."""
    runtime = current_runtime()
    configured = runtime.provider
    if temperatures and configured.temperature is None:
        raise click.UsageError(f"The {configured.name} provider takes no temperature.")
    providers = [
        provider_from_config(
            {**current_app.config, "INTERVIEW_TEMPERATURE": temperature}, runtime.upstream_clients
        )
        for temperature in dict.fromkeys(temperatures)
    ] or [configured]
    dataset = load_eval_dataset()
    cases = eval_cases(dataset, questions)
    started = datetime.now(UTC)
    settings = {
        "date": started.isoformat(),
        "provider": configured.name,
        "model": configured.model,
        "seed": configured.seed,
        "prompt_version": PROMPT_VERSION,
        "assessment_version": ASSESSMENT_VERSION,
        "dataset_version": dataset["version"],
        "runs": runs,
        "questions": len({case.question_id for case in cases}),
        "answers": len(cases),
        "concurrency": concurrency,
    }
    evals = [eval_at(provider, cases, runs, concurrency) for provider in providers]
    tables = [
        (f"### temperature {run['temperature']:g}\n\n" if len(evals) > 1 else "")
        + markdown_table(run["measures"])
        for run in evals
    ]
    if len(evals) > 1:
        sweep = [(run["temperature"], run["measures"]) for run in evals]
        chosen = steadiest_temperature(sweep)
        settings["steadiest_temperature"] = chosen
        verdict = (
            f"steadiest temperature that passes every gate: {chosen:g}"
            if chosen is not None
            else "no temperature passes every gate"
        )
        tables.append(f"### all temperatures\n\n{sweep_table(sweep)}\n\n{verdict}")
    report = "\n\n".join(tables)
    click.echo(report)
    if out_dir is not None:
        summary = {**settings, **evals[0]} if len(evals) == 1 else {**settings, "sweep": evals}
        paths = write_results(out_dir, started, summary, report)
        click.echo(f"results: {' '.join(paths)}", err=True)
    if len(evals) > 1:
        if settings["steadiest_temperature"] is None:
            click.secho("gates failed at every temperature", fg="red", err=True)
            sys.exit(EXIT_GATE_FAILED)
        return
    failed = [result["label"] for result in evals[0]["measures"] if not result["passed"]]
    if failed:
        click.secho(f"gates failed: {'; '.join(failed)}", fg="red", err=True)
        sys.exit(EXIT_GATE_FAILED)


def eval_at(
    provider: FeedbackProvider, cases: list[EvalCase], runs: int, concurrency: int
) -> dict[str, Any]:
    """Run the cases at the provider's temperature; its measures and outcomes."""
    click.echo(
        f"{len(cases)} answers x {runs} runs on {provider.name} ({provider.model}), "
        f"temperature {provider.temperature}, prompt {PROMPT_VERSION}, "
        f"assessment {ASSESSMENT_VERSION}",
        err=True,
    )
    outcomes = run_eval(provider, cases, runs, concurrency)
    errors = Counter(o["error"]["code"] for o in outcomes if o["error"] is not None)
    if errors:
        listed = ", ".join(f"{code} x {count}" for code, count in errors.most_common())
        click.secho(f"generations failed: {listed}", fg="yellow", err=True)
    measures = evaluate_gates(outcomes)
    return {
        "temperature": provider.temperature,
        "measures": measures,
        "passed": all(result["passed"] for result in measures),
        "outcomes": outcomes,
    }


def write_results(
    out_dir: str, started: datetime, summary: dict[str, Any], report: str
) -> tuple[str, str]:
    """Write `eval-<time>.json` and `.md` into `out_dir`; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, "eval-" + started.strftime("%Y%m%dT%H%M%SZ"))
    temperatures = ", ".join(f"{run['temperature']}" for run in summary.get("sweep", [summary]))
    header = (
        f"Eval of {summary['date']}: {summary['provider']} ({summary['model']}), "
        f"temperature {temperatures}, seed {summary['seed']}, "
        f"prompt {summary['prompt_version']}, assessment {summary['assessment_version']}, "
        f"{summary['answers']} answers x {summary['runs']} runs\n\n"
    )
    with open(stem + ".json", "w", encoding="utf-8") as file:
        json.dump(summary, file, ensure_ascii=False, indent=2)
    with open(stem + ".md", "w", encoding="utf-8") as file:
        file.write(header + report + "\n")
    return stem + ".json", stem + ".md"
