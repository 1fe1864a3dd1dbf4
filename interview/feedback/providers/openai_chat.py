"""Feedback from an OpenAI-compatible chat completions endpoint, streamed.

Deliberate choices:
- One `openai.OpenAI` client per process, made on first use: gunicorn's gevent
  worker patches the process before it loads the app, and the client's
  transport must be created after that patching, never at import.
- The SDK sends the request (auth, headers, retries, typed errors), but the
  streamed body is read raw, line by line, and each `data:` line is decoded
  with orjson. Building the SDK's typed chunk objects costs far more per chunk,
  and with a few hundred streams that cost delays every stream's first character.
- The SDK retries (`INTERVIEW_UPSTREAM_RETRIES`) only before the first byte:
  once a stream has started, a failure ends the generation with the text so far.
- Timeouts: 10 s to connect; `INTERVIEW_UPSTREAM_TIMEOUT_S` for the response to
  start and between two reads of the stream.
"""

import os
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import orjson

from .base import FeedbackInput, ProviderError

CONNECT_TIMEOUT_S = 10.0
_DATA_PREFIX = "data:"

_clients: dict[tuple, openai.OpenAI] = {}
_clients_lock = threading.Lock()


def _client(api_key: str, base_url: str | None, timeout_s: float, max_retries: int):
    key = (os.getpid(), api_key, base_url, timeout_s, max_retries)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = openai.OpenAI(
                api_key=api_key,
                base_url=base_url,
                max_retries=max_retries,
                timeout=httpx2.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            )
        return client


def _status_error(exc: openai.APIStatusError) -> ProviderError:
    status = exc.status_code
    if status in (401, 403):
        return ProviderError("upstream_auth", "The model service rejected our credentials.")
    if status == 429:
        return ProviderError("upstream_rate_limited", "The model service is rate limiting us.")
    if status == 404:
        return ProviderError("upstream_not_found", "The model service does not know that model.")
    if status >= 500:
        return ProviderError("upstream_unavailable", f"The model service failed ({status}).")
    return ProviderError("upstream_rejected", f"The model service refused the request ({status}).")


class OpenAIChatStream:
    """One streamed chat completion; iterate for the text pieces."""

    def __init__(self, client: openai.OpenAI, request_args: dict[str, Any]) -> None:
        self._client = client
        self._request_args = request_args
        self._response = None
        self._closed = False
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None

    def close(self) -> None:
        """Stop the generation: close the upstream response, even mid-read."""
        self._closed = True
        if self._response is not None:
            self._response.close()

    def __iter__(self) -> Iterator[str]:
        try:
            manager = self._client.chat.completions.with_streaming_response.create(
                **self._request_args
            )
            with manager as response:
                self._response = response
                if self._closed:
                    return
                yield from self._read_lines(response.iter_lines())
        except openai.APIStatusError as exc:
            raise _status_error(exc) from exc
        except (openai.APITimeoutError, httpx2.TimeoutException) as exc:
            raise ProviderError("upstream_timeout", "The model service stopped answering.") from exc
        except openai.APIConnectionError as exc:
            raise ProviderError(
                "upstream_unreachable", "Could not reach the model service."
            ) from exc
        except httpx2.HTTPError as exc:
            if self._closed:
                return
            raise ProviderError(
                "upstream_dropped", "The model service closed the stream early."
            ) from exc

    def _read_lines(self, lines: Iterator[str]) -> Iterator[str]:
        for line in lines:
            if not line.startswith(_DATA_PREFIX):
                continue  # blank separators, comments, `event:` lines
            payload = line[len(_DATA_PREFIX) :].strip()
            if payload == "[DONE]":
                return
            try:
                chunk = orjson.loads(payload)
                text = self._read_chunk(chunk)
            except (orjson.JSONDecodeError, TypeError, AttributeError, KeyError) as exc:
                raise ProviderError(
                    "upstream_malformed", "The model service sent a chunk we could not read."
                ) from exc
            if text:
                yield text
        if self.finish_reason is None and not self._closed:
            raise ProviderError("upstream_dropped", "The model service closed the stream early.")

    def _read_chunk(self, chunk: dict[str, Any]) -> str:
        if error := chunk.get("error"):
            message = error.get("message") if isinstance(error, dict) else None
            raise ProviderError("upstream_error", message or "The model service reported an error.")
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        choices = chunk.get("choices") or ()
        if not choices:
            return ""  # the usage chunk
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        return (choice.get("delta") or {}).get("content") or ""


class OpenAIChatProvider:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout_s: float,
        max_retries: int,
        max_tokens: int,
    ) -> None:
        self.model = model
        self._client_args = (api_key, base_url, timeout_s, max_retries)
        self._max_tokens = max_tokens

    def open_stream(self, request: FeedbackInput) -> OpenAIChatStream:
        """Prepare the streamed completion; the request goes out on first iteration."""
        return OpenAIChatStream(
            _client(*self._client_args),
            {
                "model": self.model,
                "messages": request.messages,
                "stream": True,
                "stream_options": {"include_usage": True},
                "max_tokens": self._max_tokens,
            },
        )
