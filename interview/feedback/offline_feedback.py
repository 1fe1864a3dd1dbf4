"""Feedback written from the answer's metrics alone, for when no model is configured.

It has the shape of a model's feedback (verdict, strengths, improvements, a
stronger answer, `Score: N/10`), and its first line says that no AI model read
the answer. The score adds up what the metrics can see:
- length: 2 points for 120-400 words (about one to three minutes spoken),
  1 for 50-119 or 401-600, else 0;
- structure: 1 point for each STAR part with a cue (situation, task, action, result);
- focus: 1 point when the answer uses at least half of the question's key terms;
- delivery: 1 point for fewer than one filler per 50 words, 1 more for none at all;
- a floor of 1 and a ceiling of 10 (2 + 4 + 1 + 2 + the 1 every answer starts with).
"""

from typing import Any

from .metrics import STAR_PARTS

STAR_HINTS = {
    "situation": "Set the scene in one sentence: where you were and what was at stake.",
    "task": "Say what you were responsible for, in your own words.",
    "action": 'Walk through what you did yourself, step by step, with "I".',
    "result": "End with the outcome, ideally a number, and what you learned.",
}


def offline_score(metrics: dict[str, Any]) -> int:
    """Return a 1-10 score from the metrics (the rule is in the module docstring)."""
    words = metrics["word_count"]
    score = 1
    if 120 <= words <= 400:
        score += 2
    elif 50 <= words <= 600:
        score += 1
    score += sum(1 for part in STAR_PARTS if metrics["star"][part])
    terms = metrics["key_terms"]
    if terms["terms"] and len(terms["used"]) * 2 >= len(terms["terms"]):
        score += 1
    fillers = metrics["filler_count"]
    if words and fillers * 50 < words:
        score += 1
    if words and fillers == 0:
        score += 1
    return max(1, min(10, score))


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
    question: str, answer: str, role: str | None, metrics: dict[str, Any]
) -> str:
    """Return the offline feedback text; its last line is `Score: N/10`."""
    score = offline_score(metrics)
    words, seconds = metrics["word_count"], metrics["speaking_time_s"]
    present = [part for part in STAR_PARTS if metrics["star"][part]]
    missing = [part for part in STAR_PARTS if not metrics["star"][part]]
    terms = metrics["key_terms"]
    fillers = metrics["filler_words"]

    strengths = [f"About {_minutes(seconds)} to say ({words} words)."]
    if present:
        strengths.append(f"Your answer shows the STAR parts: {', '.join(present)}.")
    if terms["used"]:
        strengths.append(f"It stays on the question's terms: {', '.join(terms['used'])}.")
    if not fillers:
        strengths.append("No filler words found.")

    improvements = []
    if words < 120:
        improvements.append("Aim for 120-400 words (one to three minutes): add a concrete example.")
    elif words > 400:
        improvements.append(
            "Trim towards 400 words: interviewers lose the thread past three minutes."
        )
    if missing:
        improvements.append(f"Missing STAR parts: {', '.join(missing)}.")
    if terms["missing"]:
        improvements.append(
            f"The question mentions {', '.join(terms['missing'])}; address them directly."
        )
    if fillers:
        found = ", ".join(f'"{word}" x{count}' for word, count in fillers.items())
        improvements.append(f"Filler words found: {found}. Pause instead.")
    if not improvements:
        improvements.append("Add one number that shows the size of the result.")

    target = f" for a {role} role" if role else ""
    stronger = " ".join(STAR_HINTS[part] for part in (missing or STAR_PARTS))
    lines = [
        f"Offline analysis (no AI model was used): {_verdict(score)}",
        "",
        "**Strengths**",
        *(f"- {item}" for item in strengths),
        "",
        "**Improvements**",
        *(f"- {item}" for item in improvements),
        "",
        "**A stronger answer**",
        f"Keep your own story{target}, and structure it: {stronger}",
        "",
        f"Score: {score}/10",
    ]
    return "\n".join(lines)
