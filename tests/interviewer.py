"""A fake upstream's `text_for` that plays every part of a mock interview, by prompt."""

from collections.abc import Callable
from typing import Any

from .fake_openai import with_assessment

QUESTIONS = [
    (
        "behavioural",
        "Tell me about a time you scaled a Postgres cluster under load.",
        "It shows how you work under pressure.",
    ),
    (
        "technical",
        "How would you design idempotent payment retries?",
        "It tests depth on distributed systems.",
    ),
    (
        "motivation",
        "Why do you want to join our payments team?",
        "It shows what draws you to the role.",
    ),
]
FOLLOW_UP = "What was the measurable result of that migration?"
REPORT = "Overall, a solid interview.\n\n**Across your answers**\n- Evidence was thin."


def numbered(questions=QUESTIONS) -> str:
    return "\n".join(
        f"{n}. [{category}] {text}\n   Why: {why}"
        for n, (category, text, why) in enumerate(questions, start=1)
    )


def _assessment(answer: str) -> dict[str, Any]:
    strong = "result" in answer.lower()
    mark = 5 if strong else 2
    return {
        "question_kind": "behavioural",
        "criteria": {
            name: mark for name in ("relevance", "structure", "evidence", "ownership", "delivery")
        },
        "star": {
            part: {"status": "present", "quote": answer[:40]}
            for part in ("situation", "task", "action", "result")
        },
    }


def interviewer(
    questions: str | None = None, follow_up: str = FOLLOW_UP, report: str = REPORT
) -> Callable[[Any], str]:
    """Answer each kind of prompt as a model would: questions, feedback, follow-up, report."""

    def text_for(body: Any) -> str:
        system = body["messages"][0]["content"]
        if "preparing a mock interview" in system:
            return numbered() if questions is None else questions
        if "follow-up question" in system:
            return follow_up
        if "debrief" in system:
            return report
        answer = body["messages"][-1]["content"]
        return with_assessment("Good answer.", _assessment(answer))(body)

    return text_for
