"""INTERVIEW_KEEP_AUDIO: recordings kept in the instance folder, for as long as records are.

Off by default: a recording is then never written anywhere by the service.
On, each transcribed recording is written to `instance/audio/<transcription
id>.<container>` (the folder mode 0700, each file 0600), and deleted with the
records past INTERVIEW_RETENTION_DAYS (`retention.py`), by its age.
"""

import os
import time
from pathlib import Path
from typing import BinaryIO

COPY_BLOCK_BYTES = 1 << 16


def keep_audio(folder: str, transcription_id: str, container: str, audio: BinaryIO) -> Path:
    """Write the recording to `folder`, readable by this service's user alone."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = Path(folder) / f"{transcription_id}.{container}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    audio.seek(0)
    try:
        with os.fdopen(descriptor, "wb") as file:
            while block := audio.read(COPY_BLOCK_BYTES):
                file.write(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        audio.seek(0)
    return path


def delete_audio_older_than(folder: str, days: int) -> int:
    """Delete the kept recordings written more than `days` ago; return how many."""
    cutoff = time.time() - days * 86400
    deleted = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            Path(entry.path).unlink(missing_ok=True)
            deleted += 1
    return deleted
