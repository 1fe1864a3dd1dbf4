"""The local speech recogniser (the `speech` extra): what it hears in espeak-ng speech, and
when the service uses it (INTERVIEW_TRANSCRIPTION_PROVIDER)."""

import io

import pytest

from interview import config as config_module
from interview import environment
from interview.config import ConfigError, load_config
from interview.feedback.providers import ProviderError
from interview.feedback.providers.local_audio import MODEL, LocalTranscriber

from .audio_files import converted, spoken_wav, wav_duration_s, word_error_rate
from .test_transcriptions_api import post_audio, uploads

SPOKEN = (
    "In my last role I led the migration of our billing system. I mapped every failure to "
    "its cause, fixed the retry logic, and the failures stopped within three months."
)
#: espeak-ng's American voice at a speaker's pace: clear speech. (Its British voice, and
#: its own faster pace, are harder for so small a model: bench/transcription_accuracy.py.)
VOICE, WORDS_PER_MINUTE = "en-us", 150
OFFLINE = {"INTERVIEW_PROVIDER": "offline", "OPENAI_API_KEY": ""}


@pytest.fixture(scope="module")
def transcriber(speech_extra) -> LocalTranscriber:
    return LocalTranscriber(cpu_threads=1, wait_s=1.0)


@pytest.mark.parametrize("kind", ["wav", "webm"])
def test_the_local_recogniser_hears_clear_speech_with_word_timestamps(transcriber, kind):
    wav = spoken_wav(SPOKEN, VOICE, WORDS_PER_MINUTE)
    audio = wav if kind == "wav" else converted(wav, kind)
    container = "wav" if kind == "wav" else "matroska"

    transcript = transcriber.transcribe(io.BytesIO(audio), container, None)

    assert word_error_rate(SPOKEN, transcript.text) < 0.2, transcript.text
    assert transcript.language == "en"
    words = transcript.words
    assert words is not None and len(words) >= 20
    assert [word.text for word in words[:3]] == ["In", "my", "last"]
    starts = [word.start_s for word in words]
    assert starts == sorted(starts)
    assert all(word.start_s <= word.end_s for word in words)
    assert words[-1].end_s <= wav_duration_s(wav) + 0.1


def test_the_local_recogniser_refuses_another_language(transcriber):
    with pytest.raises(ProviderError) as refused:
        transcriber.transcribe(io.BytesIO(spoken_wav()), "wav", "fr")

    assert refused.value.code == "language_unsupported"


def test_a_transcription_waits_for_its_turn_then_is_refused_busy():
    busy = LocalTranscriber(cpu_threads=1, wait_s=0.2)
    busy._turn.acquire()  # another recording is being transcribed
    try:
        with pytest.raises(ProviderError) as refused:
            busy.transcribe(io.BytesIO(spoken_wav()), "wav", None)
    finally:
        busy._turn.release()

    assert refused.value.code == "transcriber_busy"


def test_offline_the_api_transcribes_with_the_local_recogniser(speech_extra, make_app, upstream):
    client = make_app(**OFFLINE).test_client()

    response = post_audio(client, spoken_wav(SPOKEN, VOICE, WORDS_PER_MINUTE))

    assert response.status_code == 200, response.json
    body = response.json
    assert body["provider"] == "local"
    assert body["model"] == MODEL == "local:whisper-tiny.en"
    assert word_error_rate(SPOKEN, body["text"]) < 0.2, body["text"]
    assert body["words"][0]["word"] == "In"
    assert body["delivery"]["source"] == "word_timestamps"
    assert body["delivery"]["word_count"] >= 20
    assert uploads(upstream) == []


def test_the_local_recogniser_answers_another_language_with_422(speech_extra, make_app):
    client = make_app(**OFFLINE).test_client()

    response = post_audio(client, spoken_wav(), language="de")

    assert response.status_code == 422
    assert "English only" in response.json["errors"]["language"][0]


@pytest.mark.parametrize(
    ("environ", "installed", "chosen"),
    [
        ({"OPENAI_API_KEY": "sk-x"}, True, "openai"),
        ({"OPENAI_API_KEY": "sk-x", "INTERVIEW_PROVIDER": "offline"}, True, "local"),
        ({}, True, "local"),
        ({}, False, "off"),
        ({"INTERVIEW_TRANSCRIPTION_PROVIDER": "off", "OPENAI_API_KEY": "sk-x"}, True, "off"),
        ({"INTERVIEW_TRANSCRIPTION_PROVIDER": "local", "OPENAI_API_KEY": "sk-x"}, True, "local"),
        ({"INTERVIEW_TRANSCRIPTION_PROVIDER": "openai", "OPENAI_API_KEY": "sk-x"}, True, "openai"),
        (
            {
                "INTERVIEW_TRANSCRIPTION_BASE_URL": "http://speech:8000/v1",
                "INTERVIEW_TRANSCRIPTION_API_KEY": "unused",
            },
            True,
            "openai",
        ),
    ],
)
def test_auto_prefers_the_upstream_then_the_local_recogniser(
    monkeypatch, tmp_path, environ, installed, chosen
):
    monkeypatch.setattr(config_module, "speech_extra_installed", lambda: installed)

    config = load_config(environ, str(tmp_path))

    assert config["INTERVIEW_TRANSCRIPTION_PROVIDER"] == chosen


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"INTERVIEW_TRANSCRIPTION_PROVIDER": "local"}, "pip install 'interview[speech]'"),
        ({"INTERVIEW_TRANSCRIPTION_PROVIDER": "openai"}, "needs OPENAI_API_KEY"),
        (
            {"INTERVIEW_TRANSCRIPTION_BASE_URL": "http://speech:8000/v1"},
            "INTERVIEW_TRANSCRIPTION_BASE_URL needs OPENAI_API_KEY or "
            "INTERVIEW_TRANSCRIPTION_API_KEY",
        ),
    ],
)
def test_a_transcriber_that_cannot_work_stops_the_start(monkeypatch, tmp_path, environ, words):
    monkeypatch.setattr(environment, "speech_extra_installed", lambda: False)

    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        load_config(environ, str(tmp_path))
