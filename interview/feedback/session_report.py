"""A mock interview's report: the summary computed, then the debrief generated around it.

The summary (`session_summary.py`: the criteria across the answers, the
strongest and weakest with quotes, what to practise next) is stored as the
report record's `metrics`; the model, or the offline provider, writes the
debrief from those facts. Starting the report ends the session. Asked again,
it attaches to a report that is streaming or completed; one that `failed` or
was `interrupted` is replaced by a new one, so the candidate can always get
a report.
"""

from typing import Any

from ..models import (
    COMPLETED,
    PREPARING,
    REPORT,
    STREAMING,
    Feedback,
)
from .admission import Admission
from .live import Generation
from .providers.base import FeedbackInput
from .runtime import Runtime
from .service import Attach, GenerationRequest, start_generation
from .session_prompts import (
    SESSION_PROMPT_VERSION,
    build_report_prompt,
)
from .session_reading import find_state
from .session_records import (
    end_with_report,
)
from .session_state import QuestionState
from .session_summary import summarize_session
from .sessions import SessionConflict, withdraw


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
    reached = [q for q in state.questions if q.answer_record is not None or q.skipped]
    summary = {
        **summarize_session([_summary_input(q) for q in reached]),
        "not_reached": len(state.questions) - len(reached),
    }
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
        state = withdraw(runtime, session_id, owner, generation.feedback_id)
        return None if state is None else Attach(state.report.id)
    return generation


def _summary_input(question: QuestionState) -> dict[str, Any]:
    """An answered or skipped question as the summary reads it."""
    record: Feedback | None = question.answer_record
    return {
        "bank_id": question.bank_id,
        "number": question.number,
        "question": question.text,
        "category": question.category,
        "answer": record.answer if record is not None else "",
        "assessment": record.assessment if record is not None else None,
        "score": record.score if record is not None else None,
        "skipped": question.skipped,
    }


def _transcript(answers: list[dict[str, Any]]) -> str:
    """The answers the report reads, as the report record keeps them."""
    return "\n\n".join(f"{a['number']}. {a['question']}\n\n{a['answer']}" for a in answers)
