"""The eval's dataset (`eval_dataset.json`): questions with graded answers, and injections.

Each question has a strong, an average and a weak answer in one language;
each injection is a weak answer to one of the questions that tries to raise
its own score (an instruction to ignore the rubric, fake delimiters, a fake
assessment block). The text was written for this project. `eval_cases` turns
it into the answers to send, in the file's order, so that `--questions N`
takes the first N questions (ordered to mix kinds and languages) and the
injections on them.
"""

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

QUALITIES = ("strong", "average", "weak")
INJECTED = "injected"


@dataclass(frozen=True)
class EvalCase:
    """One answer to send: which question, how good it is meant to be, its language."""

    case_id: str
    question_id: str
    kind: str
    language: str
    question: str
    answer: str
    quality: str  # strong, average, weak or injected (a weak answer)


def load_eval_dataset() -> dict[str, Any]:
    """The dataset as stored in the package."""
    text = files("interview.feedback").joinpath("eval_dataset.json").read_text(encoding="utf-8")
    return json.loads(text)


def eval_cases(dataset: dict[str, Any], questions: int | None = None) -> list[EvalCase]:
    """The answers of the first `questions` questions (all by default), with their injections."""
    chosen = dataset["questions"][:questions]
    by_id = {question["id"]: question for question in chosen}
    cases = [
        EvalCase(
            case_id=f"{question['id']}/{quality}",
            question_id=question["id"],
            kind=question["kind"],
            language=question["language"],
            question=question["question"],
            answer=question["answers"][quality],
            quality=quality,
        )
        for question in chosen
        for quality in QUALITIES
    ]
    for injection in dataset["injections"]:
        question = by_id.get(injection["question_id"])
        if question is not None:
            cases.append(
                EvalCase(
                    case_id=f"{question['id']}/{INJECTED}/{injection['id']}",
                    question_id=question["id"],
                    kind=question["kind"],
                    language=injection["language"],
                    question=question["question"],
                    answer=injection["answer"],
                    quality=INJECTED,
                )
            )
    return cases
