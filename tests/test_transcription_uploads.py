"""Uploads to POST /api/v1/transcriptions that must reach no upstream, and what is kept.

Hostile uploads (wrong type, not audio, empty, truncated, too large, too long)
are refused with a problem, no upstream call, nothing saved and nothing left
in the temporary directory; the audio is never logged, and kept only with
INTERVIEW_KEEP_AUDIO.
"""

import dataclasses
import io
import os
import stat
import tempfile
import time

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from interview.extensions import runtime_of

from .audio_files import converted, spoken_wav, with_silence
from .fake_openai import Fault
from .test_transcriptions_api import (
    URL,
    WORDS,
    post_audio,
    transcriptions_saved,
    uploads,
)


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
