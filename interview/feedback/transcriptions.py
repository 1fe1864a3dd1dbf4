"""Saving and reading transcriptions, each in one short transaction.

A transcription is looked up with its owner, as records are (`records.py`):
a caller can never reach another caller's.
"""

import re
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select, true

from ..extensions import db
from ..models import Transcription, new_feedback_id, utcnow
from .records import ANYONE

_TRANSCRIPTION_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True, slots=True)
class TranscriptionRecord:
    """One saved transcription: what was said and how (no audio)."""

    transcription_id: str
    owner: str | None
    caller: str | None
    text: str
    language: str | None
    duration_s: float
    model: str
    delivery: dict[str, Any]
    created_at: datetime

    @classmethod
    def from_row(cls, row: Transcription) -> "TranscriptionRecord":
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})


def save_transcription(
    *,
    owner: str | None,
    caller: str | None,
    text: str,
    language: str | None,
    duration_s: float,
    model: str,
    delivery: dict[str, Any],
) -> TranscriptionRecord:
    """Insert a transcription and commit; `owner` ANYONE is the open API's caller."""
    record = TranscriptionRecord(
        transcription_id=new_feedback_id(),
        owner=None if owner == ANYONE else owner,
        caller=caller,
        text=text,
        language=language,
        duration_s=duration_s,
        model=model,
        delivery=delivery,
        created_at=utcnow(),
    )
    with db.engine.begin() as connection:
        connection.execute(
            Transcription.__table__.insert(),
            {
                **{
                    field.name: getattr(record, field.name)
                    for field in fields(record)
                    if field.name != "transcription_id"
                },
                "id": record.transcription_id,
            },
        )
    return record


def get_transcription(transcription_id: str, owner: str | None) -> TranscriptionRecord | None:
    """The owner's transcription, or None when there is no such one for this owner."""
    if not _TRANSCRIPTION_ID.fullmatch(transcription_id):
        return None
    owned = true() if owner == ANYONE else Transcription.owner == owner
    row = db.session.execute(
        select(Transcription).where(Transcription.transcription_id == transcription_id, owned)
    ).scalar_one_or_none()
    db.session.commit()
    return TranscriptionRecord.from_row(row) if row is not None else None
