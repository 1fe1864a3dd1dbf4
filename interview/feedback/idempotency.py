"""Safe retries: a POST repeated with the same `Idempotency-Key` attaches to the first one's record.

Clients that reconnect by re-sending the POST (sse.js with autoReconnect,
fetch-event-source on a drop or a hidden tab) would otherwise start a new
generation each time. Keys are scoped to the caller and kept for 24 hours; the
same key with a different request is a conflict.
"""

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import as_utc, utcnow
from .records import find_by_idempotency_key, release_idempotency_key

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 200


class IdempotencyConflict(Exception):
    """The key was already used, by the same caller, for a different request."""


def scoped_key(owner: str | None, key: str) -> str:
    return f"{owner or ''}:{key}"


def request_digest(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def earlier_record_id(owner: str | None, key: str, digest: str) -> str | None:
    """Return the record a previous request with this key created, if it still counts."""
    record = find_by_idempotency_key(scoped_key(owner, key))
    if record is None:
        return None
    if utcnow() - as_utc(record.created_at) > KEY_LIFETIME:
        release_idempotency_key(record.feedback_id)
        return None
    if record.request_digest != digest:
        raise IdempotencyConflict(key)
    return record.feedback_id


def is_duplicate_key_error(exc: IntegrityError) -> bool:
    """True when an insert lost the race for an idempotency key."""
    db.session.rollback()
    return "idempotency" in str(exc.orig).lower()
