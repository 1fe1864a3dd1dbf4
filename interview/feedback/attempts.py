"""A candidate's attempts: grouped by question, compared with the previous one, scored over time."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..models import Feedback
from .answer_changes import AnswerChanges, answer_changes
from .history_records import list_practice_attempts
from .records import list_attempts
from .rubric import COMPLETE, CRITERIA, MODEL, PARTIAL_ASSESSMENT, STAR_PARTS


@dataclass(frozen=True)
class QuestionHistory:
    question: str
    attempts: list[Feedback]  # newest first


def history_by_question(owner: str) -> list[QuestionHistory]:
    """Return the owner's attempts outside mock interviews grouped by question, the most
    recently practised first (a session's answers are listed with their session)."""
    groups: dict[str, list[Feedback]] = {}
    for record in list_practice_attempts(owner):
        groups.setdefault(record.question, []).append(record)
    return [QuestionHistory(question, attempts) for question, attempts in groups.items()]


def attempts_at(record: Feedback, owner: str) -> list[Feedback]:
    """Return every attempt at this record's question, oldest first."""
    return list(reversed(list_attempts(owner, question=record.question)))


def previous_attempt(record: Feedback, attempts: list[Feedback]) -> Feedback | None:
    """Return the attempt just before `record` among `attempts` (oldest first)."""
    ids = [attempt.feedback_id for attempt in attempts]
    index = ids.index(record.feedback_id) if record.feedback_id in ids else 0
    return attempts[index - 1] if index > 0 else None


@dataclass(frozen=True)
class CriterionChange:
    name: str
    before: int | None
    now: int | None

    @property
    def change(self) -> int | None:
        return None if self.before is None or self.now is None else self.now - self.before


@dataclass(frozen=True)
class StarChange:
    part: str
    before: str | None  # present, partial or missing; None where that attempt has no STAR
    now: str | None


@dataclass(frozen=True)
class Comparison:
    """What changed from the previous attempt to this one.

    Scores are compared only between assessments made the same way (same method
    and rubric version); `not_compared` says why they are not. Two records made
    before assessments compare their free-text scores and keyword STAR parts, as
    they did then. Two spoken attempts (each with a `delivery`) also compare how
    they were said: `delivery` is empty unless both have one.
    """

    overall: CriterionChange | None
    criteria: list[CriterionChange]
    not_compared: str | None
    star: list[StarChange]
    keyword_star: dict[str, list[str]] | None
    words: CriterionChange
    fillers: CriterionChange
    delivery: list[CriterionChange]
    answer: AnswerChanges


def compare_attempts(current: Feedback, previous: Feedback) -> Comparison:
    """Return what changed from `previous` to `current` (see `Comparison`)."""
    now, before = current.assessment, previous.assessment
    legacy = now is None and before is None
    reason = None if legacy else _why_not_comparable(now, before)
    comparable = legacy or reason is None
    overall = CriterionChange("overall", previous.score, current.score) if comparable else None
    criteria = (
        [
            CriterionChange(name, before["criteria"].get(name), now["criteria"].get(name))
            for name in CRITERIA
        ]
        if comparable and not legacy
        else []
    )
    star = (
        [
            StarChange(part, _star_status(before, part), _star_status(now, part))
            for part in STAR_PARTS
        ]
        if comparable and not legacy and (_has_star(now) or _has_star(before))
        else []
    )
    return Comparison(
        overall=overall,
        criteria=criteria,
        not_compared=reason,
        star=star,
        keyword_star=_keyword_star(current, previous) if legacy else None,
        words=CriterionChange(
            "words", previous.metrics["word_count"], current.metrics["word_count"]
        ),
        fillers=CriterionChange(
            "filler words", previous.metrics["filler_count"], current.metrics["filler_count"]
        ),
        delivery=_delivery_changes(current.delivery, previous.delivery),
        answer=answer_changes(previous.answer, current.answer),
    )


#: The delivery figures two spoken attempts are compared on: (row name, key).
DELIVERY_ROWS = (
    ("speaking time (s)", "speaking_time_s"),
    ("pace (words per minute)", "words_per_minute"),
    ("long pauses", "long_pause_count"),
    ("filler words spoken", "filler_count"),
)


def _delivery_changes(now: dict | None, before: dict | None) -> list[CriterionChange]:
    if not (isinstance(now, dict) and isinstance(before, dict)):
        return []
    return [
        CriterionChange(name, _whole(before.get(key)), _whole(now.get(key)))
        for name, key in DELIVERY_ROWS
    ]


def _whole(value: Any) -> int | None:
    return round(value) if isinstance(value, int | float) else None


def usable_assessment(assessment: dict[str, Any] | None) -> bool:
    """True for an assessment with criteria to show: complete, or partial with some."""
    return (
        isinstance(assessment, dict)
        and assessment.get("status") in (COMPLETE, PARTIAL_ASSESSMENT)
        and isinstance(assessment.get("criteria"), dict)
    )


def _why_not_comparable(now: dict | None, before: dict | None) -> str | None:
    if not (usable_assessment(now) and usable_assessment(before)):
        return "One of the two attempts has no assessment, so their scores are not compared."
    if now.get("method", MODEL) != before.get("method", MODEL):
        return (
            "One attempt was judged by the model and the other by the offline analysis, "
            "so their scores are not compared."
        )
    if now.get("version") != before.get("version"):
        return (
            "The two attempts were judged on different rubric versions, "
            "so their scores are not compared."
        )
    return None


def _has_star(assessment: dict[str, Any]) -> bool:
    return isinstance(assessment.get("star"), dict)


def _star_status(assessment: dict[str, Any], part: str) -> str | None:
    judged = assessment["star"].get(part) if _has_star(assessment) else None
    return judged.get("status") if isinstance(judged, dict) else None


def _keyword_star(current: Feedback, previous: Feedback) -> dict[str, list[str]] | None:
    """Gained, lost and still-missing keyword STAR parts, where the keyword check can work."""
    if not current.metrics.get("star_applicable", True):
        return None
    now, before = current.metrics["star"], previous.metrics["star"]
    return {
        "gained": [p for p in STAR_PARTS if now[p] and not before[p]],
        "lost": [p for p in STAR_PARTS if before[p] and not now[p]],
        "still_missing": [p for p in STAR_PARTS if not (now[p] or before[p])],
    }


def derived_score_trend(attempts: list[Feedback]) -> list[tuple[str, int, str]]:
    """(label, overall score, method) of each attempt whose assessment has an overall
    score, oldest first: the trend is drawn on the derived score only. The label is
    the day, with the time where two attempts share a day."""
    scored = [
        a for a in attempts if usable_assessment(a.assessment) and a.assessment.get("overall")
    ]
    days = Counter(a.created_at.date() for a in scored)
    return [
        (
            a.created_at.strftime("%d %b %H:%M" if days[a.created_at.date()] > 1 else "%d %b"),
            a.assessment["overall"],
            a.assessment.get("method", MODEL),
        )
        for a in scored
    ]
