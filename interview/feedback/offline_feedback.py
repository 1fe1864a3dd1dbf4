"""Feedback written from the offline assessment, for when no model is configured.

It has the shape of a model's feedback (verdict, strengths, improvements, a
stronger answer, `Score: N/10`), and its first line says that no AI model read
the answer. The score is the heuristic assessment's derived overall score
(`offline_assessment.py`), so the text and the record's `assessment` agree.
STAR is mentioned only for behavioural questions. An answer the analysis
cannot read (not English) gets a plain statement of that and no score.
"""

from typing import Any

from .metrics import STAR_PARTS
from .rubric import BEHAVIOURAL, MISSING, MOTIVATION, PRESENT, TECHNICAL, UNAVAILABLE

OFFLINE_NOTE = "Offline analysis (no AI model was used)"
NOT_ENGLISH = (
    "The offline analysis only understands English; this answer looks like it is in "
    "another language, so it is not scored."
)
STAR_HINTS = {
    "situation": "Set the scene in one sentence: where you were and what was at stake.",
    "task": "Say what you were responsible for, in your own words.",
    "action": 'Walk through what you did yourself, step by step, with "I".',
    "result": "End with the outcome, ideally a number, and what you learned.",
}
KIND_HINTS = {
    MOTIVATION: "Name what draws you to this role, one reason from your own experience, "
    "and what you would bring in your first months.",
    TECHNICAL: "State the core idea in the first sentence, then how it works, one trade-off, "
    "and an example from your own work.",
}
OTHER_HINT = "Answer in the first sentence, then support it with one concrete example."
KIND_NAMES = {
    BEHAVIOURAL: "a behavioural question, judged on STAR",
    MOTIVATION: "a motivation question (STAR does not apply)",
    TECHNICAL: "a technical question (STAR does not apply)",
}


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _verdict(score: int) -> str:
    if score >= 8:
        return "a well-structured answer of a good length."
    if score >= 5:
        return "a reasonable answer that structure and detail would make stronger."
    return "the answer needs more structure and detail to convince an interviewer."


def build_offline_feedback(
    role: str | None, metrics: dict[str, Any], assessment: dict[str, Any]
) -> str:
    """Return the offline feedback text; it ends `Score: N/10` when it judged the answer."""
    words, seconds = metrics["word_count"], metrics["speaking_time_s"]
    length = f"About {_minutes(seconds)} to say ({words} words)."
    if assessment["status"] == UNAVAILABLE:
        return "\n".join(
            [
                f"{OFFLINE_NOTE}: {NOT_ENGLISH}",
                "",
                f"{length} A model-backed provider can give feedback in the answer's language.",
            ]
        )
    kind, star, score = assessment["question_kind"], assessment["star"], assessment["overall"]
    present = [part for part in STAR_PARTS if star and star[part]["status"] == PRESENT]
    missing = [part for part in STAR_PARTS if star and star[part]["status"] == MISSING]
    terms = metrics["key_terms"]
    fillers = metrics["filler_words"]

    strengths = [length]
    if present:
        strengths.append(f"Your answer shows the STAR parts: {', '.join(present)}.")
    if terms["used"]:
        strengths.append(f"It stays on the question's terms: {', '.join(terms['used'])}.")
    if not fillers:
        strengths.append("No filler words found.")

    improvements = []
    if assessment["criteria"]["delivery"] < 3:
        improvements.append("Aim for one to three minutes spoken: add a concrete example or trim.")
    if missing:
        improvements.append(f"Missing STAR parts: {', '.join(missing)}.")
    if terms["missing"]:
        improvements.append(
            f"The question mentions {', '.join(terms['missing'])}; address them directly."
        )
    if fillers:
        found = ", ".join(f'"{word}" x{count}' for word, count in fillers.items())
        improvements.append(f"Filler words found: {found}. Pause instead.")
    if assessment["criteria"]["evidence"] < 5:
        improvements.append("Add one number that shows the size of the result.")
    if not improvements:
        improvements.append("Say it aloud once, in under two minutes, before the interview.")

    target = f" for a {role} role" if role else ""
    if kind == BEHAVIOURAL:
        stronger = "Keep your own story{}, and structure it: {}".format(
            target, " ".join(STAR_HINTS[part] for part in (missing or STAR_PARTS))
        )
    else:
        stronger = f"Keep your own points{target}. {KIND_HINTS.get(kind, OTHER_HINT)}"
    lines = [
        f"{OFFLINE_NOTE}: {_verdict(score)}",
        f"Read as {KIND_NAMES.get(kind, 'a general question (STAR does not apply)')}; "
        "scored by rules, not by a model.",
        "",
        "**Strengths**",
        *(f"- {item}" for item in strengths),
        "",
        "**Improvements**",
        *(f"- {item}" for item in improvements),
        "",
        "**A stronger answer**",
        stronger,
        "",
        f"Score: {score}/10",
    ]
    return "\n".join(lines)
