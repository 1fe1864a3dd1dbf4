"""Feedback records: create (streamed inline or in the background), follow, read, list, delete."""

from flask import Blueprint, abort, current_app, request, url_for

from ..feedback.encoders import AiSdkEncoder
from ..feedback.records import InvalidCursor, delete_record, get_record, list_records
from ..feedback.service import (
    cancel_feedback,
    feedback_events,
    inline_feedback_events,
    is_resume_past_end,
    open_feed,
    start_feedback,
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
from .negotiation import json_body, resume_point, wants_inline_stream
from .owners import current_owner
from .streaming import event_stream_response

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

NOT_FOUND = "There is no feedback with this id."


def requested_protocol() -> str | None:
    protocol = request.args.get("protocol")
    if protocol not in (None, AI_SDK):
        abort(400, f"Unknown protocol; the one supported is {AI_SDK}.")
    return protocol


@bp.post("")
def create_feedback():
    """Start feedback on an answer: stream it inline, or 202 and generate in the background."""
    protocol = requested_protocol()
    body = json_body()
    if protocol == AI_SDK:
        body = feedback_request_of(body)
    payload = feedback_request_schema.load(body)
    inline = protocol == AI_SDK or wants_inline_stream()
    app = current_app._get_current_object()
    generation = start_feedback(app, payload, current_owner())
    if protocol == AI_SDK:
        encoder = AiSdkEncoder(generation.feedback_id)
        return ai_sdk_response(inline_feedback_events(app, generation, encoder))
    if inline:
        return event_stream_response(inline_feedback_events(app, generation))
    feedback_id = generation.feedback_id
    url = url_for(".get_feedback", feedback_id=feedback_id)
    body = {
        "id": feedback_id,
        "status": "streaming",
        "url": url,
        "events_url": url_for(".feedback_events_stream", feedback_id=feedback_id),
    }
    return accepted_schema.dump(body), 202, {"Location": url}


@bp.get("/<feedback_id>/events")
def feedback_events_stream(feedback_id: str):
    """Replay a record's events, then follow it live until it ends.

    With `?protocol=ai-sdk`, a record still generating is replayed from its
    start (the SDK's resume expects that) and a finished one answers 204 (the
    SDK's "no active stream").
    """
    protocol = requested_protocol()
    after = resume_point() if protocol is None else 0
    feed = open_feed(current_app, feedback_id, current_owner())
    if feed is None:
        abort(404, NOT_FOUND)
    if protocol == AI_SDK:
        if feed.outcome is not None:
            feed.close()
            return "", 204
        return ai_sdk_response(
            feedback_events(current_app, feed, encoder=AiSdkEncoder(feedback_id))
        )
    if is_resume_past_end(feed, after):
        return "", 204
    return event_stream_response(feedback_events(current_app, feed, after))


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
