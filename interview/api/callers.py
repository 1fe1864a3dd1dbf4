"""Who a request counts against for rate limits and the open-stream cap.

A caller is its API key when it presents a valid one, else its client address
(through trusted proxies only, see `request_identity.py`). The key is hashed
under the secret key: it is stored on records, never the address or the API
key itself.
"""

import hashlib
import hmac

from flask import current_app, g

from ..api_keys import owner_of_key
from ..request_identity import bearer_token, client_address


def caller_key() -> str:
    """The rate-limit key of this request: its API key's owner, else its client address.

    Worked out once per request: the rate limit and the open-stream cap both ask.
    """
    if "caller_key" not in g:
        g.caller_key = _caller_key()
    return g.caller_key


def _caller_key() -> str:
    if current_app.config["INTERVIEW_API_KEYS"]:
        if (token := bearer_token()) and (owner := owner_of_key(token)):
            return owner
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, client_address().encode(), hashlib.sha256).hexdigest()
    return "addr:" + digest[:40]
