"""POST /api/v1/transcriptions: real audio through the openai SDK to the fake upstream."""

import dataclasses
import io
import os
import stat
import tempfile
import time

import jsonschema_rs
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from interview.extensions import db, runtime_of
from interview.feedback.providers.openai_audio import TRANSCRIPTION_PROMPT
from interview.models import Transcription

from .audio_files import FORMATS, converted, spoken_wav, wav_duration_s, with_silence
from .fake_openai import Fault, ReceivedUpload

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
def private_tmp(tmp_path, monkeypatch):
    """The temporary directory uploads are spooled to, for this test alone."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def left_in(folder) -> list[str]:
    """Files in `folder`, and the files there this process still holds open (named or not)."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            held.append(target)
    return [*map(str, folder.iterdir()), *held]


def truncated(audio: bytes) -> bytes:
    return audio[: len(audio) * 6 // 10]


HOSTILE = {
    "a non-audio file named .webm": (lambda wav: os.urandom(4096), 415),
    "a PNG named .webm": (lambda wav: b"\x89PNG\r\n\x1a\n" + os.urandom(2048), 415),
    "a large non-audio file (spooled to disk)": (lambda wav: os.urandom(1_200_000), 415),
    "zero bytes": (lambda wav: b"", 422),
    "a truncated WAV": (truncated, 422),
    "a large truncated WAV (spooled to disk)": (
        lambda wav: truncated(with_silence(wav, 10, repeats=5)),
        422,
    ),
    "a truncated WebM": (lambda wav: truncated(converted(wav, "webm")), 422),
    "a truncated Ogg": (lambda wav: truncated(converted(wav, "ogg")), 422),
    "a truncated MP3": (lambda wav: truncated(converted(wav, "mp3")), 422),
    "a truncated M4A": (lambda wav: truncated(converted(wav, "m4a")), 422),
    "a WebM header and garbage": (lambda wav: b"\x1a\x45\xdf\xa3" + os.urandom(4096), 422),
}


@pytest.mark.parametrize(("make_upload", "status"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_upload_is_refused_before_any_upstream_call(
    app, client, upstream, private_tmp, make_upload, status
):
    response = post_audio(client, make_upload(spoken_wav()))

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert uploads(upstream) == []
    assert transcriptions_saved(app) == 0
    assert left_in(private_tmp) == []


def test_a_request_that_is_not_multipart_is_415(client, upstream):
    response = client.post(URL, data=spoken_wav(), content_type="audio/wav")

    assert response.status_code == 415
    assert "multipart/form-data" in response.json["detail"]
    assert uploads(upstream) == []


def test_a_form_without_a_file_is_422_on_file(client, upstream):
    response = client.post(URL, data={"language": "en"}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "file" in response.json["errors"]


def test_a_bad_language_is_422_on_language(client, upstream):
    response = post_audio(client, spoken_wav(), language="english")

    assert response.status_code == 422
    assert "language" in response.json["errors"]
    assert uploads(upstream) == []


def test_a_recording_over_the_size_limit_is_413_saying_the_limit(make_app, upstream, private_tmp):
    app = make_app(INTERVIEW_TRANSCRIPTION_MAX_BYTES="50000")
    wav = spoken_wav()
    assert len(wav) > 50000

    response = post_audio(app.test_client(), wav)

    assert response.status_code == 413
    assert "50000 bytes" in response.json["detail"]
    assert uploads(upstream) == []
    assert transcriptions_saved(app) == 0
    assert left_in(private_tmp) == []


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_read(make_app, upstream):
    app = make_app(INTERVIEW_TRANSCRIPTION_MAX_BYTES="50000")
    body = io.BytesIO(b"x" * 200_000)

    response = app.test_client().post(
        URL,
        input_stream=body,
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": "200000",
        },
    )

    assert response.status_code == 413
    assert body.tell() == 0


def test_a_recording_over_the_duration_limit_is_422_saying_the_limit(make_app, upstream):
    app = make_app(INTERVIEW_TRANSCRIPTION_MAX_SECONDS="3")

    response = post_audio(app.test_client(), spoken_wav())

    assert response.status_code == 422
    assert "3 seconds" in response.json["errors"]["file"][0]
    assert uploads(upstream) == []
    assert transcriptions_saved(app) == 0


def test_offline_there_is_no_transcription_service(make_app, upstream):
    app = make_app(INTERVIEW_PROVIDER="offline", OPENAI_API_KEY="")

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


def kept_audio_app(make_app, folder, **overrides):
    """An app with INTERVIEW_KEEP_AUDIO on, keeping recordings in `folder`."""
    app = make_app(INTERVIEW_KEEP_AUDIO="on", **overrides)
    assert app.config["INTERVIEW_AUDIO_DIR"] == os.path.join(app.instance_path, "audio")
    runtime = runtime_of(app)
    runtime.settings = dataclasses.replace(runtime.settings, audio_dir=str(folder))
    return app


def test_recordings_are_not_kept_by_default(app):
    assert app.config["INTERVIEW_AUDIO_DIR"] is None
    assert runtime_of(app).settings.audio_dir is None


def test_with_keep_audio_the_recording_is_kept_private(make_app, upstream, tmp_path):
    folder = tmp_path / "audio"
    client = kept_audio_app(make_app, folder).test_client()
    audio = converted(spoken_wav(), "ogg")

    response = post_audio(client, audio)

    assert response.status_code == 200
    [kept] = folder.iterdir()
    assert kept.name == f"{response.json['id']}.ogg"
    assert kept.read_bytes() == audio
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_refused_recording_is_not_kept(make_app, upstream, tmp_path):
    folder = tmp_path / "audio"
    client = kept_audio_app(make_app, folder).test_client()
    upstream.enqueue(Fault(status=500))

    assert post_audio(client, spoken_wav()).status_code == 502
    assert post_audio(client, b"not audio").status_code == 415
    assert not folder.exists() or list(folder.iterdir()) == []


def test_kept_recordings_go_with_the_retention(make_app, upstream, tmp_path):
    folder = tmp_path / "audio"
    app = kept_audio_app(make_app, folder, INTERVIEW_RETENTION_DAYS="30")
    client = app.test_client()
    old, new = (post_audio(client, spoken_wav()).json["id"] for _ in range(2))
    month_ago = time.time() - 31 * 86400
    os.utime(folder / f"{old}.wav", (month_ago, month_ago))

    result = app.test_cli_runner().invoke(args=["feedback", "purge"])

    assert "deleted 1 kept recordings" in result.output
    assert [path.name for path in folder.iterdir()] == [f"{new}.wav"]


def test_a_body_without_content_length_is_read_no_further_than_the_limit(make_app, upstream):
    app = make_app(INTERVIEW_TRANSCRIPTION_MAX_BYTES="50000")
    upload = FileStorage(io.BytesIO(os.urandom(300_000)), "a.webm")
    boundary, body = encode_multipart({"file": upload})
    stream = io.BytesIO(body)

    response = app.test_client().post(
        URL,
        input_stream=stream,
        content_type=f"multipart/form-data; boundary={boundary}",
        # chunked, as gunicorn passes it: no length, the stream ends where the body does
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )

    assert response.status_code == 413
    assert "50000 bytes" in response.json["detail"]
    assert stream.tell() < 50000 + 64 * 1024
    assert uploads(upstream) == []


def test_neither_the_audio_nor_the_transcript_is_logged(client, upstream, caplog):
    caplog.set_level("DEBUG")
    upstream.configure(transcript="Unmistakable words of the candidate.", transcript_words=WORDS)

    response = post_audio(client, spoken_wav(), filename="candidate-name.webm")

    assert response.status_code == 200
    assert caplog.records  # the request was logged ...
    assert "candidate-name" not in caplog.text  # ... but not what was in it
    assert "Unmistakable words" not in caplog.text
