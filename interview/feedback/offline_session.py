"""A session's texts from the offline provider, for when no model is configured.

Each says that no AI model wrote it, as the offline feedback does, and has the
shape of the model's text, so the same readers read it:
- the questions: a note, then the numbered list `parse_generated_questions`
  reads, each with a `Why:` line for its category;
- a follow-up: a note line ending in a colon (which `parse_follow_up` skips),
  then a template question on the answer's weakest point: its first missing
  STAR part (result, action, task, situation, in that order), else its lowest
  criterion (the first in rubric order on a tie), else a request for an example;
- the report: the model's headings, filled from the summary (`session_summary.py`).
"""

from collections.abc import Mapping
from typing import Any

from .offline_feedback import OFFLINE_NOTE
from .rubric import BEHAVIOURAL, CRITERIA, MISSING, MOTIVATION, PARTIAL, SCALE_MAX, TECHNICAL

QUESTIONS_NOTE = f"{OFFLINE_NOTE}: questions chosen from the question bank."
FOLLOW_UP_NOTE = f"{OFFLINE_NOTE}, a follow-up from a template:"
WHY = {
    BEHAVIOURAL: "What you did in a real situation shows how you would act in this role.",
    TECHNICAL: "It checks the knowledge the role needs and how clearly you explain it.",
    MOTIVATION: "It shows why you want this role and whether it fits where you are heading.",
}
#: the STAR parts a follow-up asks about first, and the question for each
STAR_FOLLOW_UPS = {
    "result": "What was the measurable result of what you did, and how did you know?",
    "action": "What did you do yourself, step by step, rather than the team as a whole?",
    "task": "What exactly were you responsible for in that situation?",
    "situation": "Can you set the scene: where were you, and what was at stake?",
}
CRITERION_FOLLOW_UPS = {
    "relevance": "Coming back to the question itself, what is your direct answer in one sentence?",
    "structure": "Could you take me through that again in order, from the start to how it ended?",
    "evidence": "Can you give me one concrete example, with a number, that shows this?",
    "ownership": "Which part of that was your own decision, and why did you make it?",
    "delivery": "If you had thirty seconds, how would you sum up that answer?",
}
GENERAL_FOLLOW_UP = "Can you give me a specific example from your own experience that shows this?"


def offline_questions_text(questions: list[Mapping[str, Any]]) -> str:
    """The session's questions (`{text, category, why?}`) as the model's numbered list."""
    lines = [QUESTIONS_NOTE, ""]
    for number, question in enumerate(questions, 1):
        category = question.get("category") or BEHAVIOURAL
        why = question.get("why") or WHY.get(category, WHY[BEHAVIOURAL])
        lines += [f"{number}. [{category}] {question.get('text', '')}", f"   Why: {why}"]
    return "\n".join(lines)


def offline_follow_up(question: str, answer: str, assessment: dict[str, Any] | None) -> str:
    """A template follow-up on the answer's weakest point (the rules are in the docstring)."""
    return f"{FOLLOW_UP_NOTE}\n{_follow_up_question(assessment)}"


def _follow_up_question(assessment: dict[str, Any] | None) -> str:
    assessment = assessment if isinstance(assessment, dict) else {}
    star = assessment.get("star") if isinstance(assessment.get("star"), dict) else {}
    for part, follow_up in STAR_FOLLOW_UPS.items():
        status = star[part].get("status") if isinstance(star.get(part), dict) else None
        if status in (MISSING, PARTIAL):
            return follow_up
    criteria = assessment.get("criteria") if isinstance(assessment.get("criteria"), dict) else {}
    scores = {
        name: score
        for name in CRITERIA
        if isinstance(score := criteria.get(name), int) and not isinstance(score, bool)
    }
    if not scores:
        return GENERAL_FOLLOW_UP
    return CRITERION_FOLLOW_UPS[min(scores, key=scores.get)]


def offline_report_text(role: str | None, summary: dict[str, Any]) -> str:
    """The session's debrief written from its summary, with the model's headings."""
    answered, skipped = summary.get("answered", 0), summary.get("skipped", 0)
    overall = summary.get("overall")
    target = f" for the {role} role" if role else ""
    lines = [
        f"{OFFLINE_NOTE}: a debrief computed from the scores of your answers{target}.",
        f"You answered {answered} question{'s' if answered != 1 else ''}"
        + (f" and skipped {skipped}" if skipped else "")
        + (f"; your mean score is {overall}/10. {_verdict(overall)}" if overall else "."),
        "",
        "**Across your answers**",
        *_criteria_lines(summary.get("criteria") or {}),
        "",
        "**Strongest answer**",
        _answer_line(summary.get("strongest"), "No answer was scored."),
        "",
        "**Weakest answer**",
        _answer_line(summary.get("weakest"), "No other answer scored lower than the strongest."),
        "",
        "**Practise next**",
        *_practise_lines(summary.get("practise") or []),
    ]
    return "\n".join(lines)


def _verdict(overall: float) -> str:
    if overall >= 8:
        return "Strong answers: keep their structure and sharpen the details."
    if overall >= 5:
        return "Reasonable answers that structure and concrete detail would make stronger."
    return "The answers need more structure and detail to convince an interviewer."


def _criteria_lines(criteria: dict[str, dict[str, Any]]) -> list[str]:
    if not criteria:
        return ["- No answer was scored on the criteria."]
    return [
        f"- {name.capitalize()}: {figures.get('mean')}/{SCALE_MAX} over {figures.get('count')} "
        f"answer{'s' if figures.get('count') != 1 else ''}; lowest in answer "
        f"{figures.get('lowest_number')}."
        for name, figures in criteria.items()
    ]


def _answer_line(answer: dict[str, Any] | None, none: str) -> str:
    if not answer:
        return none
    quote = f': "{answer["quote"]}"' if answer.get("quote") else ""
    return f"Answer {answer.get('number')}, {answer.get('score')}/10{quote}"


def _practise_lines(practise: list[dict[str, Any]]) -> list[str]:
    lines = []
    for number, item in enumerate(practise, 1):
        question = item.get("question") or {}
        asked = f'"{question["text"]}" ' if question.get("text") else ""
        lines.append(
            f"{number}. {str(item.get('criterion', '')).capitalize()}: {asked}"
            f"Aim for this: {item.get('advice', '')}"
        )
    return lines or ["- Answer a few questions first: there is nothing to compare yet."]
