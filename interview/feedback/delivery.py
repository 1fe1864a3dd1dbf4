"""How a spoken answer was delivered, from its real timing: pace, long pauses, fillers.

    {
      "source": "word_timestamps",      # or "audio_levels"
      "duration_s": 74.2,               # the whole recording
      "speaking_time_s": 68.9,          # first word's start to last word's end
      "word_count": 152, "words_per_minute": 132,
      "long_pause_min_s": 2.0,
      "long_pauses": [{"start_s": 31.4, "duration_s": 2.7, "after": "deadline"}],
      "long_pause_count": 1, "longest_pause_s": 2.7,
      "filler_words": {"um": 3}, "filler_count": 3,
    }

Rules:
- With word timestamps (the upstream's), the speaking time runs from the first
  word's start to the last word's end, and a long pause is a gap of at least
  LONG_PAUSE_S between one word's end and the next one's start; `after` is the
  word before it.
- Without them, the same from the recording's loudness (`audio_levels.py`): a
  window is voiced when its level is within VOICED_RANGE_DB of the recording's
  loud speech (its 95th percentile level) and above QUIET_DB; a voiced run
  shorter than MIN_VOICED_S (a click, a breath) is not speech. The speaking time
  runs from the first run's start to the last one's end, and a long pause is a
  gap of at least LONG_PAUSE_S between two runs.
- Words and fillers are counted in the transcript (`metrics.py`'s rules), and
  the pace is words per minute of the speaking time, not of the recording.
- At most MAX_PAUSES pauses are listed (the longest); the count is of all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .metrics import count_fillers, count_words

LONG_PAUSE_S = 2.0
VOICED_RANGE_DB = 30.0
QUIET_DB = -55.0
MIN_VOICED_S = 0.15
LOUD_PERCENTILE = 0.95
MAX_PAUSES = 20
WORD_TIMESTAMPS, AUDIO_LEVELS = "word_timestamps", "audio_levels"


@dataclass(frozen=True)
class TimedWord:
    """One transcribed word and when it was said, in seconds from the recording's start."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class _Gap:
    start_s: float
    end_s: float
    after: str | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def delivery_from_words(
    transcript: str, words: Sequence[TimedWord], duration_s: float
) -> dict[str, Any]:
    """The delivery of a recording whose words the upstream timed."""
    timed = sorted((word for word in words if word.end_s >= word.start_s), key=_start)
    if not timed:
        return _delivery(transcript, duration_s, None, [], WORD_TIMESTAMPS)
    gaps = [
        _Gap(before.end_s, after.start_s, before.text.strip())
        for before, after in zip(timed, timed[1:], strict=False)
    ]
    span = (timed[0].start_s, max(word.end_s for word in timed))
    return _delivery(transcript, duration_s, span, gaps, WORD_TIMESTAMPS)


def delivery_from_levels(
    transcript: str, levels: Sequence[float], window_s: float, duration_s: float
) -> dict[str, Any]:
    """The delivery of a recording from its loudness, `window_s` a level."""
    runs = voiced_runs(levels, window_s)
    if not runs:
        return _delivery(transcript, duration_s, None, [], AUDIO_LEVELS)
    gaps = [_Gap(before[1], after[0]) for before, after in zip(runs, runs[1:], strict=False)]
    return _delivery(transcript, duration_s, (runs[0][0], runs[-1][1]), gaps, AUDIO_LEVELS)


def voiced_runs(levels: Sequence[float], window_s: float) -> list[tuple[float, float]]:
    """(start_s, end_s) of each run of voiced windows long enough to be speech."""
    if not levels:
        return []
    loud = sorted(levels)[min(len(levels) - 1, int(LOUD_PERCENTILE * len(levels)))]
    threshold = max(QUIET_DB, loud - VOICED_RANGE_DB)
    runs: list[tuple[float, float]] = []
    start: int | None = None
    for index, level in enumerate([*levels, float("-inf")]):  # the sentinel ends a last run
        if level >= threshold and level > QUIET_DB:
            start = index if start is None else start
        elif start is not None:
            if (index - start) * window_s >= MIN_VOICED_S:
                runs.append((start * window_s, index * window_s))
            start = None
    return runs


def _start(word: TimedWord) -> float:
    return word.start_s


def _delivery(
    transcript: str,
    duration_s: float,
    span: tuple[float, float] | None,
    gaps: list[_Gap],
    source: str,
) -> dict[str, Any]:
    word_count = count_words(transcript)
    speaking_s = span[1] - span[0] if span else 0.0
    pauses = [gap for gap in gaps if gap.duration_s >= LONG_PAUSE_S]
    listed = sorted(sorted(pauses, key=_length, reverse=True)[:MAX_PAUSES], key=_gap_start)
    fillers = count_fillers(transcript)
    return {
        "source": source,
        "duration_s": round(duration_s, 1),
        "speaking_time_s": round(speaking_s, 1),
        "word_count": word_count,
        "words_per_minute": round(word_count * 60 / speaking_s) if speaking_s > 0 else None,
        "long_pause_min_s": LONG_PAUSE_S,
        "long_pauses": [_pause(gap) for gap in listed],
        "long_pause_count": len(pauses),
        "longest_pause_s": round(max(gap.duration_s for gap in pauses), 1) if pauses else 0.0,
        "filler_words": fillers,
        "filler_count": sum(fillers.values()),
    }


def _length(gap: _Gap) -> float:
    return gap.duration_s


def _gap_start(gap: _Gap) -> float:
    return gap.start_s


def _pause(gap: _Gap) -> dict[str, Any]:
    pause: dict[str, Any] = {
        "start_s": round(gap.start_s, 1),
        "duration_s": round(gap.duration_s, 1),
    }
    if gap.after is not None:
        pause["after"] = gap.after
    return pause
