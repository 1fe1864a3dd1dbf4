"""Each criterion across mock interviews: its mean per session, oldest session first.

`session_trends(answers)` takes one `SessionAnswer` (`history_records.py`) per
answered question of the sessions to show (any order) and returns, for each
criterion of the rubric and for the overall score, one point per session that
scored it.

- A criterion's point is the mean of that session's answers whose assessment
  gives the criterion (a usable assessment, complete or partial, with a mark
  on the rubric's scale); an answer without it is left out of that criterion
  only. A session with no such answer has no point for it.
- The overall point is the mean of the answers' overall scores (1-10): the
  record's score, else the assessment's `overall`.
- Each trend's `mean` is over every answer counted, not a mean of the means.
- A point is `heuristic` when any of its answers was judged by the offline
  analysis rather than the model: the chart draws it hollow.
- Labels are the session's day, with the time where two sessions share a day.
Means have one decimal, rounded half up. Nothing here raises on a missing,
partial or malformed assessment.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .attempts import usable_assessment
from .history_records import SessionAnswer
from .rubric import CRITERIA, HEURISTIC, OVERALL_MAX, OVERALL_MIN, SCALE_MAX, SCALE_MIN

OVERALL = "overall"


@dataclass(frozen=True)
class SessionPoint:
    session_id: str
    role: str
    started_at: datetime
    label: str
    mean: float
    count: int  # the answers the mean is over
    heuristic: bool


@dataclass(frozen=True)
class Trend:
    name: str  # a criterion, or "overall"
    low: int
    high: int
    points: list[SessionPoint]  # oldest session first
    mean: float | None  # over every answer counted, all sessions together
    count: int


def session_trends(answers: list[SessionAnswer]) -> list[Trend]:
    """The trend of each criterion (rubric order), then of the overall score."""
    sessions = sorted(
        {(a.started_at, a.session_id): a for a in answers}.values(),
        key=lambda a: (a.started_at, a.session_id),
    )
    labels = _labels(sessions)
    by_session: dict[str, list[SessionAnswer]] = {}
    for answer in answers:
        by_session.setdefault(answer.session_id, []).append(answer)
    trends = [
        _trend(name, SCALE_MIN, SCALE_MAX, sessions, labels, by_session, _criterion(name))
        for name in CRITERIA
    ]
    trends.append(_trend(OVERALL, OVERALL_MIN, OVERALL_MAX, sessions, labels, by_session, _overall))
    return trends


Mark = Callable[[SessionAnswer], int | None]


def _trend(
    name: str,
    low: int,
    high: int,
    sessions: list[SessionAnswer],
    labels: dict[str, str],
    by_session: dict[str, list[SessionAnswer]],
    mark_of: Mark,
) -> Trend:
    points: list[SessionPoint] = []
    every_mark: list[int] = []
    for first in sessions:
        marked = [
            (mark, _heuristic(a.assessment))
            for a in by_session[first.session_id]
            if (mark := mark_of(a)) is not None and low <= mark <= high
        ]
        if not marked:
            continue
        marks = [mark for mark, _ in marked]
        every_mark += marks
        points.append(
            SessionPoint(
                session_id=first.session_id,
                role=first.role,
                started_at=first.started_at,
                label=labels[first.session_id],
                mean=_mean(marks),
                count=len(marks),
                heuristic=any(heuristic for _, heuristic in marked),
            )
        )
    mean = _mean(every_mark) if every_mark else None
    return Trend(name, low, high, points, mean, len(every_mark))


def _criterion(name: str) -> Mark:
    def mark_of(answer: SessionAnswer) -> int | None:
        assessment = answer.assessment
        if not usable_assessment(assessment):
            return None
        return _whole(assessment["criteria"].get(name))

    return mark_of


def _overall(answer: SessionAnswer) -> int | None:
    if answer.score is not None:
        return _whole(answer.score)
    return _whole(answer.assessment.get(OVERALL)) if usable_assessment(answer.assessment) else None


def _whole(value: Any) -> int | None:
    """An integer mark; anything else (None, a string, a bool, a fraction) is no mark."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _heuristic(assessment: Any) -> bool:
    return isinstance(assessment, dict) and assessment.get("method") == HEURISTIC


def _mean(marks: list[int]) -> float:
    exact = Decimal(sum(marks)) / len(marks)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _labels(sessions: list[SessionAnswer]) -> dict[str, str]:
    days = Counter(s.started_at.date() for s in sessions)
    return {
        s.session_id: s.started_at.strftime(
            "%d %b %H:%M" if days[s.started_at.date()] > 1 else "%d %b"
        )
        for s in sessions
    }
