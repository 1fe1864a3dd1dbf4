"""`pip install` of the wheel, as the Docker image does it, runs without the checkout.

A fresh virtual environment in a temporary directory gets requirements.lock's
dependencies (from pip's cache after the first run) and the wheel with no
dependencies of its own; from another empty directory, with nothing of the checkout
on the path, the packaged entry points migrate a SQLite database, serve a page and
its static files and stream one feedback. About half a minute once pip's cache is warm.
"""

import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest

from .servers import PROJECT_ROOT, free_port
from .sse_client import read_stream

#: Shared libraries of modules only the app imports: mapped by a worker, never by the arbiter.
APP_EXTENSIONS = ("orjson", "_regex")


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> Path:
    """A virtual environment with the locked dependencies and the built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    pip("wheel", "--no-deps", "--wheel-dir", str(root / "dist"), str(PROJECT_ROOT))
    venv.create(root / "venv", with_pip=False)
    python = str(root / "venv" / "bin" / "python")
    lock = str(PROJECT_ROOT / "requirements.lock")
    pip("--python", python, "install", "--no-compile", "--require-hashes", "-r", lock)
    (wheel,) = (root / "dist").glob("interview-*.whl")
    pip("--python", python, "install", "--no-compile", "--no-deps", str(wheel))
    pip("--python", python, "check")  # the lock satisfies the wheel's own requirements
    return root / "venv"


@pytest.fixture(scope="module")
def elsewhere(environment, tmp_path_factory) -> dict:
    """How to run the installed commands from an empty directory: cwd and environment."""
    workdir = tmp_path_factory.mktemp("elsewhere")
    return {
        "cwd": workdir,
        "env": {
            "PATH": f"{environment / 'bin'}:/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{workdir / 'interview.sqlite3'}",
            "INTERVIEW_PROVIDER": "offline",
        },
    }


def run(elsewhere: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, **elsewhere, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def migrated(elsewhere) -> Path:
    """The database file, upgraded by the packaged migrations."""
    result = run(elsewhere, "flask", "--app", "interview.wsgi", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return Path(elsewhere["env"]["DATABASE_URL"].removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def server(migrated, elsewhere):
    """The packaged gunicorn settings serving the packaged app, on its default address."""
    port = free_port()
    log = elsewhere["cwd"] / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["gunicorn", "-c", "python:interview.gunicorn_config", "interview.wsgi:app"],
            cwd=elsewhere["cwd"],
            env={**elsewhere["env"], "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log)
        yield process, url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer:\n{log.read_text()}")


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_the_package_is_imported_from_the_environment_not_the_checkout(environment, elsewhere):
    found = run(elsewhere, "python", "-c", "import interview; print(interview.__file__)")
    assert Path(found.stdout.strip()).is_relative_to(environment)
    assert not (elsewhere["cwd"] / "migrations").exists()


def test_the_migrations_made_the_schema(migrated):
    database = sqlite3.connect(migrated)
    with database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    database.close()
    assert {"feedback", "alembic_version"} <= tables


def test_a_page_and_its_static_files_are_served(server):
    _, url = server
    status, content_type, page = get(url + "/")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    stylesheet = re.search(r'href="(/static/css/app\.css[^"]*)"', page.decode())[1]
    status, content_type, css = get(url + stylesheet)
    assert status == 200 and content_type.startswith("text/css")
    assert css == (PROJECT_ROOT / "static" / "css" / "app.css").read_bytes()


def test_a_feedback_streams_to_done(server):
    _, url = server
    body = {
        "question": "Describe a project you are proud of.",
        "answer": "I rebuilt our billing pipeline and cut failed payments by a third.",
        "delay_ms": 0,
    }
    stream = read_stream(url, "POST", "/api/v1/feedback", body)
    assert stream.status == 200
    assert stream.terminal().event == "done"
    assert len(stream.text()) > 100


def test_the_arbiter_imports_nothing_of_the_app_and_the_worker_does(server):
    process, _ = server
    (worker,) = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()

    def mapped(pid) -> set[str]:
        maps = Path(f"/proc/{pid}/maps").read_text()
        return {name for name in APP_EXTENSIONS if re.search(rf"/{name}[^/\n]*\.so", maps)}

    assert mapped(process.pid) == set()
    assert mapped(worker) == set(APP_EXTENSIONS)
