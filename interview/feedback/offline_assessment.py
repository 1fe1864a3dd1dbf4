"""The offline analysis's assessment: the model's shape, judged by rules on the metrics.

Labelled `"method": "heuristic"` (the model's is `"model"`). The question's kind
comes from cue phrases (`question_kind.py`); STAR is judged only for
behavioural questions. Each criterion 1-5:
- relevance: the share of the question's key terms the answer uses (all or half:
  5, some: 4, none: 2); a question without key terms gives 4, or 3 under 50 words;
- structure: behavioural, 1 + the STAR parts with a cue; otherwise 5 for three
  sentences or more of 8-30 words on average, 4 for two or more, 3 for one,
  2 when sentences average over 40 words;
- evidence: 1, +2 for a number, +1 for "for example"/"for instance"/"e.g.",
  +1 for 80 words or more, at most 5;
- ownership: "I"/"my"/"me" against "we"/"our"/"us": no pronoun at all is 3
  (nothing to judge), "we" without "I" is 1, else 3-5 by the share of "I";
- delivery: 1, +2 for a length in the kind's band (`_GOOD_LENGTH`), +1 near it
  (half to one and a half times), +1 for under one filler per 50 words, +1 for none.
The overall score is `rubric.overall_score`, as for the model. An answer that
does not look English (`answer_language.py`) is not judged: status `unavailable`.
"""

from typing import Any

import regex

from .answer_language import looks_english
from .question_kind import question_kind
from .rubric import (
    ASSESSMENT_VERSION,
    BEHAVIOURAL,
    COMPLETE,
    HEURISTIC,
    MAX_QUOTE_CHARACTERS,
    MISSING,
    MOTIVATION,
    PRESENT,
    STAR_PARTS,
    TECHNICAL,
    UNAVAILABLE,
    overall_score,
)

NOT_ENGLISH_REASON = (
    "the offline analysis only understands English; the answer looks like another language"
)
#: question kind: (fewest, most) words of a good spoken answer
_GOOD_LENGTH = {BEHAVIOURAL: (120, 400), TECHNICAL: (80, 400), MOTIVATION: (60, 250)}
_OTHER_LENGTH = (60, 300)
_NUMBER = regex.compile(r"\d|%|\b(?:percent|twice|double|half)\b", regex.IGNORECASE)
_EXAMPLE = regex.compile(r"\b(?:for example|for instance|e\.g\.|such as)", regex.IGNORECASE)
_SINGULAR = regex.compile(r"\b(?:i|my|me|mine|myself|i'm|i've|i'd|i'll)\b", regex.IGNORECASE)
_PLURAL = regex.compile(r"\b(?:we|our|us|ours|we're|we've)\b", regex.IGNORECASE)
_QUOTE_WORDS = 6


def heuristic_assessment(question: str, answer: str, metrics: dict[str, Any]) -> dict[str, Any]:
    """The offline assessment of `answer` (the rules are in the module docstring)."""
    kind = question_kind(question)
    if not looks_english(answer):
        return _assessment(UNAVAILABLE, NOT_ENGLISH_REASON, kind, {}, None)
    criteria = {
        "relevance": _relevance(metrics),
        "structure": _structure(kind, metrics),
        "evidence": _evidence(answer, metrics),
        "ownership": _ownership(answer),
        "delivery": _delivery(kind, metrics),
    }
    star = _star(answer, metrics) if kind == BEHAVIOURAL else None
    return _assessment(COMPLETE, None, kind, criteria, star)


def _assessment(status, reason, kind, criteria, star) -> dict[str, Any]:
    return {
        "version": ASSESSMENT_VERSION,
        "method": HEURISTIC,
        "status": status,
        "reason": reason,
        "question_kind": kind,
        "criteria": criteria,
        "star": star,
        "overall": overall_score(criteria),
    }


def _relevance(metrics: dict[str, Any]) -> int:
    terms = metrics["key_terms"]
    if not terms["terms"]:
        return 4 if metrics["word_count"] >= 50 else 3
    if len(terms["used"]) * 2 >= len(terms["terms"]):
        return 5
    return 4 if terms["used"] else 2


def _structure(kind: str, metrics: dict[str, Any]) -> int:
    if kind == BEHAVIOURAL:
        return 1 + sum(1 for part in STAR_PARTS if metrics["star"][part])
    sentences, average = metrics["sentence_count"], metrics["avg_sentence_words"]
    if average > 40:
        return 2
    if sentences >= 3 and 8 <= average <= 30:
        return 5
    return 4 if sentences >= 2 else 3


def _evidence(answer: str, metrics: dict[str, Any]) -> int:
    score = 1 + 2 * bool(_NUMBER.search(answer)) + bool(_EXAMPLE.search(answer))
    return min(5, score + (metrics["word_count"] >= 80))


def _ownership(answer: str) -> int:
    singular, plural = len(_SINGULAR.findall(answer)), len(_PLURAL.findall(answer))
    if not singular:
        return 1 if plural else 3
    share = singular / (singular + plural)
    return 5 if share >= 0.6 and singular >= 2 else 4 if share >= 0.4 else 3


def _delivery(kind: str, metrics: dict[str, Any]) -> int:
    words, fillers = metrics["word_count"], metrics["filler_count"]
    fewest, most = _GOOD_LENGTH.get(kind, _OTHER_LENGTH)
    score = 1
    if fewest <= words <= most:
        score += 2
    elif fewest / 2 <= words <= most * 1.5:
        score += 1
    if words and fillers * 50 < words:
        score += 1
    if words and not fillers:
        score += 1
    return score


def _star(answer: str, metrics: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each STAR part `present` with the answer's words at its first cue, else `missing`."""
    return {
        part: (
            {"status": PRESENT, "quote": _quote(answer, metrics["star_cues"][part][0])}
            if metrics["star"][part]
            else {"status": MISSING, "quote": ""}
        )
        for part in STAR_PARTS
    }


def _quote(answer: str, cue: str) -> str:
    """The answer's own words from where `cue` first appears, a few words long."""
    found = regex.search(regex.escape(cue), answer, regex.IGNORECASE)
    if found is None:
        return ""
    words = answer[found.start() :].split()[:_QUOTE_WORDS]
    return " ".join(words).rstrip(",;:")[:MAX_QUOTE_CHARACTERS]
