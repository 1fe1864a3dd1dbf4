"""Reading a mock interview: its state, after taking in what its finished generations wrote.

A session's questions written by the model, and each follow-up question, are
read out of their generation records by whichever process reads the session
next once the record has ended (any worker, any instance), and saved with a
conditional write (`session_records.py`): the first reader saves them, the
others find them saved. A questions generation that failed, or wrote fewer
usable questions than asked, is made up from the bank, and `questions_note`
says how many came from where.
"""

from ..models import (
    ACTIVE,
    FOLLOW_UP,
    PREPARING,
    STREAMING,
    InterviewSession,
    SessionQuestion,
)
from .questions import list_questions
from .runtime import Runtime
from .session_prompts import (
    parse_follow_up,
    parse_generated_questions,
)
from .session_questions import pick_bank_questions
from .session_records import (
    add_follow_up_once,
    add_questions_once,
    get_session,
    list_sessions,
    records_of,
    session_questions,
)
from .session_state import SessionState, build_state

BANK, MODEL = "bank", "model"


def find_state(runtime: Runtime, session_id: str, owner: str | None) -> SessionState | None:
    """The owner's session as it stands now, or None."""
    session = get_session(session_id, owner)
    return None if session is None else read_state(runtime, session)


def read_state(runtime: Runtime, session: InterviewSession) -> SessionState:
    """The session's state, after reading in what its finished generations wrote."""
    if session.status == PREPARING:
        _read_in_questions(session)
    questions = session_questions(session.session_id)
    if _read_in_follow_ups(session, questions):
        questions = session_questions(session.session_id)
    ids = [session.questions_id, session.report_id]
    ids += [q.feedback_id for q in questions] + [q.follow_up_id for q in questions]
    return build_state(session, questions, records_of(ids))


def list_states(
    runtime: Runtime, owner: str | None, limit: int, cursor: str | None
) -> tuple[list[SessionState], str | None]:
    """One page of the owner's sessions, newest first, each as it stands."""
    sessions, next_cursor = list_sessions(owner, limit, cursor)
    return [read_state(runtime, session) for session in sessions], next_cursor


def bank_questions(
    session: InterviewSession, mix: dict[str, int], first_position: int = 1, exclude=()
) -> list[SessionQuestion]:
    """Questions for `mix` from the bank, numbered from `first_position`."""
    picked = pick_bank_questions(
        mix,
        session.role,
        exclude_ids=exclude,
        questions=list_questions(include_builtin=True),
        seed=session.session_id,
    )
    return [
        SessionQuestion(
            session_id=session.session_id,
            position=first_position + offset,
            follow_up=False,
            text=question["text"],
            category=question["category"],
            why=question.get("tips"),
            source=BANK,
            bank_id=question["bank_id"],
            skipped=False,
        )
        for offset, question in enumerate(picked)
    ]


def _read_in_questions(session: InterviewSession) -> None:
    """Turn a finished questions generation into the session's questions."""
    record = records_of([session.questions_id]).get(session.questions_id)
    if record is not None and record.status == STREAMING:
        return
    text = record.feedback if record is not None else ""
    written = parse_generated_questions(text, session.mix) if record is not None else []
    questions = [
        SessionQuestion(
            session_id=session.session_id,
            position=position,
            follow_up=False,
            text=question.text,
            category=question.category,
            why=question.why,
            source=MODEL,
            skipped=False,
        )
        for position, question in enumerate(written, start=1)
    ]
    missing = dict(session.mix)
    for question in written:
        if missing.get(question.category, 0) > 0:
            missing[question.category] -= 1
    shortfall = session.question_count - len(questions)
    note = None
    if shortfall > 0:
        missing = _trim_mix(missing, shortfall)
        questions += bank_questions(session, missing, first_position=len(questions) + 1)
        note = (
            f"The model wrote {len(written)} of {session.question_count} questions; "
            f"{shortfall} come from the question bank."
        )
    if add_questions_once(session.session_id, questions, note):
        session.status, session.questions_note = ACTIVE, note
    else:
        session.status = get_session(session.session_id, session.owner).status


def _trim_mix(missing: dict[str, int], shortfall: int) -> dict[str, int]:
    """The categories still owed, cut or topped up (behavioural first) to `shortfall`."""
    owed = {name: count for name, count in missing.items() if count > 0}
    total = sum(owed.values())
    if total < shortfall:
        owed["behavioural"] = owed.get("behavioural", 0) + shortfall - total
    while sum(owed.values()) > shortfall:
        largest = max(owed, key=owed.get)
        owed[largest] -= 1
    return {name: count for name, count in owed.items() if count > 0}


def _read_in_follow_ups(session: InterviewSession, questions: list[SessionQuestion]) -> bool:
    """Save the follow-up question of each finished follow-up generation; True if any was."""
    have = {q.position for q in questions if q.follow_up}
    waiting = [q for q in questions if q.follow_up_id and q.position not in have]
    if not waiting:
        return False
    records = records_of(q.follow_up_id for q in waiting)
    added = False
    for question in waiting:
        record = records.get(question.follow_up_id)
        if record is None or record.status == STREAMING:
            continue
        text = parse_follow_up(record.feedback)
        if text is None:
            continue
        add_follow_up_once(
            SessionQuestion(
                session_id=session.session_id,
                position=question.position,
                follow_up=True,
                text=text,
                category=question.category,
                why=f"A follow-up on your answer to question {question.position}.",
                source=FOLLOW_UP,
                skipped=False,
            )
        )
        added = True
    return added
