"""Feedback from an OpenAI-compatible chat completions endpoint, streamed.

Deliberate choices:
- One `openai.OpenAI` client per process (`UpstreamClients`, which the
  application's runtime owns), made on first use: gunicorn's gevent
  worker patches the process before it loads the app, and the client's
  transport must be created after that patching, never at import. In such a
  worker the transport is geventhttpclient's (`gevent_transport.py`).
- The SDK sends the request (auth, headers, typed errors) through its
  low-level `post`, which sends the body as given (JSON already encoded, by
  orjson) and returns the raw streaming response: the typed
  `chat.completions.create` would first walk the parameters' annotations
  (each message's too) to transform them, which changes nothing here. The
  streamed body is read raw, in blocks of many chunks, split into lines here,
  and each `data:` line decoded with orjson; each block's text goes on as one
  piece. Building the SDK's typed chunk objects costs far more per chunk, and
  with a few hundred streams that cost delays every stream's first character.
- Retries (`INTERVIEW_UPSTREAM_RETRIES`) happen only before the first byte,
  here rather than in the SDK: a refused start (408, 409, 429, 5xx) or a
  failed connection is tried again after exponential backoff, or after the
  upstream's `Retry-After` when it gives one no longer than
  INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S. A longer one fails the generation at
  once (the SDK would wait up to two minutes while the candidate watches
  nothing). Once a stream has started, a failure ends the generation with the
  text so far.
- Timeouts: 10 s to connect; `INTERVIEW_UPSTREAM_TIMEOUT_S` for the response to
  start and between two reads of the stream.
- The SDK's work per request is kept to what this endpoint needs (`OpenAI`
  below): the URL is absolute (the SDK would parse and join a relative path
  to its `base_url` each time), no platform headers are sent, and the bare
  request that every stream's response keeps is made once.
"""

import functools
import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import httpx2
import openai
import orjson

from ..pacing import under_gevent
from .base import FeedbackInput, ProviderError
from .gevent_transport import GeventTransport
from .upstream_errors import backoff_s, retry_delay_s, status_error

CONNECT_TIMEOUT_S = 10.0
CHAT_COMPLETIONS = "/chat/completions"
_DATA_PREFIX = b"data:"
_DONE = b"[DONE]"
MAX_LINE_BYTES = 1 << 20  # a chunk is a few hundred bytes; a line longer than this is broken


class OpenAI(openai.OpenAI):
    """The SDK's client, without its platform headers and with an absolute URL to post to.

    The SDK tells the upstream this server's OS, architecture and Python
    runtime in six `X-Stainless-*` headers on every request: telemetry for
    the model's vendor, which this service does not send. Each header would be
    validated and copied on its way through the SDK, httpx2 and
    geventhttpclient. (The class keeps the SDK's name: it is the User-Agent.)
    """

    def platform_headers(self) -> dict[str, str]:
        return {}

    @functools.cached_property
    def chat_completions_url(self) -> str:
        return str(self.base_url).rstrip("/") + CHAT_COMPLETIONS

    @functools.cached_property
    def chat_completions_request(self) -> httpx2.Request:
        """The sent request as a stream's response keeps it: the method and URL, for errors.

        A stream holds its response for a minute or more; the request's body
        (the whole prompt) and headers need not stay with it.
        """
        return httpx2.Request("POST", self.chat_completions_url)


class UpstreamClients:
    """The OpenAI clients of one application, one per process and settings, made on first use.

    `transport_pool_size` is the connections per upstream host of the gevent
    transport; the gevent worker sets it to its connection limit before the
    first client is made (`worker_hooks.py`).
    """

    def __init__(self) -> None:
        self.transport_pool_size = GeventTransport.DEFAULT_POOL_SIZE
        self._clients: dict[tuple, OpenAI] = {}
        self._lock = threading.Lock()

    def get(self, api_key: str, base_url: str | None, timeout_s: float) -> OpenAI:
        key = (os.getpid(), api_key, base_url, timeout_s)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = OpenAI(
                    api_key=api_key,
                    base_url=base_url,
                    max_retries=0,  # retried by `OpenAIChatStream`, within our bounds
                    timeout=httpx2.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
                    http_client=self._http_client(base_url),
                )
            return client

    def _http_client(self, base_url: str | None) -> httpx2.Client | None:
        """geventhttpclient underneath in a gevent worker; the SDK's default elsewhere.

        The SDK's default also where the environment names a proxy for the
        upstream (HTTPS_PROXY and friends), which only it speaks.
        """
        if not under_gevent():
            return None
        host = urlsplit(base_url or "https://api.openai.com").hostname or ""
        if getproxies_environment() and not proxy_bypass_environment(host):
            return None
        transport = GeventTransport(pool_size=self.transport_pool_size)
        return httpx2.Client(transport=transport, follow_redirects=True)


class OpenAIChatStream:
    """One streamed chat completion; iterate for the text pieces."""

    def __init__(
        self,
        client: OpenAI,
        body: bytes,
        retries: int,
        max_retry_after_s: float,
    ) -> None:
        self._client = client
        self._body = body
        self._retries = retries
        self._max_retry_after_s = max_retry_after_s
        self._response = None
        self._closing = threading.Event()
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None

    @property
    def _closed(self) -> bool:
        return self._closing.is_set()

    def close(self) -> None:
        """Stop the generation: close the upstream response, even mid-read or mid-wait."""
        self._closing.set()
        if self._response is not None:
            self._response.close()

    def __iter__(self) -> Iterator[str]:
        try:
            with ExitStack() as stack:
                response = self._start(stack)
                if response is None:
                    return
                self._response = response
                if self._closed:
                    return
                yield from self._read_events(response.iter_bytes())
        except openai.APIStatusError as exc:
            raise status_error(exc) from exc
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

    def _start(self, stack: ExitStack):
        """Send the request, retrying a failed start; None when closed while waiting."""
        for attempt in range(self._retries + 1):
            try:
                response = self._client.post(
                    self._client.chat_completions_url,
                    content=self._body,
                    cast_to=httpx2.Response,
                    stream=True,
                )
                stack.callback(response.close)
                response.request = self._client.chat_completions_request
                self._body = b""  # no retry once the stream has started
                return response
            except openai.APIStatusError as exc:
                delay = retry_delay_s(exc, attempt, self._retries, self._max_retry_after_s)
                if delay is None:
                    raise
            except openai.APIConnectionError:  # includes timeouts
                if attempt == self._retries:
                    raise
                delay = backoff_s(attempt)
            if self._closing.wait(delay):
                return None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _read_events(self, blocks: Iterator[bytes]) -> Iterator[str]:
        """The text of the body's raw blocks, one piece per block (a block holds many chunks)."""
        pending = b""
        for block in itertools.chain(blocks, [b"\n"]):  # the newline ends a last unended line
            text, pending, done, error = self._read_block(pending + block)
            if isinstance(block, bytearray):
                # httpx2's iterators keep the last block while a paused producer waits:
                # empty it (a block of `gevent_transport.py`, 8 KB; its text is read)
                block.clear()
            if text:
                yield text  # before an error: the text before the bad chunk is kept
            if error is not None:
                raise error
            if done:
                return
        if self.finish_reason is None and not self._closed:
            raise ProviderError("upstream_dropped", "The model service closed the stream early.")

    def _read_block(self, data: bytes) -> tuple[str, bytes, bool, ProviderError | None]:
        """(text of the whole lines, the unfinished line, [DONE] seen, the error that ended it).

        The lines are gone once this returns: a producer paused ahead of the
        pace holds no more than the block it was given.
        """
        lines = data.split(b"\n")
        pending = lines.pop()
        texts: list[str] = []
        try:
            done = self._read_lines(lines, texts)
        except ProviderError as exc:
            return "".join(texts), b"", True, exc
        if len(pending) > MAX_LINE_BYTES:
            error = ProviderError(
                "upstream_malformed", "The model service sent a line too long to be a chunk."
            )
            return "".join(texts), b"", True, error
        return "".join(texts), pending, done, None

    def _read_lines(self, lines: list[bytes], texts: list[str]) -> bool:
        """Add each `data:` line's text to `texts`; True at `[DONE]`."""
        for line in lines:
            if line.startswith(_DATA_PREFIX):  # else blank separators, comments, `event:`
                payload = line[len(_DATA_PREFIX) :].strip()
                if payload == _DONE:
                    return True
                if text := self._read_payload(payload):
                    texts.append(text)
        return False

    def _read_payload(self, payload: bytes) -> str:
        try:
            return self._read_chunk(orjson.loads(payload))
        except (orjson.JSONDecodeError, TypeError, AttributeError, KeyError) as exc:
            raise ProviderError(
                "upstream_malformed", "The model service sent a chunk we could not read."
            ) from exc

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
    writes_assessment = True

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout_s: float,
        max_retries: int,
        max_retry_after_s: float,
        max_tokens: int,
        temperature: float,
        seed: int | None = None,
        clients: UpstreamClients,
    ) -> None:
        self.model = model
        self.temperature = temperature
        self.seed = seed
        self._clients = clients
        self._client_args = (api_key, base_url, timeout_s)
        self._retries = max_retries
        self._max_retry_after_s = max_retry_after_s
        self._max_tokens = max_tokens

    def warm_up(self) -> None:
        """Make this worker's client before any request, not in the first stream's set-up."""
        self._clients.get(*self._client_args)

    def open_stream(self, request: FeedbackInput) -> OpenAIChatStream:
        """Prepare the streamed completion; the request goes out on first iteration."""
        body = {
            "model": self.model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": self._max_tokens,
            "temperature": self.temperature,
        }
        if self.seed is not None:  # servers that do not take a seed ignore it, or refuse it
            body["seed"] = self.seed
        return OpenAIChatStream(
            self._clients.get(*self._client_args),
            orjson.dumps(body),
            self._retries,
            self._max_retry_after_s,
        )
