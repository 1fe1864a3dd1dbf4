"""gunicorn's gevent worker, with one cost taken out of every write and slow requests cut off.

Writes: gevent's `socket.sendall` asks the kernel for the socket's send buffer
size (a getsockopt system call) and works out a deadline on every call: about
a fifth of a worker's CPU when it paces hundreds of event streams, one small
write per character each. This worker's connections first try one plain send
on the non-blocking socket underneath, and leave to gevent's `sendall` only
what the kernel did not take at once (a full send buffer: a slow client), so
waiting for a slow client still yields to the other greenlets as before.

Slow requests: a connection holds one of GUNICORN_WORKER_CONNECTIONS slots
while it trickles its request in, so a few thousand connections sending a
byte now and then would hold them all and the worker would accept nothing,
not even /healthz. So:
- a request's body must arrive within INTERVIEW_BODY_TIMEOUT_S (10 s) of its
  head (the head itself within gunicorn's keep-alive timeout, 5 s): past it,
  408 problem+json and the connection is closed;
- when the worker's connections are within a twentieth of the limit, each new
  connection sheds the one that has waited longest in a read (a trickled
  request, or an idle keep-alive), with the same 408, so there is always room
  for a new request. Event streams being written are never shed.

Imported by gunicorn's arbiter (interview/gunicorn_config.py), so it imports nothing
of the app: the app's modules must first be imported after gevent patches the workers.
"""

import json
import os
import socket
import time
from collections import OrderedDict
from itertools import islice

import gevent
from gevent import getcurrent
from gevent import socket as gevent_socket
from gunicorn.workers.ggevent import GeventWorker

DEFAULT_BODY_TIMEOUT_S = 10.0
#: How long a connection answered 408 is read from (and discarded) before it is closed.
LINGER_S = 0.5
#: The share of the connection limit kept free by shedding the longest-waiting reads.
RESERVE_SHARE = 20


class RequestTimeout(BaseException):
    """The request did not arrive in time (a BaseException: the app must not answer it)."""


class Shed(RequestTimeout):
    """The request was still being read when the worker needed its connection."""


class _Reads:
    """The greenlets of this process blocked in a read, longest waiting first, and deadlines."""

    def __init__(self) -> None:
        self.waiting: OrderedDict = OrderedDict()
        self.deadlines: dict = {}


_reads = _Reads()


class _Connection(gevent_socket.socket):
    __slots__ = ()

    def sendall(self, data, flags=0):
        try:
            sent = self._sock.send(data, flags)
        except BlockingIOError:
            sent = 0
        if sent < len(data):
            super().sendall(memoryview(data)[sent:], flags)

    def recv(self, *args):
        reader = getcurrent()
        deadline = _reads.deadlines.get(reader)
        _reads.waiting[reader] = None
        try:
            if deadline is None:
                return super().recv(*args)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RequestTimeout()
            with gevent.Timeout(remaining, RequestTimeout):
                return super().recv(*args)
        finally:
            _reads.waiting.pop(reader, None)


def _problem_408() -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Request Timeout",
            "status": 408,
            "detail": "The request did not arrive in time.",
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _body_timeout_s() -> float:
    raw = os.environ.get("INTERVIEW_BODY_TIMEOUT_S", "").strip()
    value = float(raw) if raw else DEFAULT_BODY_TIMEOUT_S
    if not value > 0:
        raise ValueError(f"INTERVIEW_BODY_TIMEOUT_S must be greater than 0, got {raw!r}")
    return value


class _NamedListener:
    """A listening socket whose name is read once, while it is open.

    gunicorn asks a connection's listener for its name when the connection's
    handler starts. On SIGTERM the listener is closed; a connection accepted
    just before, whose handler starts just after, would then fail on that call
    (EBADF) and be dropped with a reset, its request never read. With the name
    kept, it is served within the graceful timeout like the others.
    """

    def __init__(self, listener) -> None:
        self._listener = listener
        self._name = listener.getsockname()

    def getsockname(self):
        return self._name

    def __getattr__(self, name: str):
        return getattr(self._listener, name)


class StreamingGeventWorker(GeventWorker):
    """The gevent worker: cheaper writes, a deadline on request bodies, slow reads shed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body_timeout_s = _body_timeout_s()
        self.open_connections = 0
        self._listeners: dict[int, _NamedListener] = {}

    def handle(self, listener, client, addr):
        if type(client) is gevent_socket.socket:  # not TLS: gevent's SSLSocket sends its own way
            client.__class__ = _Connection
        self.open_connections += 1
        try:
            self._shed_slow_reads()
            super().handle(self._named(listener), client, addr)
        finally:
            self.open_connections -= 1

    def run(self):
        # named while open: the handlers may start after SIGTERM closed them
        self._listeners = {id(listener): _NamedListener(listener) for listener in self.sockets}
        super().run()

    def _named(self, listener) -> "_NamedListener":
        named = self._listeners.get(id(listener))
        if named is None:
            named = self._listeners[id(listener)] = _NamedListener(listener)
        return named

    def _shed_slow_reads(self) -> None:
        room = self.worker_connections - self.open_connections
        shed = max(0, self.worker_connections // RESERVE_SHARE - room)
        for reader in list(islice(_reads.waiting, shed)):
            _reads.waiting.pop(reader, None)
            reader.kill(Shed, block=False)

    def handle_request(self, listener_name, req, sock, addr):
        reader = getcurrent()
        _reads.deadlines[reader] = time.monotonic() + self.body_timeout_s
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            _reads.deadlines.pop(reader, None)

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, RequestTimeout):
            return super().handle_error(req, client, addr, exc)
        self.log.info("closed a request that did not arrive in time from %s", addr and addr[0])
        try:
            client.sendall(_problem_408())
            if not isinstance(exc, Shed):  # a shed connection's slot is wanted now
                _linger(client)
        except OSError:
            pass


def _linger(client) -> None:
    """Read what the client still sends, briefly, so that closing does not reset the
    connection and discard the 408 before the client has read it (nginx's lingering close)."""
    client.shutdown(socket.SHUT_WR)
    with gevent.Timeout(LINGER_S, False):
        while gevent_socket.socket.recv(client, 65536):  # not `_Connection.recv`: never shed
            pass
