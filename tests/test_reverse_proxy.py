"""The compose stack's serving path, without Docker: the real nginx with
deploy/nginx.conf in front of gunicorn started with the app environment of
docker-compose.yml (PostgreSQL migrated by the `migrate` command, Redis, two
workers, the proxy trusted), against the fake upstream. Only the addresses of
the compose network are swapped for this machine's services."""

import json
import secrets
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .compose_file import load_compose, read_env_file, service_environment
from .conftest import _create_postgres_database, _drop_postgres_database, require_service
from .servers import NGINX, PROJECT_ROOT, GunicornServer, NginxProxy
from .sse_client import read_stream

BODY = {
    "question": "Tell me about a time you resolved a conflict.",
    "answer": "Two teammates disagreed about a release; we agreed on a staged rollout.",
}
TEXT = "Paced through the proxy: forty chars!!!!"


@pytest.fixture(scope="module")
def nginx_available() -> None:
    def installed() -> None:
        if not Path(NGINX).exists():
            raise RuntimeError(f"{NGINX} is missing: apt-get install nginx-light")

    require_service("nginx", installed)


@pytest.fixture(scope="module")
def postgres_url() -> str:
    name, url = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


def compose_app_environment(fake, database_url: str, redis_url: str, spool: Path) -> dict:
    """The app's environment from docker-compose.yml, pointed at this machine's services."""
    variables = {
        **read_env_file(),
        "INTERVIEW_SECRET_KEY": secrets.token_hex(32),  # fresh rate-limit keys in Redis
        "POSTGRES_PASSWORD": "unused",
        "OPENAI_API_KEY": "sk-test-" + secrets.token_hex(8),
        "OPENAI_BASE_URL": fake.base_url,
        "INTERVIEW_RATE_LIMIT": "2/minute",
    }
    environment = service_environment(load_compose(variables), "app")
    local = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INTERVIEW_TRUSTED_PROXIES": "127.0.0.1",
        "INTERVIEW_SPOOL_DIR": str(spool),
    }
    assert local.keys() <= environment.keys()
    return {**environment, **local}


@pytest.fixture(scope="module")
def stack(nginx_available, postgres_url, redis_url, fake_openai, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("stack")
    environment = compose_app_environment(fake_openai, postgres_url, redis_url, workdir / "spool")
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrate.returncode == 0, migrate.stderr
    server = GunicornServer(environment, workdir)
    server.start()
    proxy = NginxProxy(server.port, workdir)
    try:
        proxy.start()
        yield server, proxy
    finally:
        proxy.stop()
        server.stop()


def post(url: str, client: str, headers: dict | None = None, **body) -> tuple[int, dict]:
    """POST a generation from loopback address `client`, asking for the 202."""
    response = read_stream(
        url,
        "POST",
        "/api/v1/feedback",
        {**BODY, **body},
        headers={"Accept": "application/json", **(headers or {})},
        source_address=(client, 0),
    )
    return response.status, json.loads(response.body or b"{}")


def test_the_app_runs_two_workers_and_answers_health_through_the_proxy(stack):
    server, proxy = stack
    assert len(server.worker_pids()) == 2
    with urllib.request.urlopen(proxy.url + "/healthz", timeout=5) as response:
        assert json.loads(response.read()) == {"status": "ok", "database": "ok"}


def test_nginx_accepts_the_config(stack):
    _, proxy = stack
    check = subprocess.run(proxy.command("-t"), capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr


def test_characters_arrive_paced_and_uncompressed_through_the_proxy(stack, upstream):
    _, proxy = stack
    upstream.configure(text=TEXT, chunk_chars=40)  # the whole text in one upstream chunk
    stream = read_stream(
        proxy.url,
        "POST",
        "/api/v1/feedback",
        {**BODY, "delay_ms": 30},
        headers={"Accept-Encoding": "gzip"},
        source_address=("127.0.0.5", 0),
    )

    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert "content-encoding" not in stream.headers
    deltas = stream.deltas()
    assert stream.text() == TEXT == stream.terminal().json()["feedback"]
    # A buffering proxy would hand over the 40 characters at once, at the end.
    ideal = (len(deltas) - 1) * 0.030
    assert ideal * 0.97 <= deltas[-1].at - deltas[0].at <= ideal * 1.25
    offsets = sorted(d.at - k * 0.030 for k, d in enumerate(deltas))
    assert offsets[len(offsets) // 2] - offsets[0] < 0.015


def test_a_background_generation_is_followed_through_the_proxy(stack, upstream):
    _, proxy = stack
    upstream.configure(text=TEXT, chunk_chars=3)
    status, accepted = post(proxy.url, "127.0.0.6", delay_ms=5)
    assert status == 202

    stream = read_stream(proxy.url, "GET", accepted["events_url"])
    assert stream.text() == TEXT
    assert stream.terminal().json()["status"] == "completed"


def test_the_rate_limit_counts_each_client_behind_the_proxy(stack, upstream):
    _, proxy = stack
    upstream.configure(text="ok")
    assert post(proxy.url, "127.0.0.2")[0] == 202
    assert post(proxy.url, "127.0.0.2")[0] == 202
    # A client cannot pose as another by sending its own X-Forwarded-For: nginx
    # appends the address it saw, and the app believes only the proxy's word.
    forged = {"X-Forwarded-For": "203.0.113.9"}
    status, problem = post(proxy.url, "127.0.0.2", headers=forged)
    assert status == 429, problem
    # Another client is counted on its own, not as the proxy's address.
    assert post(proxy.url, "127.0.0.3")[0] == 202


def test_nginx_cuts_off_a_body_that_stops_coming_before_the_app_sees_it(stack):
    server, proxy = stack
    posts_seen = server.log().count('"POST /api/v1/feedback')
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as sock:
        sock.sendall(
            b"POST /api/v1/feedback HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        answer = b""
        while chunk := sock.recv(65536):  # nginx closes it (past client_body_timeout)
            answer += chunk
    assert answer == b""  # nginx ends a timed-out request without an answer, logged as 408
    access_log = (proxy.workdir / "access.log").read_text().splitlines()
    assert any('"POST /api/v1/feedback HTTP/1.1" 408 ' in line for line in access_log)
    assert server.log().count('"POST /api/v1/feedback') == posts_seen
