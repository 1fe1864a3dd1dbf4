"""POST /api/v1/transcriptions: a recorded answer, transcribed and timed.

The upload is multipart/form-data with the audio in `file`, as the OpenAI API
takes it. Its size is bounded before anything is read: a Content-Length past
INTERVIEW_TRANSCRIPTION_MAX_BYTES (and the form's framing) is refused at once,
and a body sent without one is read no further than that. The audio is held
in memory up to IN_MEMORY_BYTES, else in a temporary file without a name
(mode 0600, gone when closed), and every such buffer is closed when the
request is answered, whatever the answer. The audio is never logged, and kept
only with INTERVIEW_KEEP_AUDIO; its format is judged by its content
(`feedback/audio.py`).
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from flask import Blueprint, abort, current_app, request
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import (
    BadGateway,
    GatewayTimeout,
    HTTPException,
    RequestEntityTooLarge,
    ServiceUnavailable,
)
from werkzeug.formparser import FormDataParser

from ..extensions import current_runtime
from ..feedback.audio import UnreadableAudio, UnsupportedAudio
from ..feedback.providers import ProviderError
from ..feedback.transcription import (
    NoTranscriptionService,
    RecordingTooLong,
    Transcribed,
    transcribe_recording,
)
from ..schemas import transcription_form_schema, transcription_schema
from .limits import caller_admission
from .owners import current_owner

bp = Blueprint("transcriptions", __name__, url_prefix="/transcriptions")

#: Room for the multipart framing and the small fields around the audio.
FORM_OVERHEAD_BYTES = 16 * 1024
#: Werkzeug's bound on the text fields held in memory, and on its own buffer of the
#: file's data (so more than the 64 KiB it reads at a time).
FIELDS_MEMORY_BYTES = 256 * 1024
#: An upload up to this size stays in memory; a larger one goes to a temporary file.
IN_MEMORY_BYTES = 1024 * 1024
#: The audio, the language, and what an OpenAI client adds (model, response_format, ...).
MAX_FORM_PARTS = 16
MULTIPART = "multipart/form-data"
#: The upstream's failures answered otherwise than 502.
UPSTREAM_FAILURES: dict[str, type[HTTPException]] = {
    "upstream_timeout": GatewayTimeout,
    "upstream_not_found": ServiceUnavailable,
    "upstream_rate_limited": ServiceUnavailable,
    "transcriber_busy": ServiceUnavailable,
}


def too_large(max_bytes: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(
        f"The recording is larger than the limit of {max_bytes} bytes "
        "(INTERVIEW_TRANSCRIPTION_MAX_BYTES)."
    )


@contextmanager
def received_upload(max_bytes: int) -> Iterator[tuple[BinaryIO, MultiDict]]:
    """The audio of the `file` field and the other fields, read no further than the limit.

    Every buffer the form's parts were read into is closed when the block
    ends, however it ends (a form cut short by the limit included).
    """
    if request.mimetype != MULTIPART:
        abort(415, "Send the recording as multipart/form-data, the audio in the field `file`.")
    limit = max_bytes + FORM_OVERHEAD_BYTES
    if request.content_length is not None and request.content_length > limit:
        raise too_large(max_bytes)
    buffers: list[BinaryIO] = []

    def buffer(*args: object, **kwargs: object) -> BinaryIO:
        spooled = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
        buffers.append(spooled)
        return spooled

    parser = FormDataParser(
        buffer,
        max_form_memory_size=FIELDS_MEMORY_BYTES,
        max_content_length=limit,
        max_form_parts=MAX_FORM_PARTS,
    )
    try:
        try:
            _, form, files = parser.parse_from_environ(request.environ)
        except RequestEntityTooLarge:
            raise too_large(max_bytes) from None
        upload = files.get("file")
        if upload is None:
            raise ValidationError({"file": ["Send the audio in the multipart field `file`."]})
        audio = upload.stream
        audio.seek(0, 2)
        if audio.tell() > max_bytes:
            raise too_large(max_bytes)
        audio.seek(0)
        yield audio, form
    finally:
        for spooled in buffers:
            spooled.close()


def upstream_failure(exc: ProviderError) -> HTTPException:
    """The 502, 503 or 504 problem for a transcription the recogniser could not give."""
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
    max_bytes = current_app.config["INTERVIEW_TRANSCRIPTION_MAX_BYTES"]
    with received_upload(max_bytes) as (audio, fields):
        form = transcription_form_schema.load(fields)
        return transcription_schema.dump(transcribe(audio, form["language"]))


def transcribe(audio: BinaryIO, language: str | None) -> Transcribed:
    """The domain's transcription, its refusals turned into problems."""
    try:
        return transcribe_recording(
            current_runtime(), audio, language, current_owner(), caller_admission()
        )
    except NoTranscriptionService:
        abort(503, "No transcription service is configured here; type the answer instead.")
    except UnsupportedAudio as exc:
        abort(415, str(exc))
    except (UnreadableAudio, RecordingTooLong) as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    except ProviderError as exc:
        if exc.code == "language_unsupported":
            raise ValidationError({"language": [exc.message]}) from None
        raise upstream_failure(exc) from None
