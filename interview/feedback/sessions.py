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

Reading a session and taking in what its generations wrote:
`session_reading.py`; the report: `session_report.py`.
"""

from dataclasses import dataclass
from typing import Any

from ..models import (
    ACTIVE,
    ENDED,
    FOLLOW_UP,
    PREPARING,
    QUESTIONS,
    STREAMING,
    InterviewSession,
    new_feedback_id,
)
from .admission import Admission
from .idempotency import IdempotencyConflict, earlier_record_id, request_digest, scoped_key
from .live import Generation
from .providers.base import FeedbackInput
from .records import delete_record
from .runtime import Runtime
from .service import Attach, GenerationRequest, cancel_feedback, start_generation, start_or_attach
from .session_prompts import (
    SESSION_PROMPT_VERSION,
    build_follow_up_prompt,
    build_questions_prompt,
)
from .session_questions import default_mix
from .session_reading import BANK, MODEL, bank_questions, find_state, read_state
from .session_records import (
    delete_session,
    find_session_by_key,
    get_session,
    insert_session,
    link_answer,
    link_follow_up,
    skip_question,
    streaming_records_of,
)
from .session_state import QuestionState, SessionState, find_question

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


def active_state(runtime: Runtime, session_id: str, owner: str | None) -> SessionState | None:
    """The session's state; raises `SessionConflict` unless it takes answers."""
    state = find_state(runtime, session_id, owner)
    if state is None:
        return None
    if state.status == PREPARING:
        raise SessionConflict("The questions are still being written; follow their events.")
    if state.status == ENDED:
        raise SessionConflict("This session has ended.")
    return state


def _question_of(
    runtime: Runtime, session_id: str, owner: str | None, number: str
) -> tuple[SessionState, QuestionState] | None:
    """The session taking answers and its question `number`; None if there is no session."""
    state = active_state(runtime, session_id, owner)
    if state is None:
        return None
    question = find_question(state, number)
    if question is None:
        raise UnknownQuestion(number)
    return state, question


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
    found = _question_of(runtime, session_id, owner, number)
    if found is None:
        return None
    state, question = found
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
        if withdraw(runtime, session_id, owner, result.feedback_id) is None:
            return None
        raise SessionConflict(f"Question {number} has already been answered.")
    return result


def skip(runtime: Runtime, session_id: str, owner: str | None, number: str) -> SessionState | None:
    """Skip question `number`; the report counts it as skipped."""
    found = _question_of(runtime, session_id, owner, number)
    if found is None:
        return None
    if not skip_question(found[1].row_id):
        raise SessionConflict(f"Question {number} has already been answered.")
    return find_state(runtime, session_id, owner)


def ask_follow_up(
    runtime: Runtime, session_id: str, owner: str | None, number: str, admission: Admission
) -> Generation | Attach | None:
    """Start writing one follow-up question on the answer to main question `number`.

    Asked again, it attaches to the follow-up already being (or already) written.
    """
    found = _question_of(runtime, session_id, owner, number)
    if found is None:
        return None
    state, question = found
    if question.follow_up:
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
        state = withdraw(runtime, session_id, owner, generation.feedback_id)
        if state is None:
            return None
        return Attach(find_question(state, number).follow_up_generation.id)
    return generation


def withdraw(
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


def remove_session(runtime: Runtime, session_id: str, owner: str | None) -> bool:
    """Delete the session and all its records; its running generations are stopped first."""
    session = get_session(session_id, owner)
    if session is None:
        return False
    for feedback_id in streaming_records_of(session_id):
        cancel_feedback(runtime, feedback_id, owner)
    delete_session(session_id)
    return True
