"""The worker class gunicorn.conf.py names, and its connections' plain-send `sendall`."""

import json
import runpy
import socket
import threading
import time
import urllib.request
from pathlib import Path

import gevent
from gevent import socket as gevent_socket
from gunicorn.workers.ggevent import GeventWorker

from interview.gevent_worker import StreamingGeventWorker, _Connection

ROOT = Path(__file__).resolve().parent.parent


def connection_pair():
    sender, receiver = gevent_socket.socketpair()
    sender.__class__ = _Connection  # as the worker does with each accepted connection
    return sender, receiver


def receive(sock, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        data += sock.recv(65536)
    return bytes(data)


def test_gunicorn_conf_runs_the_streaming_gevent_worker():
    worker_class = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_class"]
    assert issubclass(worker_class, GeventWorker)
    assert worker_class.__name__ == StreamingGeventWorker.__name__


def test_a_small_write_goes_out_whole():
    sender, receiver = connection_pair()
    with sender, receiver:
        sender.sendall(b"id: 1\nevent: delta\ndata: {}\n\n")
        assert receive(receiver, 29) == b"id: 1\nevent: delta\ndata: {}\n\n"


def test_what_the_kernel_does_not_take_is_sent_once_the_reader_catches_up():
    sender, receiver = connection_pair()
    sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    payload = bytes(range(256)) * 16384  # 4 MiB, far more than the send buffer
    with sender, receiver:
        writer = gevent.spawn(sender.sendall, payload)
        gevent.sleep(0.05)
        assert not writer.dead  # waiting for the reader, without blocking the loop
        assert receive(receiver, len(payload)) == payload
        writer.get(timeout=5)


def test_a_closed_peer_raises_as_before():
    sender, receiver = connection_pair()
    receiver.close()
    with sender:
        try:
            for _ in range(100):
                sender.sendall(b"x" * 65536)
        except OSError as exc:
            assert isinstance(exc, (BrokenPipeError, ConnectionResetError))
        else:
            raise AssertionError("writing to a closed peer did not fail")


# -- slow requests, on real gunicorn -----------------------------------------------------

SLOW_HEAD = (
    b"POST /api/v1/feedback HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n{"
)


class Trickle:
    """Sends one byte on each socket every `interval_s`, on a thread, until stopped."""

    def __init__(self, socks: list[socket.socket], interval_s: float) -> None:
        self.socks, self.interval_s = socks, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            for sock in self.socks:
                try:
                    sock.send(b" ")
                except OSError:
                    pass


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def was_answered(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(12, socket.MSG_PEEK) == b"HTTP/1.1 408"
    except OSError:
        return False


def test_a_body_that_does_not_arrive_in_time_is_408_and_closed(server_factory):
    server = server_factory(INTERVIEW_BODY_TIMEOUT_S="1")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(SLOW_HEAD)
        started = time.monotonic()
        with Trickle([sock], 0.25):
            answer = read_until_closed(sock)  # the server closes the connection
        waited = time.monotonic() - started
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"Content-Type: application/problem+json" in head
    assert b"Connection: close" in head
    assert json.loads(body)["status"] == 408
    assert 1 <= waited < 10
    with urllib.request.urlopen(server.url + "/api/v1/feedback", timeout=5) as response:
        assert json.loads(response.read())["items"] == []


def test_healthz_answers_while_slow_bodies_hold_more_connections_than_the_worker_has(
    server_factory,
):
    server = server_factory(GUNICORN_WORKER_CONNECTIONS="100", INTERVIEW_BODY_TIMEOUT_S="60")
    slow = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(SLOW_HEAD)
            slow.append(sock)
        with Trickle(slow, 0.5):
            for _ in range(5):
                with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
                    assert response.status == 200
                time.sleep(0.2)
        shed = sum(1 for sock in slow if was_answered(sock))
    finally:
        for sock in slow:
            sock.close()
    assert shed >= 100  # the longest-waiting slow requests were answered 408 and closed
