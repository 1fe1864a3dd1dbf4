"""The interfaces every feedback provider and transcriber implements, and their error type."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from ..delivery import TimedWord


class ProviderError(Exception):
    """A generation failed; `code` is stable and documented, `message` is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ProviderStream(Protocol):
    """The text of one generation, in the pieces it arrives in.

    Iterating raises `ProviderError` on failure. After the iteration ends,
    `finish_reason` and `usage` hold what the upstream reported. `close()` may be
    called from another greenlet to stop the generation early.
    """

    finish_reason: str | None
    usage: dict[str, Any] | None

    def __iter__(self) -> Iterator[str]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class FeedbackInput:
    """What a provider needs to write one generation: feedback on an answer by default.

    For a mock interview's follow-up question or report (`kind`), `context`
    holds what the offline provider writes from (a model reads `messages` only).
    """

    question: str
    answer: str
    role: str | None
    metrics: dict[str, Any]
    messages: list[dict[str, str]]
    #: Marks this request's assessment block (`assessment_block.py`); in `messages`.
    block_nonce: str = ""
    kind: str = "answer"
    context: dict[str, Any] | None = None


class FeedbackProvider(Protocol):
    name: str
    model: str
    #: Whether its text ends with an assessment block (the model's); if not (offline),
    #: its stream hands over its own assessment on `assessment` (`offline.OfflineStream`).
    writes_assessment: bool
    #: What is sent upstream, stored on each record; None where nothing is sampled.
    temperature: float | None
    seed: int | None

    def open_stream(self, request: FeedbackInput) -> ProviderStream:
        """Start a generation; raise ProviderError if it cannot start."""
        ...

    def warm_up(self) -> None:
        """Do once, at worker start, the set-up the first generations would otherwise share."""
        ...


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard: its text, the language it names, and timed words if any."""

    text: str
    language: str | None
    words: list[TimedWord] | None


class Transcriber(Protocol):
    #: `openai` (the upstream's audio endpoint) or `local` (the recogniser on this server)
    name: str
    #: stored on each transcription
    model: str

    def transcribe(self, audio: BinaryIO, container: str, language: str | None) -> Transcript:
        """Transcribe the recording in `audio` (`container` its demuxer); raise ProviderError."""
        ...
