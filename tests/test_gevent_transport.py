"""The provider over the gevent worker's transport (geventhttpclient), against the fake upstream.

In a gunicorn gevent worker the SDK's client sends through `GeventTransport`;
these tests make the provider choose it here too and drive the real SDK over
HTTP, each stream on this thread's gevent loop as in a worker.
"""

import ssl
import subprocess
import time
import tracemalloc
from collections.abc import Iterator

import gevent
import pytest

from interview.feedback.providers import ProviderError, gevent_transport, openai_chat
from interview.feedback.providers.base import FeedbackInput
from interview.feedback.providers.gevent_transport import GeventTransport

from .fake_openai import FakeOpenAI, Fault

TEXT = "abcdefghijklmnopqrstuvwxyz" * 2
UNICODE_TEXT = "Good 👍🏽 — naïve café, 한국어, 👨‍👩‍👧‍👦 done."
REQUEST = FeedbackInput(
    question="Why should we hire you?",
    answer="I ship reliable software.",
    role=None,
    metrics={},
    messages=[{"role": "user", "content": "Feedback, please."}],
)


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def upstream_clients() -> Iterator[openai_chat.UpstreamClients]:
    clients = openai_chat.UpstreamClients()
    yield clients
    for client in clients._clients.values():
        client.close()  # its idle keep-alive connections


@pytest.fixture
def make_provider(upstream, upstream_clients, monkeypatch):
    monkeypatch.setattr(openai_chat, "under_gevent", lambda: True)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)

    def make(timeout_s: float = 5.0, base_url: str | None = None):
        return openai_chat.OpenAIChatProvider(
            api_key="sk-test",
            base_url=base_url or upstream.base_url,
            model="gpt-3.5-turbo",
            timeout_s=timeout_s,
            max_retries=0,
            max_retry_after_s=5.0,
            max_tokens=200,
            temperature=0.2,
            clients=upstream_clients,
        )

    return make


def read(stream) -> tuple[str, ProviderError | None]:
    pieces = []
    try:
        for piece in stream:
            pieces.append(piece)
    except ProviderError as exc:
        return "".join(pieces), exc
    return "".join(pieces), None


def test_the_worker_client_sends_through_geventhttpclient(make_provider, upstream_clients):
    make_provider().warm_up()
    assert isinstance(transport_of_the_client(upstream_clients), GeventTransport)


@pytest.mark.parametrize("chunk_chars", [1, 5, 64])
def test_the_text_arrives_exact_with_finish_reason_and_usage(make_provider, upstream, chunk_chars):
    upstream.configure(text=UNICODE_TEXT, chunk_chars=chunk_chars)
    stream = make_provider().open_stream(REQUEST)
    assert read(stream) == (UNICODE_TEXT, None)
    assert stream.finish_reason == "stop"
    assert stream.usage["completion_tokens"] > 0
    assert upstream.requests[-1].headers["authorization"] == "Bearer sk-test"
    assert upstream.requests[-1].body["messages"] == REQUEST.messages


def test_streams_one_after_another_reuse_the_connection(make_provider, upstream, upstream_clients):
    provider = make_provider()
    for _ in range(3):
        assert read(provider.open_stream(REQUEST)) == (upstream.settings.text, None)
    (client,) = upstream_clients._clients.values()
    (pool_client,) = client._client._transport._clients.values()
    assert pool_client._connection_pool._socket_queue.qsize() == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "upstream_unavailable"),
        (503, "upstream_unavailable"),
        (401, "upstream_auth"),
        (429, "upstream_rate_limited"),
        (400, "upstream_rejected"),
        (404, "upstream_not_found"),
    ],
)
def test_a_refused_start_is_the_matching_error(make_provider, upstream, status, code):
    upstream.enqueue(Fault(status=status))
    text, error = read(make_provider().open_stream(REQUEST))
    assert (text, error.code) == ("", code)


@pytest.mark.parametrize(
    ("fault", "code", "partial"),
    [
        (Fault(drop_after=3), "upstream_dropped", TEXT[:12]),
        (Fault(malformed_after=2), "upstream_malformed", TEXT[:8]),
        (Fault(hang_after=2), "upstream_timeout", TEXT[:8]),
    ],
)
def test_a_fault_mid_stream_keeps_the_text_so_far(make_provider, upstream, fault, code, partial):
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(fault)
    started = time.monotonic()
    text, error = read(make_provider(timeout_s=0.5).open_stream(REQUEST))
    assert (text, error.code) == (partial, code)
    assert time.monotonic() - started < 3


def test_an_unreachable_upstream_is_reported(make_provider):
    text, error = read(make_provider(base_url="http://127.0.0.1:9/v1").open_stream(REQUEST))
    assert (text, error.code) == ("", "upstream_unreachable")


def test_pieces_are_handed_on_as_they_arrive(make_provider, upstream):
    upstream.configure(text="slow-stream", chunk_chars=1, chunk_delay_s=0.05)
    arrivals = []
    for piece in make_provider().open_stream(REQUEST):
        arrivals.append((time.monotonic(), piece))
    assert "".join(piece for _, piece in arrivals) == "slow-stream"
    assert len(arrivals) >= 8  # not one block at the end
    assert arrivals[-1][0] - arrivals[0][0] >= 10 * 0.05 * 0.8


def test_a_started_stream_keeps_neither_the_prompt_nor_the_key(make_provider, upstream):
    upstream.configure(text=TEXT, chunk_chars=4)
    stream = make_provider().open_stream(REQUEST)
    pieces = iter(stream)
    first = next(pieces)
    kept = stream._response.request  # held for the stream's whole life
    assert (kept.method, str(kept.url)) == ("POST", upstream.base_url + "/chat/completions")
    assert kept.content == b"" and "authorization" not in kept.headers
    assert b"Feedback, please." not in stream._body
    assert first + "".join(pieces) == TEXT


def test_a_reader_between_pieces_holds_no_block_of_the_body(make_provider, upstream):
    text = "The body of a long answer. " * 1000  # many blocks of READ_BLOCK_BYTES
    upstream.configure(text=text, chunk_chars=20)
    stream = make_provider().open_stream(REQUEST)
    pieces = iter(stream)
    first = next(pieces)
    gevent.sleep(0.2)  # the rest of the body waits in the socket: the next read is a full block
    tracemalloc.start()
    try:
        second = next(pieces)  # a producer ahead of the pace waits here
        held = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, gevent_transport.__file__)]
        )
    finally:
        tracemalloc.stop()
    assert len(second) > 100  # a block of many chunks was read
    assert sum(trace.size for trace in held.traces) < 512
    assert first + second + "".join(pieces) == text


def test_close_from_another_greenlet_ends_a_waiting_read_quietly(make_provider, upstream):
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(hang_after=2))
    stream = make_provider(timeout_s=30).open_stream(REQUEST)
    reader = gevent.spawn(read, stream)
    gevent.sleep(0.5)  # the reader has two chunks and waits on the hanging upstream
    assert not reader.dead
    started = time.monotonic()
    stream.close()
    assert reader.get(timeout=2) == (TEXT[:8], None)
    assert time.monotonic() - started < 1
    upstream.release_hangs()


@pytest.fixture
def one_connection_per_host(upstream_clients, upstream):
    """Pools of one connection, and an upstream whose first answer lasts 0.65 s."""
    upstream_clients.transport_pool_size = 1
    upstream.configure(text=TEXT, chunk_chars=4)
    upstream.enqueue(Fault(chunk_delay_s=0.05))


def hold_a_connection(provider) -> tuple[str, Iterator[str]]:
    """A stream whose reader pauses after its first piece: its connection stays lent."""
    pieces = iter(provider.open_stream(REQUEST))
    return next(pieces), pieces


def test_a_stream_that_finds_every_connection_in_use_waits_at_most_the_timeout(
    make_provider, upstream, one_connection_per_host
):
    provider = make_provider(timeout_s=0.5)
    first, rest = hold_a_connection(provider)
    started = time.monotonic()
    text, error = read(provider.open_stream(REQUEST))
    assert (text, error.code) == ("", "upstream_timeout")
    assert 0.4 < time.monotonic() - started < 2
    assert len(upstream.requests) == 1
    assert first + "".join(rest) == TEXT


def test_a_stream_gets_the_connection_another_gives_back_in_time(
    make_provider, upstream, one_connection_per_host
):
    provider = make_provider(timeout_s=5)
    first, rest = hold_a_connection(provider)
    waiting = gevent.spawn(read, provider.open_stream(REQUEST))
    gevent.sleep(0.3)
    assert not waiting.dead and len(upstream.requests) == 1
    assert first + "".join(rest) == TEXT  # read to its end: the connection goes back
    assert waiting.get(timeout=5) == (TEXT, None)
    assert len(upstream.requests) == 2


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def https_upstream(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with FakeOpenAI(tls=context) as fake:
        yield fake


def test_an_https_upstream_is_verified_against_ssl_cert_file(
    make_provider, https_upstream, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    stream = make_provider(base_url=https_upstream.base_url).open_stream(REQUEST)
    assert read(stream) == (https_upstream.settings.text, None)


def test_an_untrusted_certificate_is_refused_before_anything_is_sent(
    make_provider, https_upstream, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # certifi's CAs do not know it
    stream = make_provider(base_url=https_upstream.base_url).open_stream(REQUEST)
    text, error = read(stream)
    assert (text, error.code) == ("", "upstream_unreachable")
    assert https_upstream.requests == []


def transport_of_the_client(upstream_clients):
    (client,) = upstream_clients._clients.values()
    return client._client._transport


def test_a_proxy_for_the_upstream_keeps_the_sdk_transport(
    make_provider, upstream_clients, monkeypatch
):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    make_provider(base_url="https://api.example.com/v1").warm_up()
    assert not isinstance(transport_of_the_client(upstream_clients), GeventTransport)


def test_an_upstream_the_proxy_bypasses_goes_through_geventhttpclient(
    make_provider, upstream, upstream_clients, monkeypatch
):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    provider = make_provider()
    assert read(provider.open_stream(REQUEST)) == (upstream.settings.text, None)
    assert isinstance(transport_of_the_client(upstream_clients), GeventTransport)
