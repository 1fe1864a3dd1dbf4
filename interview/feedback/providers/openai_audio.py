"""Transcriptions from an OpenAI-compatible audio endpoint, through the `openai` SDK.

Deliberate choices:
- The SDK's typed `audio.transcriptions.create`, on the application's one
  client per process (`UpstreamClients`, as the chat stream's), so the same
  key, base URL, transport and connect timeout apply; a transcription of a
  long recording may take longer than a chat stream takes to start, so its
  read timeout is INTERVIEW_TRANSCRIPTION_TIMEOUT_S.
- Retries as for the chat (`upstream_errors.py`): a refused (408, 409, 429,
  5xx) or unreachable request is sent again, the audio rewound, at most
  INTERVIEW_UPSTREAM_RETRIES times.
- `verbose_json` with word timestamps, except for models that only answer
  `json` (OpenAI's gpt-4o transcription models): the delivery then comes from
  the audio itself (`delivery.py`).
- The prompt is itself disfluent: Whisper-style models copy the style of the
  prompt, and without it they drop the "um"s and "like"s the delivery counts.
- The upload goes with a name made here from the container found in its
  content (some servers choose the decoder by the extension); the
  candidate's own file name never leaves the service.
"""

import time
from collections.abc import Sequence
from typing import Any, BinaryIO

import httpx2
import openai

from ..audio import MP3, MP4, OGG, WAV, WEBM
from ..delivery import TimedWord
from .base import ProviderError, Transcript
from .openai_chat import UpstreamClients
from .upstream_errors import backoff_s, retry_delay_s, status_error

TRANSCRIPTION_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."
#: Model name prefixes whose transcriptions are `json` only: no word timestamps.
JSON_ONLY_MODELS: Sequence[str] = ("gpt-4o",)
#: The name and type each container is sent under.
UPLOAD_NAMES = {
    WEBM: ("audio.webm", "audio/webm"),
    OGG: ("audio.ogg", "audio/ogg"),
    WAV: ("audio.wav", "audio/wav"),
    MP3: ("audio.mp3", "audio/mpeg"),
    MP4: ("audio.m4a", "audio/mp4"),
}


class OpenAITranscriber:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout_s: float,
        transcription_timeout_s: float,
        max_retries: int,
        max_retry_after_s: float,
        clients: UpstreamClients,
    ) -> None:
        self.model = model
        self._clients = clients
        self._client_args = (api_key, base_url, timeout_s)
        self._timeout = httpx2.Timeout(transcription_timeout_s, connect=timeout_s)
        self._retries = max_retries
        self._max_retry_after_s = max_retry_after_s

    @property
    def gives_word_timestamps(self) -> bool:
        return not self.model.startswith(tuple(JSON_ONLY_MODELS))

    def transcribe(self, audio: BinaryIO, container: str, language: str | None) -> Transcript:
        """Send the recording upstream and return its transcript; raise `ProviderError`."""
        client = self._clients.get(*self._client_args)
        filename, content_type = UPLOAD_NAMES[container]
        arguments = self._arguments(language)
        for attempt in range(self._retries + 1):
            audio.seek(0)
            try:
                result = client.audio.transcriptions.create(
                    file=(filename, audio, content_type), **arguments
                )
                return _transcript(result, language)
            except openai.APIStatusError as exc:
                delay = retry_delay_s(exc, attempt, self._retries, self._max_retry_after_s)
                if delay is None:
                    raise status_error(exc) from exc
            except (openai.APIResponseValidationError, ValueError) as exc:
                raise ProviderError(
                    "upstream_malformed", "The transcription service answered something unreadable."
                ) from exc
            except openai.APITimeoutError as exc:
                raise ProviderError(
                    "upstream_timeout", "The transcription service did not answer in time."
                ) from exc
            except openai.APIConnectionError as exc:
                if attempt == self._retries:
                    raise ProviderError(
                        "upstream_unreachable", "Could not reach the transcription service."
                    ) from exc
                delay = backoff_s(attempt)
            finally:
                audio.seek(0)
            time.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _arguments(self, language: str | None) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self.model,
            "prompt": TRANSCRIPTION_PROMPT,
            "timeout": self._timeout,
        }
        if self.gives_word_timestamps:
            arguments["response_format"] = "verbose_json"
            arguments["timestamp_granularities"] = ["word"]
        else:
            arguments["response_format"] = "json"
        if language:
            arguments["language"] = language
        return arguments


def _transcript(result: Any, language: str | None) -> Transcript:
    """The SDK's answer (verbose or plain) as a `Transcript`."""
    text = (getattr(result, "text", None) or "").strip()
    words = getattr(result, "words", None)
    timed = None
    if words:
        timed = [
            TimedWord(str(word.word), float(word.start), float(word.end))
            for word in words
            if word.start is not None and word.end is not None
        ]
    return Transcript(
        text=text,
        language=language or getattr(result, "language", None) or None,
        words=timed or None,
    )
