"""Settings that do not go together stop gunicorn and `flask` with one plain line."""

import os
import subprocess
import sys
import time

import pytest

from .servers import PROJECT_ROOT, free_port

API_KEYS = "first-key-aaaaaaaaaaaa"
MISSING_SECRET = (
    "INTERVIEW_API_KEYS is set but INTERVIEW_SECRET_KEY is not: set INTERVIEW_SECRET_KEY to a "
    "long random value (python -c 'import secrets; print(secrets.token_hex(32))')"
)


def environment(tmp_path, **overrides: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "INTERVIEW_"))}
    return {
        **inherited,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        **overrides,
    }


def run(command: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=30
    )


def test_gunicorn_with_api_keys_and_no_secret_stops_before_any_worker(tmp_path):
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket"]
    started = time.monotonic()
    result = run([*gunicorn, "app:app"], environment(tmp_path, INTERVIEW_API_KEYS=API_KEYS))

    assert result.returncode == 1
    assert time.monotonic() - started < 10
    assert result.stderr.count(MISSING_SECRET) == 1
    assert result.stderr.startswith("interview: INTERVIEW_API_KEYS is set")
    assert "Traceback" not in result.stderr and "Booting worker" not in result.stderr


@pytest.mark.parametrize("command", [["feedback", "list"], ["db", "current"], ["config", "check"]])
def test_flask_with_api_keys_and_no_secret_says_so_in_one_line(tmp_path, command):
    flask = [sys.executable, "-m", "flask", "--app", "app", *command]
    result = run(flask, environment(tmp_path, INTERVIEW_API_KEYS=API_KEYS))

    assert result.returncode == 1
    assert result.stderr.count(MISSING_SECRET) == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_gunicorn_starts_when_the_secret_is_set_too(tmp_path):
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--check-config"]
    environ = environment(tmp_path, INTERVIEW_API_KEYS=API_KEYS, INTERVIEW_SECRET_KEY="s" * 32)
    result = run([*gunicorn, "app:app"], environ)

    assert result.returncode == 0, result.stderr
