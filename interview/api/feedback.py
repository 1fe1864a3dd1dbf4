"""Feedback records: create (streamed inline or in the background), follow, read, list, delete."""

from flask import Blueprint, abort, current_app, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from ..api_keys import events_token
from ..feedback.encoders import AiSdkEncoder, NativeEncoder
from ..feedback.idempotency import (
    MAX_KEY_LENGTH,
    IdempotencyConflict,
    earlier_record_id,
    is_duplicate_key_error,
    request_digest,
    scoped_key,
)
from ..feedback.records import InvalidCursor, delete_record, get_record, list_records
from ..feedback.service import (
    cancel_feedback,
    feedback_events,
    inline_feedback_events,
    is_resume_past_end,
    open_feed,
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
from .limits import start_callers_feedback
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
    url = url_for(".get_feedback", feedback_id=feedback_id)
    token = events_token(feedback_id, current_owner()) if authenticated_by_key() else None
    body = {
        "id": feedback_id,
        "status": "streaming",
        "url": url,
        "events_url": url_for(".feedback_events_stream", feedback_id=feedback_id, token=token),
    }
    return accepted_schema.dump(body), 202, {"Location": url}


def attach_to_earlier(feedback_id: str, protocol: str | None, inline: bool, after: int):
    """Answer a repeated request with the record the first one created."""
    feed = open_feed(current_app._get_current_object(), feedback_id, current_owner())
    if feed is None:
        abort(404, NOT_FOUND)
    if protocol == AI_SDK:
        return ai_sdk_response(
            feedback_events(current_app, feed, encoder=ai_sdk_encoder(feedback_id))
        )
    if not inline:
        feed.close()
        return accepted(feedback_id)
    if is_resume_past_end(feed, after):
        return "", 204
    return event_stream_response(
        feedback_events(current_app, feed, after, encoder=native_encoder())
    )


@bp.post("")
def create_feedback():
    """Start feedback on an answer: stream it inline, or 202 and generate in the background.

    With an `Idempotency-Key`, a repeat of the same request attaches to the
    first one's record (resuming after `Last-Event-ID`) instead of starting again.
    """
    protocol = requested_protocol()
    after = resume_point()
    body = json_body()
    if protocol == AI_SDK:
        body = feedback_request_of(body)
    payload = feedback_request_schema.load(body)
    inline = protocol == AI_SDK or wants_inline_stream()
    owner, key = current_owner(), idempotency_key()
    idempotency = None
    if key is not None:
        digest = request_digest(payload)
        try:
            earlier = earlier_record_id(owner, key, digest)
        except IdempotencyConflict:
            raise ValidationError(
                {"Idempotency-Key": ["This key was already used for a different request."]}
            ) from None
        if earlier is not None:
            return attach_to_earlier(earlier, protocol, inline, after)
        idempotency = (scoped_key(owner, key), digest)
    app = current_app._get_current_object()
    try:
        generation = start_callers_feedback(app, payload, owner, idempotency)
    except IntegrityError as exc:
        if key is None or not is_duplicate_key_error(exc):
            raise
        # a concurrent request with the same key won the race: attach to its record
        earlier = earlier_record_id(owner, key, digest)
        return attach_to_earlier(earlier, protocol, inline, after)
    if protocol == AI_SDK:
        encoder = ai_sdk_encoder(generation.feedback_id)
        return ai_sdk_response(inline_feedback_events(app, generation, encoder))
    if inline:
        return event_stream_response(inline_feedback_events(app, generation, native_encoder()))
    return accepted(generation.feedback_id)


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
    feed = open_feed(current_app._get_current_object(), feedback_id, current_owner())
    if feed is None:
        abort(404, NOT_FOUND)
    if protocol == AI_SDK:
        if feed.outcome is not None:
            feed.close()
            return "", 204
        return ai_sdk_response(
            feedback_events(current_app, feed, encoder=ai_sdk_encoder(feedback_id))
        )
    if is_resume_past_end(feed, after):
        return "", 204
    return event_stream_response(
        feedback_events(current_app, feed, after, encoder=native_encoder())
    )


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
    cancel_feedback(current_app, feedback_id, owner)
    if not delete_record(feedback_id, owner):
        abort(404, NOT_FOUND)
    return "", 204


@bp.post("/<feedback_id>/cancel")
def cancel(feedback_id: str):
    """Stop a generation; the record ends `interrupted` with the text so far."""
    result = cancel_feedback(current_app, feedback_id, current_owner())
    if result is None:
        abort(404, NOT_FOUND)
    if result == "finished":
        abort(409, "This feedback has already finished.")
    return {"id": feedback_id, "status": "cancelling"}, 202
