"""Mock interview sessions: create, read, list, delete; answer, skip, follow up; the report.

Every generation a session starts (its questions, an answer's feedback, a
follow-up question, the report) is a record answered exactly as POST
/feedback answers: its inline event stream, or 202 with its `events_url`
(`?protocol=ai-sdk` too), and followed, resumed and cancelled under
/feedback/{id}. The same keys, owners, CORS, rate budget and cap apply.
"""

from contextlib import contextmanager

from flask import Blueprint, Response, abort, request, url_for
from marshmallow import ValidationError

from ..extensions import current_runtime
from ..feedback.admission import TooManyOpenStreams
from ..feedback.cursors import InvalidCursor
from ..feedback.idempotency import IdempotencyConflict
from ..feedback.records import get_record
from ..feedback.service import Attach, UnknownTranscription
from ..feedback.session_export import report_markdown
from ..feedback.session_reading import find_state, list_states
from ..feedback.session_report import start_report
from ..feedback.session_state import GenerationRef, SessionState, find_question
from ..feedback.sessions import (
    SessionConflict,
    Started,
    UnknownQuestion,
    answer_question,
    ask_follow_up,
    create_session,
    remove_session,
    skip,
)
from ..schemas import feedback_list_query_schema, feedback_schema
from ..session_schemas import (
    next_question_schema,
    session_answer_request_schema,
    session_request_schema,
    session_schema,
)
from .ai_sdk import PROTOCOL as AI_SDK
from .ai_sdk import feedback_request_of
from .feedback import (
    answer_started,
    attach_to_earlier,
    events_url,
    feedback_events_stream,
    idempotency_key,
    requested_protocol,
)
from .limits import caller_admission, too_many_open_streams
from .negotiation import json_body, resume_point, wants_inline_stream
from .owners import current_owner

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

NOT_FOUND = "There is no session with this id."
NO_REPORT = "This session has no report yet."


def dump_session(state: SessionState) -> dict:
    """The session's JSON, each generation with its events URL."""
    body = session_schema.dump(state)
    refs = [("questions_generation", state.questions_generation), ("report", state.report)]
    for name, ref in refs:
        if ref is not None:
            body[name]["events_url"] = events_url(ref.id)
    for question, dumped in zip(state.questions, body["questions"], strict=True):
        if question.follow_up_generation is not None:
            dumped["follow_up_generation"]["events_url"] = events_url(
                question.follow_up_generation.id
            )
    return body


def _state_or_404(session_id: str) -> SessionState:
    state = find_state(current_runtime(), session_id, current_owner())
    if state is None:
        abort(404, NOT_FOUND)
    return state


@contextmanager
def refusals_as_problems():
    """Answer the domain's refusals with their problem+json: 409, 404, 429 or 422."""
    try:
        yield
    except SessionConflict as exc:
        abort(409, exc.message)
    except UnknownQuestion:
        abort(404, "This session has no question with this number.")
    except TooManyOpenStreams as exc:
        raise too_many_open_streams(exc) from None
    except IdempotencyConflict:
        raise ValidationError(
            {"Idempotency-Key": ["This key was already used for a different request."]}
        ) from None
    except UnknownTranscription:
        raise ValidationError({"transcription_id": ["There is no such transcription."]}) from None


def _generation_response(start):
    """Answer a request that starts (or attaches to) a generation, as POST /feedback does."""
    protocol = requested_protocol()
    after = resume_point()
    inline = protocol is not None or wants_inline_stream()
    with refusals_as_problems():
        result = start()
    if result is None:
        abort(404, NOT_FOUND)
    if isinstance(result, Attach):
        return attach_to_earlier(result.feedback_id, protocol, inline, after)
    return answer_started(result, protocol, inline)


@bp.post("")
def create():
    """Start a session: its questions from the bank at once, or written by the model."""
    payload = session_request_schema.load(json_body())
    key = idempotency_key()
    with refusals_as_problems():
        result = create_session(
            current_runtime(), payload, current_owner(), key, caller_admission()
        )
    state = result.state if isinstance(result, Started) else result
    url = url_for(".get_session", session_id=state.session_id)
    return dump_session(state), 201 if isinstance(result, Started) else 200, {"Location": url}


@bp.get("")
def list_all():
    """List the caller's sessions, newest first, a page at a time."""
    query = feedback_list_query_schema.load(request.args)
    try:
        states, next_cursor = list_states(
            current_runtime(), current_owner(), query["limit"], query["cursor"]
        )
    except InvalidCursor:
        abort(400, "The cursor is not one this API handed out.")
    return {"items": [dump_session(state) for state in states], "next": next_cursor}


@bp.get("/<session_id>")
def get_session(session_id: str):
    """Return one session as it stands."""
    return dump_session(_state_or_404(session_id))


@bp.delete("/<session_id>")
def delete(session_id: str):
    """Delete a session and every record it made; its running generations stop first."""
    if not remove_session(current_runtime(), session_id, current_owner()):
        abort(404, NOT_FOUND)
    return "", 204


@bp.get("/<session_id>/next")
def next_question(session_id: str):
    """The next question to answer; 204 when none is left."""
    state = _state_or_404(session_id)
    if state.next is None:
        return "", 204
    return next_question_schema.dump({"question": find_question(state, state.next)})


@bp.post("/<session_id>/questions/<number>/answer")
def answer(session_id: str, number: str):
    """Start the feedback on an answer to question `number`, as POST /feedback does.

    With `?protocol=ai-sdk` the body may be useChat's: the answer is its last user message.
    """
    body = json_body()
    if requested_protocol() == AI_SDK:
        body = feedback_request_of(body)
    payload = session_answer_request_schema.load(body)
    key, owner = idempotency_key(), current_owner()
    return _generation_response(
        lambda: answer_question(
            current_runtime(), session_id, owner, number, payload, key, caller_admission()
        )
    )


@bp.post("/<session_id>/questions/<number>/skip")
def skip_question(session_id: str, number: str):
    """Skip question `number`."""
    with refusals_as_problems():
        state = skip(current_runtime(), session_id, current_owner(), number)
    if state is None:
        abort(404, NOT_FOUND)
    return dump_session(state)


@bp.post("/<session_id>/questions/<number>/follow-up")
def follow_up(session_id: str, number: str):
    """Start writing a follow-up question on the answer to `number`; it becomes `{number}a`."""
    owner = current_owner()
    return _generation_response(
        lambda: ask_follow_up(current_runtime(), session_id, owner, number, caller_admission())
    )


@bp.post("/<session_id>/report")
def create_report(session_id: str):
    """End the session and stream its report; asked again, the same report, or a new one
    if it failed or was interrupted."""
    owner = current_owner()
    return _generation_response(
        lambda: start_report(current_runtime(), session_id, owner, caller_admission())
    )


def _report_of(session_id: str) -> GenerationRef:
    report = _state_or_404(session_id).report
    if report is None:
        abort(404, NO_REPORT)
    return report


@bp.get("/<session_id>/report")
def get_report(session_id: str):
    """The report's record: its text, and its summary as `metrics`."""
    record = get_record(_report_of(session_id).id, current_owner())
    if record is None:
        abort(404, NO_REPORT)
    return feedback_schema.dump(record)


@bp.get("/<session_id>/report/events")
def report_events(session_id: str):
    """The report's events, exactly as /feedback/{id}/events gives them."""
    return feedback_events_stream(_report_of(session_id).id)


@bp.get("/<session_id>/report.md")
def report_as_markdown(session_id: str):
    """The session and its report as a Markdown file."""
    state = _state_or_404(session_id)
    report = get_record(state.report.id, current_owner()) if state.report else None
    filename = f"interview-{state.session_id}.md"
    return Response(
        report_markdown(state, report),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
