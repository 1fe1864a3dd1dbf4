"""gunicorn's gevent worker, with one cost taken out of every write.

gevent's `socket.sendall` asks the kernel for the socket's send buffer size (a
getsockopt system call) and works out a deadline on every call: about a fifth
of a worker's CPU when it paces hundreds of event streams, one small write per
character each. This worker's connections first try one plain send on the
non-blocking socket underneath, and leave to gevent's `sendall` only what the
kernel did not take at once (a full send buffer: a slow client), so waiting
for a slow client still yields to the other greenlets as before.

Loaded by its path from gunicorn.conf.py: importing the `interview` package
would import the whole app into the arbiter, before gevent patches the workers.
"""

from gevent import socket as gevent_socket
from gunicorn.workers.ggevent import GeventWorker


class _Connection(gevent_socket.socket):
    __slots__ = ()

    def sendall(self, data, flags=0):
        try:
            sent = self._sock.send(data, flags)
        except BlockingIOError:
            sent = 0
        if sent < len(data):
            super().sendall(memoryview(data)[sent:], flags)


class StreamingGeventWorker(GeventWorker):
    """The gevent worker; its plain TCP connections send with `_Connection.sendall`."""

    def handle(self, listener, client, addr):
        if type(client) is gevent_socket.socket:  # not TLS: gevent's SSLSocket sends its own way
            client.__class__ = _Connection
        super().handle(listener, client, addr)
