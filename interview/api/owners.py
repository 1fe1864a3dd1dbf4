"""Who is calling: the owner id that scopes every record lookup."""

from flask import g


def current_owner() -> str | None:
    """Return the caller's owner id; None while the API is open (no API keys configured)."""
    return g.get("owner")
