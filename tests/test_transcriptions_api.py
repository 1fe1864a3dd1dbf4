"""POST /api/v1/transcriptions: real audio through the openai SDK to the fake upstream."""

import io

import jsonschema_rs
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from interview.extensions import db
from interview.feedback.providers.openai_audio import TRANSCRIPTION_PROMPT
from interview.models import Transcription

from .audio_files import FORMATS, converted, spoken_wav, wav_duration_s, with_silence
from .fake_openai import FakeOpenAI, Fault, ReceivedUpload

URL = "/api/v1/transcriptions"
WORDS = [
    ("Umm,", 0.2, 0.6),
    ("I", 0.7, 0.8),
    ("led", 0.8, 1.1),
    ("the", 1.1, 1.2),
    ("migration.", 1.2, 1.9),
    ("As", 4.6, 4.8),
    ("a", 4.8, 4.9),
    ("result", 4.9, 5.3),
]
TRANSCRIPT = "Umm, I led the migration. As a result"


def post_audio(client, audio: bytes, filename: str = "answer.webm", headers=None, **fields):
    """POST the audio as the `file` of a form encoded in memory (the test client would
    spool a large one to a temporary file of its own)."""
    upload = FileStorage(io.BytesIO(audio), filename, content_type="audio/webm")
    boundary, body = encode_multipart({"file": upload, **fields})
    return client.post(
        URL,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers or {},
    )


def transcriptions_saved(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Transcription))
        db.session.commit()
        return count


def uploads(upstream) -> list[ReceivedUpload]:
    return [r.body for r in upstream.requests if r.path.endswith("/audio/transcriptions")]


@pytest.mark.parametrize("kind", ["wav", *FORMATS])
def test_a_recording_reaches_the_upstream_through_the_sdk_and_comes_back_timed(
    app, client, upstream, kind
):
    wav = spoken_wav()
    audio = wav if kind == "wav" else converted(wav, kind)
    upstream.configure(transcript=TRANSCRIPT, transcript_words=WORDS)

    response = post_audio(client, audio, filename="whatever.bin", language="en")

    assert response.status_code == 200, response.json
    body = response.json
    assert body["text"] == TRANSCRIPT
    assert body["language"] == "en"
    assert body["duration_s"] == pytest.approx(wav_duration_s(wav), abs=0.1)
    assert body["words"][0] == {"word": "Umm,", "start": 0.2, "end": 0.6}
    assert body["delivery"]["source"] == "word_timestamps"
    assert body["delivery"]["speaking_time_s"] == 5.1
    assert body["delivery"]["long_pauses"] == [
        {"start_s": 1.9, "duration_s": 2.7, "after": "migration."}
    ]
    assert body["delivery"]["filler_words"] == {"um": 1}
    [sent] = uploads(upstream)
    assert sent.audio == audio
    assert sent.filename.startswith("audio.") and sent.filename != "whatever.bin"
    assert sent.fields["model"] == ["whisper-1"]
    assert sent.fields["prompt"] == [TRANSCRIPTION_PROMPT]
    assert sent.fields["response_format"] == ["verbose_json"]
    assert sent.fields["timestamp_granularities[]"] == ["word"]
    assert sent.fields["language"] == ["en"]
    assert transcriptions_saved(app) == 1


def test_without_word_timestamps_the_pauses_come_from_the_audio(client, upstream):
    wav = with_silence(spoken_wav(), seconds=3.0)
    upstream.configure(transcript="Umm, I led it. Umm, I led it.", transcript_words=None)

    response = post_audio(client, converted(wav, "webm"))

    assert response.status_code == 200, response.json
    delivery = response.json["delivery"]
    assert response.json["words"] is None
    assert delivery["source"] == "audio_levels"
    assert delivery["long_pause_count"] == 1
    assert delivery["longest_pause_s"] == pytest.approx(3.0, abs=0.3)
    assert delivery["speaking_time_s"] == pytest.approx(wav_duration_s(wav), abs=0.5)
    assert delivery["filler_count"] == 2


def test_a_model_without_verbose_json_is_asked_for_json(make_app, upstream):
    client = make_app(INTERVIEW_TRANSCRIPTION_MODEL="gpt-4o-mini-transcribe").test_client()

    response = post_audio(client, spoken_wav())

    assert response.status_code == 200, response.json
    [sent] = uploads(upstream)
    assert sent.fields["response_format"] == ["json"]
    assert "timestamp_granularities[]" not in sent.fields
    assert response.json["delivery"]["source"] == "audio_levels"


@pytest.fixture
def speech_server():
    """A speech server of its own, beside the chat's upstream, with its own key."""
    with FakeOpenAI() as server:
        server.configure(transcript=TRANSCRIPT, transcript_words=WORDS, api_key="speech-key")
        yield server


@pytest.mark.parametrize("chat", ["openai", "offline"])
def test_a_speech_server_of_its_own_transcribes_with_its_own_key(
    make_app, upstream, speech_server, chat
):
    settings = {"INTERVIEW_PROVIDER": chat} | ({"OPENAI_API_KEY": ""} if chat == "offline" else {})
    app = make_app(
        INTERVIEW_TRANSCRIPTION_BASE_URL=speech_server.base_url,
        INTERVIEW_TRANSCRIPTION_API_KEY="speech-key",
        **settings,
    )

    response = post_audio(app.test_client(), spoken_wav())

    assert response.status_code == 200, response.json
    assert response.json["text"] == TRANSCRIPT
    assert len(uploads(speech_server)) == 1
    assert uploads(upstream) == []


def test_a_speech_server_that_refuses_the_key_is_a_problem(make_app, upstream, speech_server):
    app = make_app(INTERVIEW_TRANSCRIPTION_BASE_URL=speech_server.base_url)  # the chat's key

    response = post_audio(app.test_client(), spoken_wav())

    assert response.status_code == 502, response.json
    assert response.content_type == "application/problem+json"
    assert transcriptions_saved(app) == 0


def test_with_transcription_off_there_is_no_transcription_service(make_app, upstream):
    app = make_app(
        INTERVIEW_PROVIDER="offline", OPENAI_API_KEY="", INTERVIEW_TRANSCRIPTION_PROVIDER="off"
    )

    response = post_audio(app.test_client(), spoken_wav())

    assert response.status_code == 503
    assert "No transcription service" in response.json["detail"]
    assert uploads(upstream) == []


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        (Fault(status=500), 502, "failed (500)"),
        (Fault(status=404), 503, "no audio transcription endpoint"),
        (Fault(status=401), 502, "credentials"),
        (Fault(first_token_delay_s=3), 504, "did not answer in time"),
        (Fault(malformed_after=0), 502, "unreadable"),
    ],
    ids=["5xx", "no audio endpoint", "refused key", "timeout", "not JSON"],
)
def test_an_upstream_fault_is_a_problem_with_its_reason_and_saves_nothing(
    make_app, upstream, fault, status, words
):
    app = make_app(INTERVIEW_TRANSCRIPTION_TIMEOUT_S="1")
    upstream.enqueue(fault)

    response = post_audio(app.test_client(), spoken_wav())

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert words in response.json["detail"]
    assert transcriptions_saved(app) == 0


def test_a_failed_start_is_retried_with_the_whole_audio(make_app, upstream):
    app = make_app(INTERVIEW_UPSTREAM_RETRIES="1")
    upstream.enqueue(Fault(status=503))
    wav = spoken_wav()

    response = post_audio(app.test_client(), wav)

    assert response.status_code == 200
    assert [upload.audio for upload in uploads(upstream)] == [wav, wav]


KEY = "k" * 32


def test_api_keys_are_required(make_app, upstream):
    app = make_app(INTERVIEW_API_KEYS=KEY, INTERVIEW_SECRET_KEY="s" * 32)
    client = app.test_client()

    refused = post_audio(client, spoken_wav())
    admitted = post_audio(client, spoken_wav(), headers={"Authorization": f"Bearer {KEY}"})

    assert refused.status_code == 401
    assert admitted.status_code == 200
    assert len(uploads(upstream)) == 1


def test_a_transcription_spends_from_the_callers_rate_budget(make_app, upstream):
    client = make_app(INTERVIEW_RATE_LIMIT="1/minute").test_client()

    first = post_audio(client, spoken_wav())
    second = post_audio(client, spoken_wav())

    assert first.status_code == 200
    assert second.status_code == 429
    assert len(uploads(upstream)) == 1


def test_a_refused_upload_spends_no_rate_budget(make_app, upstream):
    client = make_app(INTERVIEW_RATE_LIMIT="1/minute").test_client()

    refused = post_audio(client, b"not audio at all")
    admitted = post_audio(client, spoken_wav())

    assert refused.status_code == 415
    assert admitted.status_code == 200


def test_the_openapi_document_describes_the_endpoint_and_its_answer(client, upstream):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/transcriptions"]["post"]
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"]["format"] == "binary"
    assert {"200", "401", "413", "415", "422", "429", "502", "503", "504"} <= set(
        operation["responses"]
    )
    upstream.configure(transcript=TRANSCRIPT, transcript_words=WORDS)
    answer = post_audio(client, spoken_wav()).json

    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": "#/components/schemas/Transcription", "components": document["components"]}
    )

    assert list(validator.iter_errors(answer)) == []
    schemas = document["components"]["schemas"]
    assert "transcription_id" in schemas["FeedbackRequest"]["properties"]
    assert "delivery" in schemas["Feedback"]["properties"]
