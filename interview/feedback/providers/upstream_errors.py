"""What the upstream's refusals mean, and when a refused request is tried again.

Shared by the chat stream (`openai_chat.py`) and the transcriptions
(`openai_audio.py`): a refused start (408, 409, 429, 5xx) or a failed
connection is tried again after exponential backoff, or after the upstream's
`Retry-After` when it gives one no longer than the caller's bound; a longer
one gives up at once.
"""

import random

import openai

from .base import ProviderError

RETRYABLE_STATUSES = frozenset({408, 409, 429})
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0


def retry_after_s(exc: openai.APIStatusError) -> float | None:
    """The upstream's Retry-After in seconds (delta-seconds form), if it gave one."""
    try:
        value = float(exc.response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def backoff_s(attempt: int) -> float:
    """Exponential backoff with jitter: about 0.5, 1, 2, 4, 8 s."""
    return min(FIRST_BACKOFF_S * 2**attempt, MAX_BACKOFF_S) * random.uniform(0.75, 1.0)


def retry_delay_s(
    exc: openai.APIStatusError, attempt: int, retries: int, max_retry_after_s: float
) -> float | None:
    """How long to wait before trying a refused request again, or None to give up now."""
    if attempt == retries:
        return None
    if exc.status_code not in RETRYABLE_STATUSES and exc.status_code < 500:
        return None
    retry_after = retry_after_s(exc)
    if retry_after is None:
        return backoff_s(attempt)
    return retry_after if retry_after <= max_retry_after_s else None


def status_error(exc: openai.APIStatusError) -> ProviderError:
    """The `ProviderError` of an upstream's refusal."""
    status = exc.status_code
    if status in (401, 403):
        return ProviderError("upstream_auth", "The model service rejected our credentials.")
    if status == 429:
        retry_after = retry_after_s(exc)
        if retry_after is not None:
            return ProviderError(
                "upstream_rate_limited",
                f"The model service is rate limiting us; it asks to wait {retry_after:g} s.",
            )
        return ProviderError("upstream_rate_limited", "The model service is rate limiting us.")
    if status == 404:
        return ProviderError(
            "upstream_not_found", "The model service has no such model or endpoint (404)."
        )
    if status >= 500:
        return ProviderError("upstream_unavailable", f"The model service failed ({status}).")
    return ProviderError("upstream_rejected", f"The model service refused the request ({status}).")
