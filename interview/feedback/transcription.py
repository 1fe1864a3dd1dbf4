"""Transcribing a recorded answer: check the audio, transcribe it, time its delivery, save it.

Deliberate choices:
- The audio is checked (`audio.py`) before anything else is spent: an upload
  that is not whole audio in an accepted format, or is longer than
  INTERVIEW_TRANSCRIPTION_MAX_SECONDS, costs no rate budget, reaches no
  upstream and saves nothing.
- The rate budget is spent (atomically, `admission.Admission.spend_budget`)
  just before the upstream call: requests in flight together cannot all pass.
- Reading the audio is CPU work (demuxing a two-minute Opus file takes tens of
  milliseconds, decoding it half a second): under gevent it runs in the hub's
  thread pool (`offloading.py`), so the worker's other streams keep their pace
  meanwhile; so does the local recogniser's work (`providers/local_audio.py`).
- Only the text and the delivery figures are saved; the recording itself only
  with INTERVIEW_KEEP_AUDIO (`kept_audio.py`). Otherwise it is the caller's to
  drop: nothing here writes it anywhere.
"""

from dataclasses import dataclass
from typing import BinaryIO

from .admission import Admission
from .audio import probe_audio
from .audio_levels import WINDOW_S, loudness_levels
from .delivery import TimedWord, delivery_from_levels, delivery_from_words
from .kept_audio import keep_audio
from .offloading import off_the_event_loop
from .runtime import Runtime
from .transcriptions import TranscriptionRecord, save_transcription


@dataclass(frozen=True)
class Transcribed:
    """A saved transcription, the timed words the recogniser gave (not saved), and which
    recogniser it was (`openai`, the upstream's; `local`, the small one on this server)."""

    record: TranscriptionRecord
    words: list[TimedWord] | None
    provider: str


class NoTranscriptionService(Exception):
    """No speech-to-text service is configured (INTERVIEW_TRANSCRIPTION_PROVIDER off)."""


class RecordingTooLong(Exception):
    """The recording lasts longer than INTERVIEW_TRANSCRIPTION_MAX_SECONDS."""

    def __init__(self, limit_s: int) -> None:
        super().__init__(f"The recording is longer than the limit of {limit_s} seconds.")
        self.limit_s = limit_s


def transcribe_recording(
    runtime: Runtime,
    audio: BinaryIO,
    language: str | None,
    owner: str | None,
    admission: Admission,
) -> Transcribed:
    """Transcribe the recording in `audio` and save what it said and how.

    Raises `NoTranscriptionService`, `audio.UnsupportedAudio`,
    `audio.UnreadableAudio`, `RecordingTooLong`, what `spend_budget` raises,
    or `ProviderError` for the upstream's failure; then nothing is saved.
    """
    transcriber = runtime.transcriber
    if transcriber is None:
        raise NoTranscriptionService("No transcription service is configured.")
    info = off_the_event_loop(probe_audio, audio)
    limit_s = runtime.settings.transcription_max_seconds
    if info.duration_s > limit_s:
        raise RecordingTooLong(limit_s)
    admission.spend_budget()
    transcript = transcriber.transcribe(audio, info.container, language)
    if transcript.words:
        delivery = delivery_from_words(transcript.text, transcript.words, info.duration_s)
    else:
        levels = off_the_event_loop(loudness_levels, audio, info.container)
        delivery = delivery_from_levels(transcript.text, levels, WINDOW_S, info.duration_s)
    saved = save_transcription(
        owner=owner,
        caller=admission.caller,
        text=transcript.text,
        language=transcript.language,
        duration_s=info.duration_s,
        model=transcriber.model,
        delivery=delivery,
    )
    if runtime.settings.audio_dir is not None:
        keep_audio(runtime.settings.audio_dir, saved.transcription_id, info.container, audio)
    return Transcribed(saved, transcript.words, transcriber.name)
