"""The loudness of a recording over time, for finding its silences (`delivery.py`).

The audio is decoded with PyAV and mixed to mono 8 kHz 16-bit by FFmpeg's
resampler; each window's level is its mean power in dBFS. The power is
estimated from every fourth sample of the window: an unbiased estimate of it,
at a quarter of the Python work (speech power changes far slower than that).
Decoding is CPU work (about half a second for two minutes of Opus): under
gevent the caller runs this off the event loop (`transcription.py`).
"""

import math
import operator
from array import array
from typing import BinaryIO

import av

LEVEL_RATE = 8000
WINDOW_S = 0.05
#: The level of a window of digital silence.
FLOOR_DB = -100.0
_STRIDE = 4
_FULL_SCALE_SQUARED = 32768.0**2


def loudness_levels(file: BinaryIO, container: str, window_s: float = WINDOW_S) -> list[float]:
    """The level in dBFS of each `window_s` of the recording in `file`, in order.

    `container` is the demuxer `audio.probe_audio` found for it.
    """
    samples = mono_samples(file, container, LEVEL_RATE)
    width = max(1, round(LEVEL_RATE * window_s))
    return [
        _level(samples[start : start + width : _STRIDE]) for start in range(0, len(samples), width)
    ]


def mono_samples(file: BinaryIO, container: str, rate: int) -> array:
    """The recording decoded and resampled to mono 16-bit at `rate` Hz; `file` is rewound."""
    samples = array("h")
    file.seek(0)
    try:
        with av.open(file, mode="r", format=container) as media:
            resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            for frame in media.decode(audio=0):
                for mono in resampler.resample(frame):
                    samples.frombytes(bytes(mono.planes[0])[: mono.samples * 2])
            for mono in resampler.resample(None):
                samples.frombytes(bytes(mono.planes[0])[: mono.samples * 2])
    finally:
        file.seek(0)
    return samples


def _level(window: array) -> float:
    if not window:
        return FLOOR_DB
    power = sum(map(operator.mul, window, window)) / len(window)
    return max(FLOOR_DB, 10 * math.log10(power / _FULL_SCALE_SQUARED)) if power else FLOOR_DB
