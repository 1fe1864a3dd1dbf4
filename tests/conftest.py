"""Shared fixtures: the fake OpenAI upstream, a real database per backend, the app.

Every test that uses `app` (or `client`, `server`, ...) runs once on SQLite and
once on PostgreSQL. PostgreSQL is the local server (TEST_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test); each run creates a fresh database
and drops it at the end. Without a reachable server the PostgreSQL cases skip
with the reason, except in CI (CI=true), where they fail.
"""

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import delete

from interview import create_app
from interview.environment import speech_extra_installed
from interview.extensions import db, runtime_of
from interview.models import Feedback, InterviewSession, Question, SessionQuestion, Transcription

from .fake_openai import FakeOpenAI
from .servers import GunicornServer

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = "/usr/bin/chromium"
CLIENTS = Path(__file__).resolve().parent / "clients"
# The clients' own pinned Node.js (the package `node`), whatever the machine has.
NODE = CLIENTS / "node_modules" / ".bin" / "node"
BACKENDS = ("sqlite", "postgresql")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_service(name: str, check) -> None:
    """Skip when a local service is missing, with the reason; in CI, fail instead."""
    try:
        check()
    except Exception as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{name} is not reachable: {exc}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis server (TEST_REDIS_URL)."""

    def ping() -> None:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()

    require_service("Redis", ping)
    return REDIS_URL


@pytest.fixture(scope="session")
def speech_extra() -> None:
    """The local speech recogniser (the `speech` extra, which the `test` extra includes)."""

    def installed() -> None:
        if not speech_extra_installed():
            raise RuntimeError("run: pip install -e '.[speech]'")

    require_service("The local speech recogniser", installed)


@pytest.fixture(scope="session")
def browser() -> Browser:
    def installed() -> None:
        if not Path(CHROMIUM).exists():
            raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")

    require_service("Chromium", installed)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


#: What the fake microphone says (`microphone_browser`).
SPOKEN_ANSWER = "In my last role I led the billing migration"


@pytest.fixture(scope="session")
def spoken_wav_file(tmp_path_factory) -> Path:
    """SPOKEN_ANSWER said by espeak-ng, as the 16-bit PCM WAV Chromium's fake microphone plays."""
    from .audio_files import spoken_wav  # it needs this module's require_service

    path = tmp_path_factory.mktemp("microphone") / "answer.wav"
    path.write_bytes(spoken_wav(SPOKEN_ANSWER))
    return path


@pytest.fixture(scope="session")
def microphone_browser(browser: Browser, spoken_wav_file: Path) -> Iterator[Browser]:
    """A Chromium of its own whose microphone is allowed and says SPOKEN_ANSWER, over and over.

    Launched by the session's Playwright (`browser`'s), as one process runs one."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={spoken_wav_file}",
        ],
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def node_clients():
    def installed() -> None:
        if not NODE.is_file():
            raise RuntimeError("run: npm ci --prefix tests/clients")

    require_service("the pinned frontend clients", installed)
    return CLIENTS


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def upstream(fake_openai: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The fake upstream with default behaviour, reset after the test."""
    fake_openai.reset()
    yield fake_openai
    fake_openai.reset()


def _create_postgres_database() -> tuple[str, str]:
    name = f"interview_test_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database on each backend (created once per test run)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'interview.sqlite3'}"
        name = None
    else:
        name, url = _create_postgres_database()
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if name:
        _drop_postgres_database(name)


def base_environment(database_url: str, fake: FakeOpenAI, **overrides: str) -> dict[str, str]:
    """The environment of a test app or server: the fake upstream, fast heartbeats."""
    environ = {
        "DATABASE_URL": database_url,
        "OPENAI_API_KEY": "sk-test-" + uuid.uuid4().hex,
        "OPENAI_BASE_URL": fake.base_url,
        "INTERVIEW_PROVIDER": "openai",
        "INTERVIEW_STREAM_DELAY_MS": "0",
        "INTERVIEW_UPSTREAM_RETRIES": "0",
        "INTERVIEW_UPSTREAM_TIMEOUT_S": "5",
        "INTERVIEW_RATE_LIMIT": "off",
        "INTERVIEW_MAX_OPEN_STREAMS": "off",
        "INTERVIEW_MAX_EVENT_STREAMS": "off",
    }
    environ.update(overrides)
    return environ


#: The apps the running test made (`make_app`), whose generations it waits for.
_test_apps: list[Flask] = []


def wait_for_generations(timeout: float = 15.0) -> None:
    """Wait until no generation of the test's apps runs and their flushes are over."""
    deadline = time.monotonic() + timeout
    for app in _test_apps:
        runtime = runtime_of(app)
        while len(runtime.live) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not len(runtime.live), "a generation was still running after the test"
        # a flush that began before the last generation ended still holds a connection
        assert runtime.flusher.wait_stopped(max(1.0, deadline - time.monotonic()))


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.execute(delete(Feedback))
        db.session.execute(delete(Question))
        db.session.execute(delete(Transcription))
        db.session.execute(delete(SessionQuestion))
        db.session.execute(delete(InterviewSession))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url: str, upstream: FakeOpenAI) -> Iterator:
    """Build an app on this test's database with extra settings; emptied afterwards."""

    def make(**overrides: str) -> Flask:
        app = create_app(base_environment(database_url, upstream, **overrides))
        app.config["TESTING"] = True
        _test_apps.append(app)
        return app

    yield make
    try:
        wait_for_generations()
    finally:
        apps = list(_test_apps)
        _test_apps.clear()
    for app in apps:
        _empty_tables(app)


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture(scope="module")
def server_factory(database_url: str, fake_openai: FakeOpenAI, tmp_path_factory) -> Iterator:
    """Start real gunicorn + gevent servers on this module's database.

    `start(upstream=...)` points a server at another fake upstream than the shared one."""
    servers: list[GunicornServer] = []

    def start(upstream: FakeOpenAI | None = None, **overrides: str) -> GunicornServer:
        environ = base_environment(database_url, upstream or fake_openai, **overrides)
        server = GunicornServer(environ, tmp_path_factory.mktemp("server"))
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()
    _empty_tables(create_app({"DATABASE_URL": database_url}))
