"""The history of mock interviews: each session with its answered questions, and the trends."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .history_records import session_answers
from .runtime import Runtime
from .session_reading import list_states
from .session_state import ANSWERED, QuestionState, SessionState
from .session_trends import Trend, session_trends

#: How many sessions the criteria trends cover: the latest, active or ended.
TREND_SESSIONS = 20


@dataclass(frozen=True)
class SessionEntry:
    state: SessionState
    answered: list[QuestionState]  # in the order asked, follow-ups after their question
    mean_score: float | None  # of the answered questions' scores (1-10), one decimal


def session_history(
    runtime: Runtime, owner: str, limit: int, cursor: str | None = None
) -> tuple[list[SessionEntry], str | None]:
    """One page of the owner's sessions, newest first, and the next page's cursor."""
    states, next_cursor = list_states(runtime, owner, limit, cursor)
    return [_entry(state) for state in states], next_cursor


def _entry(state: SessionState) -> SessionEntry:
    answered = [q for q in state.questions if q.status == ANSWERED]
    scores = [q.score for q in answered if q.score is not None]
    mean = Decimal(sum(scores)) / len(scores) if scores else None
    return SessionEntry(
        state=state,
        answered=answered,
        mean_score=float(mean.quantize(Decimal("0.1"), ROUND_HALF_UP)) if scores else None,
    )


def criteria_trends(owner: str, sessions: int = TREND_SESSIONS) -> list[Trend]:
    """Each criterion's and the overall score's mean per session over the latest sessions."""
    return session_trends(session_answers(owner, sessions))
