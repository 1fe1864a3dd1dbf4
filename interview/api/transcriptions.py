"""POST /api/v1/transcriptions: a recorded answer, transcribed and timed.

The upload is multipart/form-data with the audio in `file`, as the OpenAI API
takes it. Its size is bounded before anything is read: a Content-Length past
INTERVIEW_TRANSCRIPTION_MAX_BYTES (and the form's framing) is refused at once,
and a body sent without one is read no further than that. Werkzeug holds the
audio in memory up to 500 KB, else in an unnamed temporary file (mode 0600,
gone when closed, and closed here whatever happens). The audio is never
logged or kept; its format is judged by its content (`feedback/audio.py`).
"""

from typing import BinaryIO

from flask import Blueprint, abort, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import (
    BadGateway,
    GatewayTimeout,
    HTTPException,
    RequestEntityTooLarge,
    ServiceUnavailable,
)

from ..extensions import current_runtime
from ..feedback.audio import UnreadableAudio, UnsupportedAudio
from ..feedback.providers import ProviderError
from ..feedback.transcription import (
    NoTranscriptionService,
    RecordingTooLong,
    transcribe_recording,
)
from ..schemas import transcription_form_schema, transcription_schema
from .limits import caller_admission
from .owners import current_owner

bp = Blueprint("transcriptions", __name__, url_prefix="/transcriptions")

#: Room for the multipart framing and the small fields around the audio.
FORM_OVERHEAD_BYTES = 16 * 1024
MULTIPART = "multipart/form-data"
#: The upstream's failures answered otherwise than 502.
UPSTREAM_FAILURES: dict[str, type[HTTPException]] = {
    "upstream_timeout": GatewayTimeout,
    "upstream_not_found": ServiceUnavailable,
    "upstream_rate_limited": ServiceUnavailable,
}


def too_large(max_bytes: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(
        f"The recording is larger than the limit of {max_bytes} bytes "
        "(INTERVIEW_TRANSCRIPTION_MAX_BYTES)."
    )


def uploaded_audio(max_bytes: int) -> BinaryIO:
    """The audio of the `file` field, read no further than the limit allows."""
    if request.mimetype != MULTIPART:
        abort(415, "Send the recording as multipart/form-data, the audio in the field `file`.")
    limit = max_bytes + FORM_OVERHEAD_BYTES
    if request.content_length is not None and request.content_length > limit:
        raise too_large(max_bytes)
    request.max_content_length = limit
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise too_large(max_bytes) from None
    if upload is None or not upload.stream:
        raise ValidationError({"file": ["Send the audio in the multipart field `file`."]})
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > max_bytes:
        upload.close()
        raise too_large(max_bytes)
    return stream


def upstream_failure(exc: ProviderError) -> HTTPException:
    """The 502, 503 or 504 problem for a transcription the upstream could not give."""
    detail = exc.message
    if exc.code == "upstream_not_found":
        detail = (
            "No transcription service is available: the upstream has no audio transcription "
            "endpoint or no such model (404). Type the answer instead."
        )
    return UPSTREAM_FAILURES.get(exc.code, BadGateway)(detail)


@bp.post("")
def create_transcription():
    """Transcribe a recorded answer and time its delivery; the audio is not kept."""
    audio = uploaded_audio(current_app.config["INTERVIEW_TRANSCRIPTION_MAX_BYTES"])
    try:
        form = transcription_form_schema.load(request.form)
        transcribed = transcribe_recording(
            current_runtime(), audio, form["language"], current_owner(), caller_admission()
        )
    except NoTranscriptionService:
        abort(503, "No transcription service is configured here; type the answer instead.")
    except UnsupportedAudio as exc:
        abort(415, str(exc))
    except (UnreadableAudio, RecordingTooLong) as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    except ProviderError as exc:
        raise upstream_failure(exc) from None
    finally:
        audio.close()
    return transcription_schema.dump(transcribed)
