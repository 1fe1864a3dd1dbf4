"""Mock interviews: questions for a role, answered one at a time, follow-ups, a report.

Every model output in a session is a generation record of the `feedback`
table with its own `kind` (`models.KINDS`): the questions written for a job
description, a follow-up question, the report. So each streams, resumes,
cancels and is saved exactly as feedback is. What the session makes of a
finished generation (its questions, its follow-up question) is read in
lazily, by whichever process reads the session next, with conditional writes
(`session_records.py`): no process has to be alive when a generation ends.

Deliberate choices:
- With no model (the offline provider), questions always come from the bank,
  and the session says so in `questions_note`.
- A generation that fails to write questions, or writes too few, is made up
  from the bank; `questions_note` says how many came from where.
- A refused request (bad input, the caller's cap or budget) saves nothing: a
  session with model-written questions is inserted only after its generation
  was admitted.
- The report is computed first (`session_summary.py`: the criteria across the
  answers, the strongest and weakest, what to practise next) and stored as the
  report record's `metrics`; the model writes the debrief around those facts.
"""

from dataclasses import dataclass
from typing import Any

from ..models import (
    ACTIVE,
    COMPLETED,
    ENDED,
    FOLLOW_UP,
    PREPARING,
    QUESTIONS,
    REPORT,
    STREAMING,
    Feedback,
    InterviewSession,
    SessionQuestion,
    new_feedback_id,
)
from .admission import Admission
from .idempotency import IdempotencyConflict, earlier_record_id, request_digest, scoped_key
from .live import Generation
from .providers.base import FeedbackInput
from .questions import list_questions
from .records import delete_record
from .runtime import Runtime
from .service import Attach, GenerationRequest, cancel_feedback, start_generation, start_or_attach
from .session_prompts import (
    SESSION_PROMPT_VERSION,
    build_follow_up_prompt,
    build_questions_prompt,
    build_report_prompt,
    parse_follow_up,
    parse_generated_questions,
)
from .session_questions import default_mix, pick_bank_questions
from .session_records import (
    add_follow_up_once,
    add_questions_once,
    delete_session,
    end_with_report,
    find_session_by_key,
    get_session,
    insert_session,
    link_answer,
    link_follow_up,
    list_sessions,
    records_of,
    session_questions,
    skip_question,
    streaming_records_of,
)
from .session_state import QuestionState, SessionState, build_state, find_question
from .session_summary import summarize_session

BANK, MODEL = "bank", "model"
NO_MODEL_NOTE = "No model is configured: the questions come from the question bank."


class SessionConflict(Exception):
    """The session is not in a state that allows this; `message` says why, for the candidate."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownQuestion(Exception):
    """The session has no question with this number."""


@dataclass(frozen=True)
class Started:
    """A session just made; `generation` writes its questions (None: from the bank)."""

    state: SessionState
    generation: Generation | None


def create_session(
    runtime: Runtime,
    payload: dict[str, Any],
    owner: str | None,
    key: str | None,
    admission: Admission,
) -> Started | SessionState:
    """Start a session; a repeat of an Idempotency-Key request returns its session's state."""
    digest = request_digest(payload) if key is not None else None
    if key is not None:
        earlier = find_session_by_key(scoped_key(owner, key))
        if earlier is not None:
            if earlier.request_digest != digest:
                raise IdempotencyConflict(key)
            return read_state(runtime, earlier)
    count = payload.get("question_count", 5)
    session = InterviewSession(
        session_id=new_feedback_id(),
        owner=owner,
        caller=admission.caller,
        role=payload["role"],
        seniority=payload.get("seniority", "mid"),
        job_description=payload.get("job_description"),
        question_count=count,
        mix=payload.get("mix") or default_mix(count),
        idempotency_key=scoped_key(owner, key) if key is not None else None,
        request_digest=digest,
    )
    source = payload.get("question_source") or (MODEL if session.job_description else BANK)
    if source == MODEL and runtime.provider.name == "offline":
        source, session.questions_note = BANK, NO_MODEL_NOTE
    session.question_source = source
    if source == BANK:
        session.status = ACTIVE
        insert_session(session, bank_questions(session, session.mix))
        return Started(read_state(runtime, session), None)
    generation = _start_questions(runtime, session, admission)
    session.status, session.questions_id = PREPARING, generation.feedback_id
    insert_session(session, [])
    return Started(read_state(runtime, session), generation)


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


def _start_questions(
    runtime: Runtime, session: InterviewSession, admission: Admission
) -> Generation:
    messages = build_questions_prompt(
        session.role, session.seniority, session.job_description, session.mix
    )
    request = GenerationRequest(
        owner=session.owner,
        question=f"Questions for {session.role}",
        answer=session.job_description or "",
        role=session.role,
        metrics={"mix": session.mix},
        delay_ms=None,
        prompt_version=SESSION_PROMPT_VERSION,
        session_id=session.session_id,
    )
    provider_input = FeedbackInput(
        request.question, request.answer, session.role, {}, messages, kind=QUESTIONS
    )
    return start_generation(runtime, request, provider_input, admission)


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


def _active_state(runtime: Runtime, session_id: str, owner: str | None) -> SessionState | None:
    """The session's state; raises `SessionConflict` unless it takes answers."""
    state = find_state(runtime, session_id, owner)
    if state is None:
        return None
    if state.status == PREPARING:
        raise SessionConflict("The questions are still being written; follow their events.")
    if state.status == ENDED:
        raise SessionConflict("This session has ended.")
    return state


def answer_question(
    runtime: Runtime,
    session_id: str,
    owner: str | None,
    number: str,
    payload: dict[str, Any],
    key: str | None,
    admission: Admission,
) -> Generation | Attach | None:
    """Start the feedback on the answer to question `number`; None if there is no session.

    As POST /feedback: a repeated Idempotency-Key attaches to its record.
    """
    state = _active_state(runtime, session_id, owner)
    if state is None:
        return None
    question = find_question(state, number)
    if question is None:
        raise UnknownQuestion(number)
    request = {
        "question": question.text,
        "answer": payload["answer"],
        "role": state.role,
        **{name: payload[name] for name in ("transcription_id", "delay_ms") if name in payload},
    }
    if question.feedback_id is not None:
        if key is None or earlier_record_id(owner, key, request_digest(request)) is None:
            raise SessionConflict(f"Question {number} has already been answered.")
        return Attach(question.feedback_id)
    result = start_or_attach(runtime, request, owner, key, admission, session_id)
    if isinstance(result, Generation) and not link_answer(question.row_id, result.feedback_id):
        if _withdraw(runtime, session_id, owner, result.feedback_id) is None:
            return None
        raise SessionConflict(f"Question {number} has already been answered.")
    return result


def skip(runtime: Runtime, session_id: str, owner: str | None, number: str) -> SessionState | None:
    """Skip question `number`; the report counts it as skipped."""
    state = _active_state(runtime, session_id, owner)
    if state is None:
        return None
    question = find_question(state, number)
    if question is None:
        raise UnknownQuestion(number)
    if not skip_question(question.row_id):
        raise SessionConflict(f"Question {number} has already been answered.")
    return find_state(runtime, session_id, owner)


def ask_follow_up(
    runtime: Runtime, session_id: str, owner: str | None, number: str, admission: Admission
) -> Generation | Attach | None:
    """Start writing one follow-up question on the answer to main question `number`.

    Asked again, it attaches to the follow-up already being (or already) written.
    """
    state = _active_state(runtime, session_id, owner)
    if state is None:
        return None
    question = find_question(state, number)
    if question is None or question.follow_up:
        raise UnknownQuestion(number)
    if question.follow_up_generation is not None:
        return Attach(question.follow_up_generation.id)
    answer = question.answer_record
    if answer is None:
        raise SessionConflict(f"Answer question {number} before asking for a follow-up.")
    if answer.status == STREAMING:
        raise SessionConflict(f"The feedback on question {number} is still being written.")
    messages = build_follow_up_prompt(state.role, question.text, answer.answer, answer.assessment)
    request = GenerationRequest(
        owner=owner,
        question=question.text,
        answer=answer.answer,
        role=state.role,
        metrics={},
        delay_ms=None,
        prompt_version=SESSION_PROMPT_VERSION,
        session_id=session_id,
    )
    context = {"question": question.text, "answer": answer.answer, "assessment": answer.assessment}
    provider_input = FeedbackInput(
        question.text, answer.answer, state.role, {}, messages, kind=FOLLOW_UP, context=context
    )
    generation = start_generation(runtime, request, provider_input, admission)
    if not link_follow_up(question.row_id, generation.feedback_id):
        state = _withdraw(runtime, session_id, owner, generation.feedback_id)
        return None if state is None else Attach(find_question(state, number).follow_up_id)
    return generation


def start_report(
    runtime: Runtime, session_id: str, owner: str | None, admission: Admission
) -> Generation | Attach | None:
    """End the session and start its report; asked again, attach to the report.

    A report that `failed` or was `interrupted` (cancelled, its worker killed)
    is replaced by a new one: the candidate can always get a report.
    """
    state = find_state(runtime, session_id, owner)
    if state is None:
        return None
    if state.report is not None and state.report.status in (STREAMING, COMPLETED):
        return Attach(state.report.id)
    replacing = state.report.id if state.report is not None else None
    if state.status == PREPARING:
        raise SessionConflict("The questions are still being written; follow their events.")
    answered = [q for q in state.questions if q.answer_record is not None]
    if not answered:
        raise SessionConflict("Answer at least one question before asking for the report.")
    if any(q.answer_record.status == STREAMING for q in answered):
        raise SessionConflict("The feedback on an answer is still being written.")
    summary = summarize_session([_summary_input(q) for q in state.questions])
    answers = [
        {"number": q.number, "question": q.text, "answer": q.answer_record.answer} for q in answered
    ]
    messages = build_report_prompt(state.role, state.seniority, summary, answers)
    request = GenerationRequest(
        owner=owner,
        question=f"Interview report: {state.role}",
        answer=_transcript(answers),
        role=state.role,
        metrics=summary,
        delay_ms=None,
        prompt_version=SESSION_PROMPT_VERSION,
        session_id=session_id,
    )
    context = {"role": state.role, "summary": summary}
    provider_input = FeedbackInput(
        request.question, request.answer, state.role, {}, messages, kind=REPORT, context=context
    )
    generation = start_generation(runtime, request, provider_input, admission)
    if not end_with_report(session_id, generation.feedback_id, replacing):
        state = _withdraw(runtime, session_id, owner, generation.feedback_id)
        return None if state is None else Attach(state.report.id)
    return generation


def _withdraw(
    runtime: Runtime, session_id: str, owner: str | None, feedback_id: str
) -> SessionState | None:
    """Stop a generation another request beat to its place; the session as it now is.

    None if the session was deleted meanwhile (from any instance): then the
    generation's record, made after the session's records were deleted, goes too.
    """
    cancel_feedback(runtime, feedback_id, owner)
    state = find_state(runtime, session_id, owner)
    if state is None:
        delete_record(feedback_id, owner)
    return state


def _summary_input(question: QuestionState) -> dict[str, Any]:
    """A question as the summary reads it; one not answered by the report counts as skipped."""
    record: Feedback | None = question.answer_record
    return {
        "bank_id": question.bank_id,
        "number": question.number,
        "question": question.text,
        "category": question.category,
        "answer": record.answer if record is not None else "",
        "assessment": record.assessment if record is not None else None,
        "score": record.score if record is not None else None,
        "skipped": record is None,
    }


def _transcript(answers: list[dict[str, Any]]) -> str:
    """The answers the report reads, as the report record keeps them."""
    return "\n\n".join(f"{a['number']}. {a['question']}\n\n{a['answer']}" for a in answers)


def list_states(
    runtime: Runtime, owner: str | None, limit: int, cursor: str | None
) -> tuple[list[SessionState], str | None]:
    """One page of the owner's sessions, newest first, each as it stands."""
    sessions, next_cursor = list_sessions(owner, limit, cursor)
    return [read_state(runtime, session) for session in sessions], next_cursor


def remove_session(runtime: Runtime, session_id: str, owner: str | None) -> bool:
    """Delete the session and all its records; its running generations are stopped first."""
    session = get_session(session_id, owner)
    if session is None:
        return False
    for feedback_id in streaming_records_of(session_id):
        cancel_feedback(runtime, feedback_id, owner)
    delete_session(session_id)
    return True
