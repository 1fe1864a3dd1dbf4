"""Feedback records: create (streamed inline or in the background), follow, read, list, delete."""

from flask import Blueprint, abort, request, url_for
from marshmallow import ValidationError

from ..api_keys import events_token
from ..extensions import current_runtime
from ..feedback.admission import TooManyOpenStreams
from ..feedback.cursors import InvalidCursor
from ..feedback.encoders import AiSdkEncoder, NativeEncoder
from ..feedback.idempotency import MAX_KEY_LENGTH, IdempotencyConflict
from ..feedback.live import Generation
from ..feedback.records import delete_record, get_record, list_records
from ..feedback.service import (
    Attach,
    UnknownTranscription,
    cancel_feedback,
    feedback_events,
    inline_feedback_events,
    is_resume_past_end,
    open_feed,
    start_or_attach,
)
from ..schemas import (
    accepted_schema,
    feedback_list_query_schema,
    feedback_list_schema,
    feedback_request_schema,
    feedback_schema,
)
from .ai_sdk import PROTOCOL as AI_SDK
from .ai_sdk import ai_sdk_response, feedback_request_of
from .event_streams import holding_a_slot
from .limits import caller_admission, too_many_open_streams
from .negotiation import json_body, resume_point, wants_inline_stream
from .owners import authenticated_by_key, current_owner
from .streaming import event_stream_response

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

NOT_FOUND = "There is no feedback with this id."


def native_encoder() -> NativeEncoder:
    """This API's own events; `done` carries the record as `GET` returns it."""
    return NativeEncoder(feedback_schema.dump)


def ai_sdk_encoder(feedback_id: str) -> AiSdkEncoder:
    """The AI SDK's stream; its `data-feedback` part is the record as `GET` returns it."""
    return AiSdkEncoder(feedback_id, feedback_schema.dump)


def requested_protocol() -> str | None:
    protocol = request.args.get("protocol")
    if protocol not in (None, AI_SDK):
        abort(400, f"Unknown protocol; the one supported is {AI_SDK}.")
    return protocol


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        abort(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.")
    return key


def accepted(feedback_id: str):
    """The 202 answer; a key-authenticated caller's events URL carries a stream token."""
    url = url_for("api.feedback.get_feedback", feedback_id=feedback_id)
    body = {
        "id": feedback_id,
        "status": "streaming",
        "url": url,
        "events_url": events_url(feedback_id),
    }
    return accepted_schema.dump(body), 202, {"Location": url}


def events_url(feedback_id: str) -> str:
    """A record's events URL; a key-authenticated caller's carries a stream token."""
    token = events_token(feedback_id, current_owner()) if authenticated_by_key() else None
    return url_for("api.feedback.feedback_events_stream", feedback_id=feedback_id, token=token)


def request_payload(protocol: str | None) -> dict:
    """The feedback request in the body, in this API's shape or the AI SDK's."""
    body = json_body()
    if protocol == AI_SDK:
        body = feedback_request_of(body)
    return feedback_request_schema.load(body)


def attach_to_earlier(feedback_id: str, protocol: str | None, inline: bool, after: int):
    """Answer a repeated request with the record the first one created."""
    runtime = current_runtime()
    feed = open_feed(runtime, feedback_id, current_owner())
    if feed is None:
        abort(404, NOT_FOUND)
    if protocol == AI_SDK:
        return ai_sdk_response(feedback_events(runtime, feed, encoder=ai_sdk_encoder(feedback_id)))
    if not inline:
        feed.close()
        return accepted(feedback_id)
    if is_resume_past_end(feed, after):
        return "", 204
    return event_stream_response(feedback_events(runtime, feed, after, encoder=native_encoder()))


def answer_started(generation: Generation, protocol: str | None, inline: bool):
    """Answer the request that started `generation`: its stream, or 202."""
    if protocol == AI_SDK:
        encoder = ai_sdk_encoder(generation.feedback_id)
        return ai_sdk_response(inline_feedback_events(current_runtime(), generation, encoder))
    if inline:
        return event_stream_response(
            inline_feedback_events(current_runtime(), generation, native_encoder())
        )
    return accepted(generation.feedback_id)


@bp.post("")
def create_feedback():
    """Start feedback on an answer: stream it inline, or 202 and generate in the background.

    With an `Idempotency-Key`, a repeat of the same request attaches to the
    first one's record (resuming after `Last-Event-ID`) instead of starting again.
    """
    protocol = requested_protocol()
    after = resume_point()
    payload = request_payload(protocol)
    inline = protocol == AI_SDK or wants_inline_stream()
    owner, key = current_owner(), idempotency_key()
    admission = caller_admission()
    try:
        result = start_or_attach(current_runtime(), payload, owner, key, admission)
    except IdempotencyConflict:
        raise ValidationError(
            {"Idempotency-Key": ["This key was already used for a different request."]}
        ) from None
    except TooManyOpenStreams as exc:
        raise too_many_open_streams(exc) from None
    except UnknownTranscription:
        raise ValidationError({"transcription_id": ["There is no such transcription."]}) from None
    if isinstance(result, Attach):
        return attach_to_earlier(result.feedback_id, protocol, inline, after)
    return answer_started(result, protocol, inline)


@bp.get("/<feedback_id>/events")
@holding_a_slot
def feedback_events_stream(feedback_id: str):
    """Replay a record's events, then follow it live until it ends.

    With `?protocol=ai-sdk`, a record still generating is replayed from its
    start (the SDK's resume expects that) and a finished one answers 204 (the
    SDK's "no active stream").
    """
    protocol = requested_protocol()
    after = resume_point()
    runtime = current_runtime()
    feed = open_feed(runtime, feedback_id, current_owner())
    if feed is None:
        abort(404, NOT_FOUND)
    if protocol == AI_SDK:
        if feed.outcome is not None:
            feed.close()
            return "", 204
        return ai_sdk_response(feedback_events(runtime, feed, encoder=ai_sdk_encoder(feedback_id)))
    if is_resume_past_end(feed, after):
        return "", 204
    return event_stream_response(feedback_events(runtime, feed, after, encoder=native_encoder()))


@bp.get("/<feedback_id>")
def get_feedback(feedback_id: str):
    """Return one record."""
    record = get_record(feedback_id, current_owner())
    if record is None:
        abort(404, NOT_FOUND)
    return feedback_schema.dump(record)


@bp.get("")
def list_feedback():
    """List the caller's records, newest first, a page at a time."""
    query = feedback_list_query_schema.load(request.args)
    try:
        items, next_cursor = list_records(current_owner(), query["limit"], query["cursor"])
    except InvalidCursor:
        abort(400, "The cursor is not one this API handed out.")
    return feedback_list_schema.dump({"items": items, "next": next_cursor})


@bp.delete("/<feedback_id>")
def delete_feedback(feedback_id: str):
    """Delete a record for good; a generation still running is stopped first."""
    owner = current_owner()
    cancel_feedback(current_runtime(), feedback_id, owner)
    if not delete_record(feedback_id, owner):
        abort(404, NOT_FOUND)
    return "", 204


@bp.post("/<feedback_id>/cancel")
def cancel(feedback_id: str):
    """Stop a generation; the record ends `interrupted` with the text so far."""
    result = cancel_feedback(current_runtime(), feedback_id, current_owner())
    if result is None:
        abort(404, NOT_FOUND)
    if result == "finished":
        abort(409, "This feedback has already finished.")
    return {"id": feedback_id, "status": "cancelling"}, 202
