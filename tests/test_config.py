"""Configuration from the environment; a bad value stops start-up naming the variable."""

import subprocess
import sys

import pytest

from interview.config import ConfigError, database_url, load_config

from .servers import PROJECT_ROOT


def test_defaults_need_nothing_outside_the_machine(tmp_path):
    config = load_config({}, str(tmp_path))
    assert config["INTERVIEW_PROVIDER"] == "offline"
    assert config["INTERVIEW_MODEL"] == "gpt-3.5-turbo"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'interview.sqlite3'}"
    assert config["INTERVIEW_STREAM_DELAY_MS"] == 20
    assert config["INTERVIEW_MAX_DELAY_MS"] == 1000
    assert config["INTERVIEW_UPSTREAM_TIMEOUT_S"] == 30
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert config["REDIS_URL"] is None
    assert config["INTERVIEW_ABORT_ON_DISCONNECT"] is False
    assert config["INTERVIEW_STALE_AFTER_S"] == 60
    assert config["INTERVIEW_ANSWER_CHECK"] is True
    assert config["INTERVIEW_LOG_FORMAT"] == "text"
    assert config["INTERVIEW_METRICS_TOKEN"] is None
    assert config["INTERVIEW_TEMPERATURE"] == 0.2
    assert config["INTERVIEW_SEED"] is None
    assert len(config["SECRET_KEY"]) >= 32


def test_temperature_and_seed_are_read(tmp_path):
    config = load_config({"INTERVIEW_TEMPERATURE": "0", "INTERVIEW_SEED": "-7"}, str(tmp_path))
    assert (config["INTERVIEW_TEMPERATURE"], config["INTERVIEW_SEED"]) == (0.0, -7)


def test_a_key_selects_the_openai_provider(tmp_path):
    config = load_config({"OPENAI_API_KEY": "sk-x", "INTERVIEW_MODEL": "gpt-4o-mini"}, "/tmp")
    assert config["INTERVIEW_PROVIDER"] == "openai"
    assert config["INTERVIEW_MODEL"] == "gpt-4o-mini"
    forced = load_config({"OPENAI_API_KEY": "sk-x", "INTERVIEW_PROVIDER": "offline"}, "/tmp")
    assert forced["INTERVIEW_PROVIDER"] == "offline"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////var/x.db", "sqlite:////var/x.db"),
    ],
)
def test_database_urls(raw, expected):
    assert database_url(raw, "/tmp") == expected


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"INTERVIEW_STREAM_DELAY_MS": "abc"}, "INTERVIEW_STREAM_DELAY_MS"),
        ({"INTERVIEW_STREAM_DELAY_MS": "-5"}, "INTERVIEW_STREAM_DELAY_MS"),
        ({"INTERVIEW_STREAM_DELAY_MS": "2000"}, "INTERVIEW_STREAM_DELAY_MS"),
        ({"INTERVIEW_MAX_DELAY_MS": "1e3"}, "INTERVIEW_MAX_DELAY_MS"),
        ({"INTERVIEW_PROVIDER": "anthropic"}, "INTERVIEW_PROVIDER"),
        ({"INTERVIEW_PROVIDER": "openai"}, "OPENAI_API_KEY"),
        ({"INTERVIEW_UPSTREAM_TIMEOUT_S": "0"}, "INTERVIEW_UPSTREAM_TIMEOUT_S"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"INTERVIEW_ABORT_ON_DISCONNECT": "maybe"}, "INTERVIEW_ABORT_ON_DISCONNECT"),
        ({"INTERVIEW_STALE_AFTER_S": "-1"}, "INTERVIEW_STALE_AFTER_S"),
        ({"INTERVIEW_POLL_INTERVAL_S": "soon"}, "INTERVIEW_POLL_INTERVAL_S"),
        ({"INTERVIEW_ANSWER_CHECK": "maybe"}, "INTERVIEW_ANSWER_CHECK"),
        ({"INTERVIEW_PRACTICE_PAGES": "maybe"}, "INTERVIEW_PRACTICE_PAGES"),
        ({"INTERVIEW_LOG_FORMAT": "yaml"}, "INTERVIEW_LOG_FORMAT"),
        ({"INTERVIEW_METRICS_TOKEN": "short"}, "INTERVIEW_METRICS_TOKEN"),
        ({"INTERVIEW_TEMPERATURE": "2.5"}, "INTERVIEW_TEMPERATURE"),
        ({"INTERVIEW_TEMPERATURE": "-0.1"}, "INTERVIEW_TEMPERATURE"),
        ({"INTERVIEW_TEMPERATURE": "nan"}, "INTERVIEW_TEMPERATURE"),
        ({"INTERVIEW_TEMPERATURE": "warm"}, "INTERVIEW_TEMPERATURE"),
        ({"INTERVIEW_SEED": "1.5"}, "INTERVIEW_SEED"),
        ({"INTERVIEW_SEED": str(2**63)}, "INTERVIEW_SEED"),
        ({"INTERVIEW_METRICS_TOKEN": "a token with spaces in it"}, "INTERVIEW_METRICS_TOKEN"),
    ],
)
def test_invalid_values_name_the_variable(environ, variable):
    with pytest.raises(ConfigError, match=variable):
        load_config(environ, "/tmp")


def test_start_up_stops_with_the_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "INTERVIEW_STREAM_DELAY_MS": "abc",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "INTERVIEW_STREAM_DELAY_MS must be an integer, got 'abc'" in result.stderr


def test_database_errors_hide_parameters_and_postgres_connects_give_up():
    postgres = load_config({"DATABASE_URL": "postgres://db/x"}, "/tmp/interview-test-instance")
    options = postgres["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["hide_parameters"] is True
    assert options["connect_args"] == {"connect_timeout": 5}
    sqlite = load_config({}, "/tmp/interview-test-instance")["SQLALCHEMY_ENGINE_OPTIONS"]
    assert sqlite["hide_parameters"] is True and "connect_args" not in sqlite
