"""Feedback without a model: an analysis of the answer's metrics, labelled as offline.

Used when no OPENAI_API_KEY is set (or INTERVIEW_PROVIDER=offline). Its text says
plainly that no AI model read the answer; it is streamed through the same
pipeline as a model's text, in word-sized pieces. Its assessment (labelled
`heuristic`, `offline_assessment.py`) is judged before the text is written and
handed over on the stream's `assessment`, never as a block in the text: the
block filter only ever takes the model's. A mock interview's follow-up
question and report are written from the session's figures
(`offline_session.py`), saying as plainly that no model wrote them.
"""

from collections.abc import Iterator
from typing import Any

import regex

from ...models import FOLLOW_UP, REPORT
from ..offline_assessment import heuristic_assessment
from ..offline_feedback import build_offline_feedback
from ..offline_session import offline_follow_up, offline_report_text
from .base import FeedbackInput

OFFLINE_MODEL = "offline-analysis"
_PIECE = regex.compile(r"\S+\s*|\s+")


class OfflineStream:
    def __init__(self, text: str, assessment: dict[str, Any] | None) -> None:
        self._text = text
        self.assessment = assessment
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
    writes_assessment = False  # its stream carries its own (`OfflineStream.assessment`)
    temperature = None
    seed = None

    def warm_up(self) -> None:
        """Nothing to prepare: the analysis is local."""

    def open_stream(self, request: FeedbackInput) -> OfflineStream:
        if request.kind == FOLLOW_UP:
            context = request.context
            text = offline_follow_up(context["question"], context["answer"], context["assessment"])
            return OfflineStream(text, None)
        if request.kind == REPORT:
            return OfflineStream(
                offline_report_text(request.role, request.context["summary"]), None
            )
        assessment = heuristic_assessment(request.question, request.answer, request.metrics)
        return OfflineStream(
            build_offline_feedback(request.role, request.metrics, assessment), assessment
        )
