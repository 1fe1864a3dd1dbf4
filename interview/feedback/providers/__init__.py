"""Where feedback text comes from (the OpenAI-compatible upstream or the offline analysis),
and transcripts (the upstream's audio endpoint or the local recogniser)."""

from collections.abc import Mapping
from typing import Any

from .base import FeedbackProvider, ProviderError, ProviderStream, Transcriber, Transcript
from .local_audio import LocalTranscriber
from .offline import OfflineProvider
from .openai_audio import OpenAITranscriber
from .openai_chat import OpenAIChatProvider, UpstreamClients

__all__ = [
    "FeedbackProvider",
    "LocalTranscriber",
    "OpenAITranscriber",
    "ProviderError",
    "ProviderStream",
    "Transcriber",
    "Transcript",
    "UpstreamClients",
    "provider_from_config",
    "transcriber_from_config",
]


def provider_from_config(config: Mapping[str, Any], clients: UpstreamClients) -> FeedbackProvider:
    """Return the provider the configuration selects; an upstream one's client is in `clients`."""
    if config["INTERVIEW_PROVIDER"] == "offline":
        return OfflineProvider()
    return OpenAIChatProvider(
        api_key=config["OPENAI_API_KEY"],
        base_url=config["OPENAI_BASE_URL"],
        model=config["INTERVIEW_MODEL"],
        timeout_s=config["INTERVIEW_UPSTREAM_TIMEOUT_S"],
        max_retries=config["INTERVIEW_UPSTREAM_RETRIES"],
        max_retry_after_s=config["INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S"],
        max_tokens=config["INTERVIEW_MAX_TOKENS"],
        temperature=config["INTERVIEW_TEMPERATURE"],
        seed=config["INTERVIEW_SEED"],
        clients=clients,
    )


def transcriber_from_config(
    config: Mapping[str, Any], clients: UpstreamClients
) -> Transcriber | None:
    """The transcriber INTERVIEW_TRANSCRIPTION_PROVIDER names (`config.py` resolves `auto`):
    the upstream's (the chat's server and client unless a speech server is named), or the
    local one; None when it is `off`."""
    provider = config["INTERVIEW_TRANSCRIPTION_PROVIDER"]
    if provider == "off":
        return None
    if provider == "local":
        return LocalTranscriber(
            cpu_threads=config["INTERVIEW_TRANSCRIPTION_THREADS"],
            wait_s=config["INTERVIEW_TRANSCRIPTION_TIMEOUT_S"],
        )
    return OpenAITranscriber(
        api_key=config["INTERVIEW_TRANSCRIPTION_API_KEY"],
        base_url=config["INTERVIEW_TRANSCRIPTION_BASE_URL"],
        model=config["INTERVIEW_TRANSCRIPTION_MODEL"],
        timeout_s=config["INTERVIEW_UPSTREAM_TIMEOUT_S"],
        transcription_timeout_s=config["INTERVIEW_TRANSCRIPTION_TIMEOUT_S"],
        max_retries=config["INTERVIEW_UPSTREAM_RETRIES"],
        max_retry_after_s=config["INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S"],
        clients=clients,
    )
