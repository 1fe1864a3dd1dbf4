"""Uploads judged by their content: container, codec, duration, whole or truncated."""

import io
import os

import pytest

from interview.feedback.audio import (
    MP3,
    MP4,
    OGG,
    WAV,
    WEBM,
    UnreadableAudio,
    UnsupportedAudio,
    probe_audio,
    sniff_container,
)

from .audio_files import converted, spoken_wav, wav_duration_s

KINDS = {"wav": WAV, "webm": WEBM, "ogg": OGG, "mp3": MP3, "m4a": MP4}


def recording(kind: str) -> bytes:
    return spoken_wav() if kind == "wav" else converted(spoken_wav(), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_each_accepted_format_is_recognised_and_measured(kind):
    audio = io.BytesIO(recording(kind))

    info = probe_audio(audio)

    assert info.container == KINDS[kind]
    assert info.duration_s == pytest.approx(wav_duration_s(spoken_wav()), abs=0.1)
    assert info.channels == 1
    assert audio.tell() == 0


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (b"RIFF\x00\x00\x00\x00WAVE", WAV),
        (b"OggS\x00\x02" + bytes(6), OGG),
        (b"\x1a\x45\xdf\xa3" + bytes(8), WEBM),
        (b"\x00\x00\x00\x20ftypM4A ", MP4),
        (b"ID3\x04" + bytes(8), MP3),
        (b"\xff\xfb\x90\x00" + bytes(8), MP3),
        (b"\xff\xfd\x90\x00" + bytes(8), None),  # MPEG layer II
        (b"\x89PNG\r\n\x1a\n" + bytes(4), None),
        (b"%PDF-1.7" + bytes(4), None),
        (b"RIFF\x00\x00\x00\x00AVI ", None),
    ],
)
def test_the_container_is_recognised_by_its_first_bytes(head, container):
    assert sniff_container(head) == container


@pytest.mark.parametrize("kind", KINDS)
def test_a_truncated_recording_is_unreadable(kind):
    whole = recording(kind)

    for fraction in (0.3, 0.6, 0.95):
        with pytest.raises(UnreadableAudio):
            probe_audio(io.BytesIO(whole[: int(len(whole) * fraction)]))


def test_an_empty_file_is_unreadable():
    with pytest.raises(UnreadableAudio, match="empty"):
        probe_audio(io.BytesIO(b""))


def test_a_file_of_another_kind_is_unsupported_whatever_its_name():
    with pytest.raises(UnsupportedAudio):
        probe_audio(io.BytesIO(os.urandom(2048)))


def test_an_accepted_header_over_garbage_is_unreadable():
    with pytest.raises(UnreadableAudio):
        probe_audio(io.BytesIO(b"OggS" + os.urandom(4096)))
