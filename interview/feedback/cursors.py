"""Keyset pagination cursors: (created_at, id) of the last row of a page, opaque to clients."""

import base64
import binascii
import re
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_

#: The shape of every id `new_feedback_id` hands out; anything else (a NUL byte
#: from a URL, which PostgreSQL refuses even in a query) is not looked up at all.
ROW_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class InvalidCursor(ValueError):
    """A pagination cursor that this service did not hand out."""


def encode_cursor(created: datetime, row_id: str) -> str:
    if created.tzinfo is not None:  # PostgreSQL answers in its session's time zone
        created = created.astimezone(UTC)
    raw = f"{created.replace(tzinfo=None).isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sqlite: bool) -> tuple[datetime, str]:
    """The (created_at, id) a cursor names; naive for SQLite, which keeps no zone."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, row_id = raw.split("|", 1)
        if not ROW_ID.fullmatch(row_id):
            raise ValueError(row_id)
        moment = datetime.fromisoformat(created).replace(tzinfo=UTC)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(cursor) from None
    return (moment.replace(tzinfo=None) if sqlite else moment), row_id


def beyond(
    created_column, id_column, created: datetime, row_id: str, newest_first: bool
) -> ColumnElement[bool]:
    """The rows after (created, row_id) in keyset order, newest or oldest first."""
    if newest_first:
        return or_(created_column < created, and_(created_column == created, id_column < row_id))
    return or_(created_column > created, and_(created_column == created, id_column > row_id))
