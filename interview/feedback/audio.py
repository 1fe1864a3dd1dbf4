"""What an uploaded recording is, read from its content: container, codec, duration.

Deliberate choices:
- The container is recognised by its first bytes (`sniff_container`), never by
  the file's name or declared type, and only then opened with PyAV (FFmpeg),
  with that one demuxer: FFmpeg's other demuxers (playlists, image and raw
  formats) never see an upload.
- The duration is where the audio packets end, demuxed without decoding (a
  MediaRecorder WebM declares none).
- A truncated upload is refused, not transcribed in part: a WAV whose `data`
  chunk is shorter than its header says, an Ogg stream that does not end on a
  whole page marked end-of-stream, or any file whose header declares a
  duration (WebM, MP4, an MP3's Xing header) that its packets stop short of. A
  streamed WebM without a declared duration cut at a block boundary is a
  valid, shorter recording and cannot be told apart.
- The caller hands a seekable binary file; it is rewound, never closed.
"""

import struct
from dataclasses import dataclass
from typing import BinaryIO

import av

#: The containers accepted, by the demuxer PyAV opens them with.
WEBM, OGG, WAV, MP3, MP4 = "matroska", "ogg", "wav", "mp3", "mp4"
#: Audio codecs accepted (decoder names, or their prefixes for PCM).
ACCEPTED_CODECS = ("opus", "libopus", "vorbis", "libvorbis", "aac", "mp3", "pcm_")
#: How far packets may end before a declared duration: about two frames of any codec.
TRUNCATION_TOLERANCE_S = 0.1
_OGG_EOS = 0x04


class UnsupportedAudio(Exception):
    """The upload is not in one of the accepted audio formats."""


class UnreadableAudio(Exception):
    """The upload looks like an accepted format but holds no usable audio (empty, truncated)."""


@dataclass(frozen=True)
class AudioInfo:
    container: str
    codec: str
    duration_s: float
    sample_rate: int
    channels: int


def sniff_container(head: bytes) -> str | None:
    """The demuxer for a file that starts with `head` (its first 12 bytes or more), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:4] == b"OggS":
        return OGG
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return WEBM
    if head[4:8] == b"ftyp":
        return MP4
    if head[:3] == b"ID3" or _is_mp3_frame_header(head[:2]):
        return MP3
    return None


def _is_mp3_frame_header(two: bytes) -> bool:
    """An MPEG audio frame sync (11 bits set) with layer III."""
    return len(two) == 2 and two[0] == 0xFF and two[1] & 0xE0 == 0xE0 and two[1] & 0x06 == 0x02


def probe_audio(file: BinaryIO) -> AudioInfo:
    """Check that `file` holds whole audio in an accepted format, and measure it.

    Raises `UnsupportedAudio` or `UnreadableAudio`, with a message for the caller.
    """
    file.seek(0)
    head = file.read(12)
    if not head:
        raise UnreadableAudio("The file is empty.")
    container = sniff_container(head)
    if container is None:
        raise UnsupportedAudio(
            "The file is not audio in a supported format (WebM, Ogg, WAV, MP3 or M4A)."
        )
    file.seek(0)
    try:
        info = _measure(file, container)
    except av.FFmpegError:
        raise UnreadableAudio(
            "The file could not be read as audio: damaged or incomplete."
        ) from None
    finally:
        file.seek(0)
    if container == WAV and _wav_is_truncated(file):
        raise UnreadableAudio("The WAV file is incomplete: it holds less audio than it declares.")
    if container == OGG and _ogg_is_truncated(file):
        raise UnreadableAudio("The Ogg file is incomplete: it does not end where its stream ends.")
    return info


def _measure(file: BinaryIO, container: str) -> AudioInfo:
    with av.open(file, mode="r", format=container) as media:
        if not media.streams.audio:
            raise UnreadableAudio("The file holds no audio stream.")
        stream = media.streams.audio[0]
        codec = stream.codec_context.name
        if not codec.startswith(ACCEPTED_CODECS):
            raise UnsupportedAudio(f"The audio codec {codec} is not supported.")
        start, end = _packet_span(media, stream)
        if end is None:
            raise UnreadableAudio("The file holds no audio.")
        declared = media.duration / av.time_base if media.duration else None
        if declared is not None and end - start < declared - TRUNCATION_TOLERANCE_S:
            raise UnreadableAudio(
                "The file is incomplete: its audio stops before its declared end."
            )
        return AudioInfo(
            container=container,
            codec=codec,
            duration_s=round(end - start, 3),
            sample_rate=stream.codec_context.sample_rate,
            channels=stream.codec_context.channels,
        )


def _packet_span(media, stream) -> tuple[float, float | None]:
    """(start, end) in seconds of the stream's packets; end None when it has none."""
    start: float | None = None
    end: float | None = None
    for packet in media.demux(stream):
        if not packet.size or packet.pts is None:
            continue
        begins = float(packet.pts * packet.time_base)
        ends = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        start = begins if start is None else min(start, begins)
        end = ends if end is None else max(end, ends)
    if start is None:
        return 0.0, None
    return max(start, 0.0), end


def _wav_is_truncated(file: BinaryIO) -> bool:
    """True when the `data` chunk declares more bytes than the file holds."""
    size = _size(file)
    file.seek(12)
    try:
        while True:
            header = file.read(8)
            if len(header) < 8:
                return False
            name, length = header[:4], struct.unpack("<I", header[4:])[0]
            if name == b"data":
                # 0 and 0xFFFFFFFF: a writer that streamed and never knew the length
                return length not in (0, 0xFFFFFFFF) and file.tell() + length > size
            file.seek(length + (length & 1), 1)
    finally:
        file.seek(0)


def _ogg_is_truncated(file: BinaryIO) -> bool:
    """True unless the pages run whole to the end of the file, the last one marked end-of-stream.

    Walks the page headers (27 bytes and the segment table each), not the packets.
    """
    size = _size(file)
    position, flags = 0, 0
    try:
        while position < size:
            file.seek(position)
            header = file.read(27)
            if len(header) < 27 or header[:4] != b"OggS":
                return True
            flags = header[5]
            lacing = file.read(header[26])
            if len(lacing) < header[26]:
                return True
            position += 27 + len(lacing) + sum(lacing)
        return position != size or not flags & _OGG_EOS
    finally:
        file.seek(0)


def _size(file: BinaryIO) -> int:
    file.seek(0, 2)
    return file.tell()
