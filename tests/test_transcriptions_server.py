"""Transcriptions through a real gunicorn + gevent worker: the SDK's upload over the gevent
transport, and the audio decoded (and recognised by the local model) off the event loop."""

import http.client
import io
import json
import socket
import threading
import time
import urllib.request

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from .audio_files import converted, spoken_wav, with_silence, word_error_rate
from .test_local_transcription import VOICE, WORDS_PER_MINUTE

LONG_ANSWER = (
    "In my last role I led the migration of our billing system. The situation was that "
    "payments failed for many customers every month. I mapped every failure to its cause, "
    "fixed the retry logic, and within three months the failure rate dropped below half a "
    "percent. The biggest conflict I handled was between our design team and the engineers. "
    "Both sides felt ignored. I set up a weekly meeting where each side brought one problem, "
    "and we agreed on a shared backlog."
)


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


def post_audio(url: str, audio: bytes) -> tuple[int, bytes]:
    upload = FileStorage(io.BytesIO(audio), "answer.webm", content_type="audio/webm")
    boundary, body = encode_multipart({"file": upload})
    request = urllib.request.Request(
        f"{url}/api/v1/transcriptions",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()


def post_while_polling_health(url: str, audio: bytes) -> tuple[int, bytes, float, list[float]]:
    """POST the audio while another client asks for /healthz again and again: the status and
    body, how long the POST took, and the gaps between two health answers meanwhile."""
    gaps: list[float] = []
    done = threading.Event()

    def poll_health() -> None:
        last = time.monotonic()
        while not done.is_set():
            with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
                response.read()
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    poller = threading.Thread(target=poll_health)
    poller.start()
    started = time.monotonic()
    try:
        status, body = post_audio(url, audio)
    finally:
        took = time.monotonic() - started
        done.set()
        poller.join()
    return status, body, took, gaps


def test_a_long_recording_is_decoded_while_the_worker_keeps_answering(server, upstream):
    # about two minutes of Opus, with no word timestamps: its silences are found by decoding
    wav = with_silence(spoken_wav(), seconds=2.5, repeats=16)
    audio = converted(wav, "webm")
    upstream.configure(transcript="Umm, I led it.", transcript_words=None)

    status, _, took, gaps = post_while_polling_health(server.url, audio)

    assert status == 200
    [upload] = [r.body for r in upstream.requests if r.path.endswith("/audio/transcriptions")]
    assert upload.audio == audio
    assert took > 0.3  # the decoding took a while ...
    assert max(gaps) < took / 2  # ... and the worker answered others meanwhile


def test_the_local_recogniser_works_while_the_worker_keeps_answering(
    speech_extra, server_factory, upstream
):
    local = server_factory(
        INTERVIEW_PROVIDER="offline", OPENAI_API_KEY="", INTERVIEW_TRANSCRIPTION_PROVIDER="local"
    )
    # half a minute of Opus: the model's loading and recognition take seconds of CPU
    wav = spoken_wav(LONG_ANSWER, VOICE, WORDS_PER_MINUTE)

    status, body, took, gaps = post_while_polling_health(local.url, converted(wav, "webm"))

    assert status == 200, body
    transcription = json.loads(body)
    assert transcription["provider"] == "local"
    assert word_error_rate(LONG_ANSWER, transcription["text"]) < 0.2, transcription["text"]
    assert took > 1.0  # the recognition took a while ...
    assert max(gaps) < took / 4  # ... and the worker answered others meanwhile
    assert uploads_received(upstream) == []


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(server, upstream):
    head = (
        "POST /api/v1/transcriptions HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {30 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.encode())  # and not one byte of the 30 MiB
        answer = http.client.HTTPResponse(connection)
        answer.begin()
        problem = json.loads(answer.read())

    assert answer.status == 413
    assert "INTERVIEW_TRANSCRIPTION_MAX_BYTES" in problem["detail"]
    assert uploads_received(upstream) == []


def uploads_received(upstream) -> list:
    return [r for r in upstream.requests if r.path.endswith("/audio/transcriptions")]
