"""`flask --app app config check`: the effective configuration, secrets masked, or the error."""

import subprocess
import sys

import pytest

from interview.cli.config_check import shown
from interview.config import load_config

from .servers import PROJECT_ROOT

OPENAI_KEY = "sk-proj-" + "Zq8" * 12 + "wxyz"
API_KEYS = "first-key-aaaaaaaaaaaa,second-key-bbbbbbbbbbb"
SECRET = "a-long-flask-secret-0123456789"


def config_check(tmp_path, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "config", "check"],
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
