"""Who a request counts against for rate limits and the open-stream cap.

A caller is its API key when it presents a valid one, else its client address.
`X-Forwarded-For` is believed only as far as INTERVIEW_TRUSTED_PROXIES allows:
walking the chain from the nearest hop, each trusted proxy's word is taken for
the hop before it, and the first untrusted address is the client. With no
trusted proxies the header is ignored, so a client cannot pick its own address.
The key is hashed under the secret key: it is stored on records, never the
address or the API key itself.
"""

import hashlib
import hmac
import ipaddress

from flask import current_app, g, request

from ..api_keys import owner_of_key


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in current_app.config["INTERVIEW_TRUSTED_PROXIES"])


def client_address() -> str:
    """The client's address, through trusted proxies only."""
    address = request.remote_addr or "unknown"
    if not _is_trusted(address):
        return address
    forwarded = [hop.strip() for hop in request.headers.getlist("X-Forwarded-For")]
    hops = [hop for header in forwarded for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = hop.strip()
        if not _is_trusted(address):
            return address
    return address


def caller_key() -> str:
    """The rate-limit key of this request: its API key's owner, else its client address.

    Worked out once per request: the rate limit and the open-stream cap both ask.
    """
    if "caller_key" not in g:
        g.caller_key = _caller_key()
    return g.caller_key


def _caller_key() -> str:
    if current_app.config["INTERVIEW_API_KEYS"]:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and (owner := owner_of_key(presented.strip())):
            return owner
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, client_address().encode(), hashlib.sha256).hexdigest()
    return "addr:" + digest[:40]
