"""What a request says about who sent it: the bearer token it presents, the client's address.

`X-Forwarded-For` is believed only as far as INTERVIEW_TRUSTED_PROXIES allows:
walking the chain from the nearest hop, each trusted proxy's word is taken for
the hop before it, and the first untrusted address is the client. With no
trusted proxies the header is ignored, so a client cannot pick its own address.
"""

import ipaddress

from flask import current_app, request


def bearer_token() -> str:
    """The token of an `Authorization: Bearer <token>` header; empty when there is none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


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
