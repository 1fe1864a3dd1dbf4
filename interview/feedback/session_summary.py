"""The structured part of a session's report, computed from the answers' assessments.

`summarize_session(answered)` takes the session's questions in order, each
`{number, question, category, answer, assessment, score, skipped}` (`number`
is 3 or "3a"; `assessment` is the record's, or None; `score` the record's
overall score, or None; an optional `bank_id` names a bank question), and
returns plain JSON:

    {
      "answered": 4, "skipped": 1,
      "criteria": {"structure": {"mean": 2.5, "count": 4, "lowest_number": 3}, ...},
      "overall": 6.5,
      "strongest": {"number": 2, "question": "...", "score": 8, "quote": "..."},
      "weakest": {"number": 3, "question": "...", "score": 4, "quote": "..."},
      "practise": [{"criterion": "structure", "advice": "...",
                    "question": {"id": "beh-04", "text": "...", "category": "behavioural"}},
                   ...],
    }

- `criteria` holds each criterion some answer's assessment scored: the mean
  (one decimal, half up), how many scored it, and the answer that scored it
  lowest (the earlier on a tie). `overall` is the mean of the answers' scores
  (`score`, else the assessment's `overall`), or None when none has one.
- `strongest` and `weakest` go by that score, the earlier on a tie; `weakest`
  only when two or more answers are scored and it is another answer. Each is
  None otherwise. Its `quote` is the answer's own words: a STAR quote of the
  assessment's that the answer really holds (action, result, task, situation
  first), else the answer's first sentence; at most QUOTE_CHARACTERS, cut at a
  word with "…".
- `practise`: the three criteria with the lowest mean (ties in rubric order;
  criteria nobody scored after them), each with what a 5 looks like and a bank
  question (the built-in bank unless `questions` is given) not asked in this
  session, from the categories that exercise it (`PRACTICE_CATEGORIES`), the
  first in bank order not already suggested.
Nothing here raises on a missing or partial assessment.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import regex

from .questions import builtin_questions
from .rubric import ANCHORS, CRITERIA, OVERALL_MAX, OVERALL_MIN, SCALE_MAX, SCALE_MIN

QUOTE_CHARACTERS = 160
#: criterion: the bank categories whose questions exercise it, best first
PRACTICE_CATEGORIES = {
    "relevance": ("situational", "motivation"),
    "structure": ("behavioural", "situational"),
    "evidence": ("behavioural", "technical"),
    "ownership": ("leadership", "behavioural"),
    "delivery": ("motivation", "technical"),
}
_QUOTE_PARTS = ("action", "result", "task", "situation")
_SENTENCE = regex.compile(r"\S.*?(?:[.!?。！？](?=\s|$)|$)", regex.DOTALL)


def summarize_session(
    answered: list[dict[str, Any]], questions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The session's summary (its shape and rules are in the module docstring)."""
    items = [item for item in answered if isinstance(item, dict)]
    given = [item for item in items if not item.get("skipped")]
    scored = [(item, _score(item)) for item in given if _score(item) is not None]
    strongest = _pick(scored, max)
    weakest = _pick(scored, min) if len(scored) >= 2 else None
    if weakest is strongest:
        weakest = None
    criteria = _criteria(given)
    return {
        "answered": len(given),
        "skipped": len(items) - len(given),
        "criteria": criteria,
        "overall": _mean([score for _, score in scored]),
        "strongest": _described(strongest),
        "weakest": _described(weakest),
        "practise": _practise(criteria, items, questions),
    }


def _criteria(given: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for name in CRITERIA:
        scores = [(item, value) for item in given if (value := _criterion(item, name)) is not None]
        if scores:
            lowest = min(scores, key=lambda pair: pair[1])[0]
            found[name] = {
                "mean": _mean([value for _, value in scores]),
                "count": len(scores),
                "lowest_number": lowest.get("number"),
            }
    return found


def _practise(criteria, items, questions) -> list[dict[str, Any]]:
    bank = builtin_questions() if questions is None else questions
    asked_ids = {item["bank_id"] for item in items if isinstance(item.get("bank_id"), str)}
    asked_texts = {_folded(item.get("question")) for item in items}
    ranked = sorted(CRITERIA, key=lambda name: (name not in criteria, _mean_of(criteria, name)))
    suggested: set[str] = set()
    practise = []
    for name in ranked[:3]:
        question = next(
            (
                q
                for category in PRACTICE_CATEGORIES[name]
                for q in bank
                if q.get("category") == category
                and q.get("id") not in asked_ids | suggested
                and _folded(q.get("text")) not in asked_texts
            ),
            None,
        )
        if question is not None:
            suggested.add(question["id"])
        practise.append(
            {
                "criterion": name,
                "advice": _advice(name),
                "question": _bank_question(question),
            }
        )
    return practise


def _bank_question(question: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if question is None else {k: question.get(k) for k in ("id", "text", "category")}


def _advice(name: str) -> str:
    high = ANCHORS[name][3]
    return f"{high[0].upper()}{high[1:]}."


def _described(pick: tuple[dict[str, Any], int] | None) -> dict[str, Any] | None:
    if pick is None:
        return None
    item, score = pick
    return {
        "number": item.get("number"),
        "question": item.get("question"),
        "score": score,
        "quote": answer_quote(item.get("answer"), item.get("assessment")),
    }


def answer_quote(answer: Any, assessment: Any) -> str:
    """A few of the answer's own words: an assessment's STAR quote it holds, else its start."""
    answer = answer if isinstance(answer, str) else ""
    star = assessment.get("star") if isinstance(assessment, dict) else None
    star = star if isinstance(star, dict) else {}
    for part in _QUOTE_PARTS:
        quote = star.get(part).get("quote") if isinstance(star.get(part), dict) else None
        if isinstance(quote, str) and quote.strip() and quote.strip() in answer:
            return _shortened(quote.strip())
    first = _SENTENCE.search(answer)
    return _shortened(first[0]) if first else ""


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARACTERS:
        return text
    cut = text[: QUOTE_CHARACTERS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:") + "…"


def _pick(scored, choose):
    """The first answer with the highest (`max`) or lowest (`min`) score."""
    if not scored:
        return None
    best = choose(score for _, score in scored)
    return next(pair for pair in scored if pair[1] == best)


def _score(item: dict[str, Any]) -> int | None:
    score = item.get("score")
    if not _is_int(score):
        assessment = item.get("assessment")
        score = assessment.get("overall") if isinstance(assessment, dict) else None
    return score if _is_int(score) and OVERALL_MIN <= score <= OVERALL_MAX else None


def _criterion(item: dict[str, Any], name: str) -> int | None:
    assessment = item.get("assessment")
    criteria = assessment.get("criteria") if isinstance(assessment, dict) else None
    value = criteria.get(name) if isinstance(criteria, dict) else None
    return value if _is_int(value) and SCALE_MIN <= value <= SCALE_MAX else None


def _mean(values: list[int]) -> float | None:
    if not values:
        return None
    mean = Decimal(sum(values)) / len(values)
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _mean_of(criteria: dict[str, dict[str, Any]], name: str) -> float:
    return criteria[name]["mean"] if name in criteria else 0.0


def _folded(text: Any) -> str:
    return " ".join(text.casefold().split()) if isinstance(text, str) else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
