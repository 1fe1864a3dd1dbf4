"""The worker class gunicorn.conf.py names, and its connections' plain-send `sendall`."""

import runpy
import socket
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
