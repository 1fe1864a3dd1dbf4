"""Bearer API keys (INTERVIEW_API_KEYS) and the stream tokens that stand in for them.

- A key is compared in constant time with every configured key. Its owner id is
  an HMAC of the key under INTERVIEW_SECRET_KEY: records store that, never the key.
- `EventSource` cannot send an `Authorization` header, so the 202 answer's
  `events_url` carries a short-lived token signed with the secret key, naming one
  record and its owner; it is accepted instead of the key on that record's
  events URL only (INTERVIEW_EVENTS_TOKEN_TTL_S, an hour by default).
- A token dies with the key that minted it: the owner it names is the key's
  fingerprint (the HMAC above, which does not give the key back), and it is
  accepted only while a configured key still has that fingerprint. Once the key
  is removed from INTERVIEW_API_KEYS, its tokens get 401 like the key itself.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_SALT = "interview.events-token"


def owner_of_key(presented: str) -> str | None:
    """Return the owner id of a configured key, or None when the key is not one of them."""
    matched = False
    for key in current_app.config["INTERVIEW_API_KEYS"]:
        matched |= hmac.compare_digest(key.encode(), presented.encode())
    return _owner_id(presented) if matched else None


def _owner_id(key: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return "key:" + hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()[:40]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def events_token(feedback_id: str, owner: str) -> str:
    return _serializer().dumps({"r": feedback_id, "o": owner})


def owner_of_events_token(token: str, feedback_id: str) -> str | None:
    """Return the owner a token vouches for on this record's events, or None."""
    max_age = current_app.config["INTERVIEW_EVENTS_TOKEN_TTL_S"]
    try:
        claims = _serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("r") != feedback_id:
        return None
    owner = claims.get("o")
    configured = {_owner_id(key) for key in current_app.config["INTERVIEW_API_KEYS"]}
    return owner if owner in configured else None
