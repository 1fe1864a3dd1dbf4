"""A real gunicorn + gevent server of the app, started by tests."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    """`gunicorn -c gunicorn.conf.py app:app` on a free port, one gevent worker."""

    def __init__(self, environ: dict[str, str], workdir: Path) -> None:
        self.environ = environ
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "INTERVIEW_"))
        }
        env = {**inherited, **self.environ, "PORT": str(self.port), "HOST": "127.0.0.1"}
        env.setdefault("WEB_CONCURRENCY", "1")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "--no-control-socket",
                    "app:app",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not become healthy:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def terminate(self) -> None:
        """Send SIGTERM to the arbiter, as a deploy does; do not wait."""
        self.process.send_signal(signal.SIGTERM)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


NGINX = "/usr/sbin/nginx"
NGINX_SITE = PROJECT_ROOT / "deploy" / "nginx.conf"
_NGINX_MAIN = """\
{user}worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {workdir}/site.conf;
}}
"""


class NginxProxy:
    """The real nginx running the project's deploy/nginx.conf in front of `app_port`.

    The site file is the one docker-compose.yml mounts, with its two addresses
    swapped (the `app:8000` upstream, `listen 80`), inside an `http` block like
    the nginx image's own."""

    def __init__(self, app_port: int, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        site = NGINX_SITE.read_text()
        for old, new in (
            ("server app:8000;", f"server 127.0.0.1:{app_port};"),
            ("listen 80;", f"listen 127.0.0.1:{self.port};"),
        ):
            if site.count(old) != 1:
                raise AssertionError(f"{NGINX_SITE} should say {old!r} once")
            site = site.replace(old, new)
        (workdir / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (workdir / "nginx.conf").write_text(_NGINX_MAIN.format(user=user, workdir=workdir))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, *args: str) -> list[str]:
        return [NGINX, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"), *args]

    def start(self, timeout: float = 10.0) -> None:
        with open(self.workdir / "nginx.out", "wb") as out:
            self.process = subprocess.Popen(
                self.command("-e", str(self.workdir / "error.log")),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen:\n{self.log()}")

    def log(self) -> str:
        return "".join(
            path.read_text(errors="replace")
            for path in (self.workdir / "nginx.out", self.workdir / "error.log")
            if path.exists()
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class StaticSite:
    """Serves a folder over HTTP on its own port: a frontend on another origin."""

    def __init__(self, folder: Path) -> None:
        handler = partial(_QuietFiles, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "StaticSite":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
    }

    def translate_path(self, path: str) -> str:
        # Packages compiled to ES modules import "./fetch" for "./fetch.js", as bundlers allow.
        local = super().translate_path(path)
        if not os.path.exists(local) and os.path.exists(local + ".js"):
            return local + ".js"
        return local

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TcpProxy:
    """A TCP proxy on a free local port to `target`, one thread per direction.

    Subclasses decide what to do with each new connection (`_accepted`) and when
    to stop passing bytes (`_passed`)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = self._accepted(client)
            except OSError:
                upstream = None
            if upstream is None:
                _close(client)
                continue
            for source, sink, to_client in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(
                    target=self._pipe, args=(source, sink, to_client), daemon=True
                ).start()

    def _accepted(self, client: socket.socket) -> socket.socket | None:
        """Connect `client` on to the target; None to hang up on it."""
        return socket.create_connection(self.target)

    def _passed(self, to_client: bool, sent: int) -> bool:
        """Whether to go on after `sent` bytes in this direction."""
        return True

    def _closed(self, source: socket.socket, sink: socket.socket) -> None:
        """Called once a pipe has ended."""

    def _pipe(self, source: socket.socket, sink: socket.socket, to_client: bool) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                sink.sendall(data)
                sent += len(data)
                if not self._passed(to_client, sent):
                    break
        except OSError:
            pass
        finally:
            self._closed(source, sink)
            _close(source)
            _close(sink)


class DroppingProxy(_TcpProxy):
    """A TCP proxy to `target_port` that cuts the first connection once it has passed
    `cut_after` bytes of response: a network drop in the middle of a stream. It cuts
    between two reads, as a lost connection does, not inside one server write."""

    def __init__(self, target_port: int, cut_after: int) -> None:
        super().__init__(("127.0.0.1", target_port))
        self.cut_after = cut_after
        self.cuts = 0

    def _passed(self, to_client: bool, sent: int) -> bool:
        with self._lock:
            if to_client and sent >= self.cut_after and self.cuts == 0:
                self.cuts += 1
                return False
        return True


class CuttableProxy(_TcpProxy):
    """A TCP proxy to `target_host`:`target_port` that a test cuts and restores: a
    database that goes away. `cut()` closes every open connection and, until
    `restore()`, closes each new one once accepted (the client sees the server hang up)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__((target_host, target_port))
        self.refused = 0
        self._cut = False
        self._open: set[socket.socket] = set()

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        self.cut()

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            connections, self._open = self._open, set()
        for end in connections:
            _close(end)

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def _accepted(self, client: socket.socket) -> socket.socket | None:
        with self._lock:
            if self._cut:
                self.refused += 1
                return None
            upstream = socket.create_connection(self.target)
            self._open |= {client, upstream}
            return upstream

    def _closed(self, source: socket.socket, sink: socket.socket) -> None:
        with self._lock:
            self._open -= {source, sink}


def _close(end: socket.socket) -> None:
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()
