"""Recordings for the tests: speech from espeak-ng, converted with PyAV to each accepted format."""

import functools
import io
import re
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import av

from .conftest import require_service

ANSWER = "Umm, I led the migration of our billing system. As a result, we cut costs by a fifth."
#: Not counted as words by `word_error_rate`: recognisers keep or drop them at will.
FILLERS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "ah", "hmm"})
#: container format, encoder, sample rate of each accepted kind of upload
FORMATS = {
    "webm": ("webm", "libopus", 48000),
    "ogg": ("ogg", "libopus", 48000),
    "mp3": ("mp3", "libmp3lame", 22050),
    "m4a": ("ipod", "aac", 22050),
}


@functools.cache
def spoken_wav(text: str = ANSWER, voice: str = "en", words_per_minute: int = 175) -> bytes:
    """`text` spoken by espeak-ng, as WAV (mono, 22050 Hz); 175 words a minute is its own pace."""
    espeak = shutil.which("espeak-ng")

    def installed() -> None:
        if espeak is None:
            raise RuntimeError("apt-get install espeak-ng")

    require_service("espeak-ng", installed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answer.wav"
        command = [espeak, "-v", voice, "-s", str(words_per_minute), "-w", str(path), text]
        subprocess.run(command, check=True, timeout=30)
        return path.read_bytes()


def with_silence(wav: bytes, seconds: float, repeats: int = 2) -> bytes:
    """The WAV's speech `repeats` times, `seconds` of digital silence between each."""
    with wave.open(io.BytesIO(wav)) as source:
        params = source.getparams()
        speech = source.readframes(params.nframes)
    silence = b"\x00" * (int(params.framerate * seconds) * params.sampwidth * params.nchannels)
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setparams(params)
        target.writeframes(silence.join([speech] * repeats))
    return out.getvalue()


def converted(wav: bytes, kind: str) -> bytes:
    """The WAV re-encoded as `kind` (a key of FORMATS), mono."""
    container, encoder, rate = FORMATS[kind]
    out = io.BytesIO()
    with av.open(io.BytesIO(wav)) as source, av.open(out, "w", format=container) as target:
        stream = target.add_stream(encoder, rate=rate, layout="mono")
        resampler = av.AudioResampler(
            format=stream.codec_context.codec.audio_formats[0].name, layout="mono", rate=rate
        )
        for frame in [*source.decode(audio=0), None]:
            for mono in resampler.resample(frame):
                target.mux(stream.encode(mono))
        target.mux(stream.encode(None))
    return out.getvalue()


def wav_duration_s(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as source:
        return source.getnframes() / source.getframerate()


def spoken_words(text: str) -> list[str]:
    """The words of `text`, lower case, without punctuation or fillers."""
    words = re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " ")).replace("'", "").split()
    return [word for word in words if word not in FILLERS]


def word_error_rate(reference: str, heard: str) -> float:
    """Words substituted, dropped or added in `heard`, per word of `reference` (WER)."""
    said, got = spoken_words(reference), spoken_words(heard)
    distances = list(range(len(got) + 1))
    for i, word in enumerate(said, 1):
        diagonal, distances[0] = distances[0], i
        for j, other in enumerate(got, 1):
            diagonal, distances[j] = (
                distances[j],
                min(distances[j] + 1, distances[j - 1] + 1, diagonal + (word != other)),
            )
    return distances[-1] / max(1, len(said))
