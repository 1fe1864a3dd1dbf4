"""Transcriptions through a real gunicorn + gevent worker: the SDK's upload over the gevent
transport, and the audio decoded off the event loop."""

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

from .audio_files import converted, spoken_wav, with_silence


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


def test_a_long_recording_is_decoded_while_the_worker_keeps_answering(server, upstream):
    # about two minutes of Opus, with no word timestamps: its silences are found by decoding
    wav = with_silence(spoken_wav(), seconds=2.5, repeats=16)
    audio = converted(wav, "webm")
    upstream.configure(transcript="Umm, I led it.", transcript_words=None)
    gaps: list[float] = []
    done = threading.Event()

    def poll_health() -> None:
        last = time.monotonic()
        while not done.is_set():
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
                response.read()
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    poller = threading.Thread(target=poll_health)
    poller.start()
    started = time.monotonic()
    try:
        status, _ = post_audio(server.url, audio)
    finally:
        took = time.monotonic() - started
        done.set()
        poller.join()

    assert status == 200
    [upload] = [r.body for r in upstream.requests if r.path.endswith("/audio/transcriptions")]
    assert upload.audio == audio
    assert took > 0.3  # the decoding took a while ...
    assert max(gaps) < took / 2  # ... and the worker answered others meanwhile


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
