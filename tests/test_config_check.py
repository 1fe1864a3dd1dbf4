"""`flask --app app config check`: the effective configuration, secrets masked, or the error."""

import re
import socket
import subprocess
import sys

import pytest
from sqlalchemy.exc import OperationalError

from interview.cli.config_check import shown
from interview.cli.connection_check import plain_reason
from interview.config import load_config

from .conftest import POSTGRES_ADMIN_URL
from .servers import PROJECT_ROOT, free_port

OPENAI_KEY = "sk-proj-" + "Zq8" * 12 + "wxyz"
API_KEYS = "first-key-aaaaaaaaaaaa,second-key-bbbbbbbbbbb"
SECRET = "a-long-flask-secret-0123456789"


def config_check(tmp_path, *options: str, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "config", "check", *options],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_good_configuration_is_printed_with_every_secret_masked(tmp_path):
    result = config_check(
        tmp_path,
        OPENAI_API_KEY=OPENAI_KEY,
        OPENAI_BASE_URL="https://llm.internal/v1",
        DATABASE_URL="postgresql://app:db-pass-123@db:5432/interview",
        REDIS_URL="redis://:redis-pass-456@cache:6379/0",
        INTERVIEW_API_KEYS=API_KEYS,
        INTERVIEW_SECRET_KEY=SECRET,
        INTERVIEW_STREAM_DELAY_MS="35",
        INTERVIEW_RATE_LIMIT="off",
    )

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    for secret in (OPENAI_KEY, "Zq8Zq8", "db-pass-123", "redis-pass-456", "first-key", SECRET):
        assert secret not in output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    expected = {name for name in load_config({}, str(tmp_path)) if name.startswith("INTERVIEW_")}
    assert expected <= set(lines)
    assert lines["OPENAI_API_KEY"].split()[1] == "sk-…wxyz"
    assert "postgresql+psycopg://app:***@db:5432/interview  (environment)" in lines["DATABASE_URL"]
    assert "redis://:***@cache:6379/0" in lines["REDIS_URL"]
    assert "https://llm.internal/v1" in lines["OPENAI_BASE_URL"]
    assert "set (2 keys)  (environment)" in lines["INTERVIEW_API_KEYS"]
    assert "set  (environment)" in lines["INTERVIEW_SECRET_KEY"]
    assert "35  (environment)" in lines["INTERVIEW_STREAM_DELAY_MS"]
    assert "off  (environment)" in lines["INTERVIEW_RATE_LIMIT"]
    assert "gpt-3.5-turbo  (default)" in lines["INTERVIEW_MODEL"]
    assert "off  (default)" in lines["INTERVIEW_PRACTICE_PAGES"]  # keys are set
    assert "configuration OK" in result.stderr


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"INTERVIEW_STREAM_DELAY_MS": "abc"}, "INTERVIEW_STREAM_DELAY_MS must be an integer"),
        ({"INTERVIEW_PROVIDER": "openai"}, "INTERVIEW_PROVIDER=openai needs OPENAI_API_KEY"),
        ({"INTERVIEW_BUILTIN_QUESTIONS": "maybe"}, "INTERVIEW_BUILTIN_QUESTIONS must be one of"),
    ],
)
def test_a_bad_value_is_reported_without_a_traceback(tmp_path, environ, message):
    result = config_check(tmp_path, **environ)

    assert result.returncode == 1
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("name", "value", "printed"),
    [
        ("OPENAI_API_KEY", "sk-short", "set"),
        ("INTERVIEW_API_KEYS", frozenset({"k" * 16}), "set (1 key)"),
        ("INTERVIEW_API_KEYS", frozenset(), "unset"),
        ("INTERVIEW_METRICS_TOKEN", "t0ken", "set"),
        ("INTERVIEW_EVENTS_TOKEN_TTL_S", 3600, "3600"),
        ("INTERVIEW_ABORT_ON_DISCONNECT", False, "off"),
        ("DATABASE_URL", "sqlite:////srv/i.db", "sqlite:////srv/i.db"),
        ("OPENAI_BASE_URL", "https://u:p@llm.example/v1", "https://u:***@llm.example/v1"),
    ],
)
def test_values_are_shown_without_secrets(name, value, printed):
    assert shown(name, value) == printed


def connect(tmp_path, **environ: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """`config check --connect`, and its connection lines by service."""
    result = config_check(tmp_path, "--connect", **environ)
    services = ("database", "redis", "upstream")
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    return result, {service: lines[service] for service in services if service in lines}


def upstream_environment(fake, **overrides: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": fake.base_url,
        "INTERVIEW_UPSTREAM_TIMEOUT_S": "1",
        **overrides,
    }


def answered(line: str, target: str, detail: str) -> bool:
    return re.fullmatch(rf"\w+ +{re.escape(target)}  ok in \d+ ms: {re.escape(detail)}", line)


def test_connect_says_each_configured_service_answered(tmp_path, upstream, redis_url):
    upstream.configure(api_key=OPENAI_KEY, models=("gpt-4o-mini", "gpt-3.5-turbo"))
    result, lines = connect(
        tmp_path,
        DATABASE_URL=POSTGRES_ADMIN_URL,
        REDIS_URL=redis_url,
        **upstream_environment(upstream),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    database = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://")
    assert answered(lines["database"], database, "SELECT 1 answered")
    assert answered(lines["redis"], redis_url, "PING answered")
    assert answered(
        lines["upstream"], upstream.base_url, "2 models listed, gpt-3.5-turbo among them"
    )
    assert upstream.requests[-1].path == "/v1/models"
    assert OPENAI_KEY not in result.stdout + result.stderr


def test_connect_without_redis_or_upstream_says_what_stands_in(tmp_path):
    result, lines = connect(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert answered(lines["database"], f"sqlite:///{tmp_path / 'x.db'}", "SELECT 1 answered")
    assert lines["redis"] == "redis     not configured, one-machine fallbacks"
    assert lines["upstream"] == "upstream  offline analysis, no upstream"


def test_an_upstream_without_a_models_list_passes_saying_so(tmp_path, upstream):
    upstream.configure(models=None)
    result, lines = connect(tmp_path, **upstream_environment(upstream))

    assert result.returncode == 0, result.stdout + result.stderr
    assert answered(
        lines["upstream"],
        upstream.base_url,
        "answered, but has no models list (HTTP 404): cannot tell whether gpt-3.5-turbo is served",
    )


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    ("failing", "environ", "reason"),
    [
        (
            "database",
            {"DATABASE_URL": "postgresql://postgres:db-pass-123@127.0.0.1:{closed}/test"},
            "connection refused",
        ),
        (
            "redis",
            {"REDIS_URL": "redis://:redis-pass-456@127.0.0.1:{closed}/0"},
            "connection refused",
        ),
        ("upstream", {"OPENAI_BASE_URL": "http://127.0.0.1:{closed}/v1"}, "connection refused"),
        ("upstream", {"OPENAI_BASE_URL": "http://127.0.0.1:{silent}/v1"}, "timeout"),
        (
            "upstream",
            {"OPENAI_API_KEY": "sk-wrong-" + "k" * 24},
            "authentication failed: the upstream refused the key (HTTP 401)",
        ),
        (
            "upstream",
            {"INTERVIEW_MODEL": "gpt-unknown"},
            "1 model listed, gpt-unknown (INTERVIEW_MODEL) not among them",
        ),
    ],
    ids=["database refused", "redis refused", "upstream refused", "timeout", "wrong key", "model"],
)
def test_connect_fails_naming_the_service_and_the_reason(
    tmp_path, upstream, redis_url, silent_port, failing, environ, reason
):
    upstream.configure(api_key=OPENAI_KEY)
    ports = {"closed": free_port(), "silent": silent_port}
    given = {name: value.format(**ports) for name, value in environ.items()}
    settings = {"REDIS_URL": redis_url, **upstream_environment(upstream), **given}
    result, lines = connect(tmp_path, **settings)

    assert result.returncode == 1
    assert re.search(rf"  FAILED after \d+ ms: {re.escape(reason)}$", lines[failing])
    assert [line for line in lines.values() if " ok in " in line] == [
        line for service, line in lines.items() if service != failing
    ]
    assert f"Error: {failing} failed the connection check" in result.stderr
    for secret in ("db-pass-123", "redis-pass-456", OPENAI_KEY, "sk-wrong-", "kkkkkkkk"):
        assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (TimeoutError("timed out"), "timeout"),
        (socket.gaierror(-2, "Name or service not known"), "host not found"),
        (
            OperationalError("", {}, Exception('failed: FATAL:  database "x" does not exist')),
            'database "x" does not exist',
        ),
        (
            OperationalError("", {}, Exception('FATAL:  password authentication failed for "u"')),
            "authentication failed",
        ),
    ],
)
def test_a_failure_is_said_in_plain_words(error, reason):
    assert plain_reason(error) == reason
