"""Feedback without a model: an analysis of the answer's metrics, labelled as offline.

Used when no OPENAI_API_KEY is set (or INTERVIEW_PROVIDER=offline). Its text says
plainly that no AI model read the answer; it is streamed through the same
pipeline as a model's text, in word-sized pieces.
"""

from collections.abc import Iterator
from typing import Any

import regex

from ..offline_feedback import build_offline_feedback
from .base import FeedbackInput

OFFLINE_MODEL = "offline-analysis"
_PIECE = regex.compile(r"\S+\s*|\s+")


class OfflineStream:
    def __init__(self, text: str) -> None:
        self._text = text
        self._closed = False
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None

    def close(self) -> None:
        self._closed = True

    def __iter__(self) -> Iterator[str]:
        for match in _PIECE.finditer(self._text):
            if self._closed:
                return
            yield match.group()
        self.finish_reason = "stop"


class OfflineProvider:
    name = "offline"
    model = OFFLINE_MODEL
    writes_assessment = False  # its records say so (`assessment.unavailable_assessment`)
    temperature = None
    seed = None

    def warm_up(self) -> None:
        """Nothing to prepare: the analysis is local."""

    def open_stream(self, request: FeedbackInput) -> OfflineStream:
        return OfflineStream(
            build_offline_feedback(request.question, request.answer, request.role, request.metrics)
        )
