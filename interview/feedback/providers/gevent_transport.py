"""An httpx2 transport on geventhttpclient, for the SDK's client in a gevent worker.

The SDK's default transport (httpcore2 + h11) parses every upstream chunk in
Python, about 8 us a chunk; a fast upstream sends a whole answer at once, a
few hundred chunks, and with hundreds of streams that parsing delays the first
characters of the streams starting behind it. geventhttpclient parses HTTP in
C (llhttp) on gevent's own sockets and hands the body on a block of many
chunks at a time, so the SDK keeps its request building, auth and typed
errors while the bytes cost little. Reading as the body arrives uses the
response's parser buffer and socket (`_body_buffer`, `_sock`): geventhttpclient
is pinned to 2.x, and `tests/test_gevent_transport.py` covers that reading.

Only for a process gevent has patched: its sockets belong to one event loop,
and closing a response from another OS thread is not safe. TLS is verified
against the CAs httpx would use; proxies are not spoken here (`openai_chat.py`
keeps the SDK's transport when one is configured).

A stream keeps its upstream connection for as long as it paces its text, so
each host's pool holds as many connections as the worker admits (gunicorn's
`worker_connections`, set by `worker_hooks.py`); a stream that still finds
them all in use waits at most the request's pool timeout, as with the SDK's
own transport, where geventhttpclient alone would wait without a limit.

Errors come out as httpx2's, which the SDK turns into its own: timeouts as
`ReadTimeout` (`PoolTimeout` for the wait for a connection), a refused or
failed connection as `ConnectError`, a connection that breaks mid-body as
`RemoteProtocolError`.
"""

import os
import threading
from collections.abc import Iterator

import certifi
import httpx2
from geventhttpclient import HTTPClient, HTTPParseError
from geventhttpclient.response import HTTPSocketPoolResponse

READ_BLOCK_BYTES = 8 * 1024


def _arriving_blocks(response: HTTPSocketPoolResponse) -> Iterator[bytearray]:
    """The body as it arrives: what the parser holds, else one read of the socket.

    (`HTTPSocketResponse.read(n)` waits for n bytes or the end; a stream's
    chunks must go on as soon as they are here.) A paused reader holds only
    the block it was given; the rest waits in the kernel's socket buffer.
    Each block is a bytearray of its own, which the reader may empty once it
    has read it (`openai_chat.py` does).
    """
    buffer = response._body_buffer
    while True:
        if buffer:
            block = bytearray(buffer)
            del buffer[:]
            yield block
        if response.message_complete or response._sock is None:  # the socket is released
            return
        if not _receive(response):
            if buffer:
                yield bytearray(buffer)
            return


def _receive(response: HTTPSocketPoolResponse) -> bool:
    """Read the socket once into the parser; False when the connection has ended."""
    data = response._sock.recv(READ_BLOCK_BYTES)
    response.feed(data)  # b"" tells the parser the connection ended
    return bool(data)


def _ca_certs() -> str:
    return os.environ.get("SSL_CERT_FILE") or certifi.where()


class _ResponseBody(httpx2.SyncByteStream):
    def __init__(self, response: HTTPSocketPoolResponse) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from _arriving_blocks(self._response)
        except TimeoutError as exc:
            raise httpx2.ReadTimeout("the upstream stopped sending") from exc
        except (OSError, HTTPParseError) as exc:
            raise httpx2.RemoteProtocolError(f"the upstream connection broke: {exc}") from exc
        if not self._response.message_complete:
            raise httpx2.RemoteProtocolError("the upstream closed the connection mid-body")

    def close(self) -> None:
        """Give the connection back when the body was read whole, else close it."""
        response = self._response
        if response.message_complete:
            response.release()
        elif response._pool is not None and response._sock is not None:
            response._pool.release_socket(response._sock)
            response._sock = response._pool = None


def _wait_for_a_free_connection(client: HTTPClient, timeout_s: float | None, request) -> None:
    """Return once the client's pool can lend a connection; PoolTimeout after `timeout_s`.

    The semaphore is given back at once: nothing yields between here and the
    request's own take of it, so that take does not wait.
    """
    semaphore = client._connection_pool._semaphore
    if not semaphore.acquire(timeout=timeout_s):
        raise httpx2.PoolTimeout("every connection to the upstream stayed in use", request=request)
    semaphore.release()


class GeventTransport(httpx2.BaseTransport):
    """HTTP/1.1 (and TLS) to any number of hosts, one keep-alive pool each."""

    #: connections per upstream host: the SDK's default, where the gevent worker
    #: does not give its own connection limit
    DEFAULT_POOL_SIZE = 1000

    def __init__(self, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.pool_size = pool_size
        self._clients: dict[tuple, HTTPClient] = {}
        self._lock = threading.Lock()

    def _client_for(self, url: httpx2.URL, timeout: dict[str, float | None]) -> HTTPClient:
        key = (url.scheme, url.host, url.port, timeout.get("connect"), timeout.get("read"))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                tls = url.scheme == "https"
                client = self._clients[key] = HTTPClient(
                    url.host,
                    port=url.port,
                    # the CAs httpx trusts: SSL_CERT_FILE when set, else certifi's
                    ssl_options={"ca_certs": _ca_certs()} if tls else None,
                    connection_timeout=timeout.get("connect"),
                    network_timeout=timeout.get("read"),
                    concurrency=self.pool_size,
                    block_size=READ_BLOCK_BYTES,
                    headers={"User-Agent": "interview"},
                )
            return client

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        timeout = request.extensions.get("timeout", {})
        client = self._client_for(request.url, timeout)
        _wait_for_a_free_connection(client, timeout.get("pool"), request)
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
        ]
        try:
            response = client.request(
                request.method,
                request.url.raw_path.decode("ascii"),
                body=request.read(),
                headers=headers,
            )
        except TimeoutError as exc:
            raise httpx2.ReadTimeout(
                "the upstream did not answer in time", request=request
            ) from exc
        except (OSError, HTTPParseError) as exc:
            raise httpx2.ConnectError(
                f"could not reach the upstream: {exc}", request=request
            ) from exc
        return httpx2.Response(
            response.status_code,
            headers=list(response.items()),
            stream=_ResponseBody(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
