"""The declared settings: each parsed or read elsewhere, defaults documented as they are."""

import os
import subprocess
import sys

import pytest

from interview.config import load_config
from interview.environment import SETTINGS, ConfigError, check_combinations, setting

from .servers import PROJECT_ROOT


def test_each_variable_is_declared_once_and_read_somewhere():
    names = [item.name for item in SETTINGS]
    assert len(names) == len(set(names))
    for item in SETTINGS:
        assert (item.parse is None) != (item.read_by is None), item.name


def test_load_config_returns_every_setting_it_parses(tmp_path):
    config = load_config({}, str(tmp_path))
    assert {item.config_key for item in SETTINGS if item.parse} <= set(config)


@pytest.mark.parametrize(
    "item",
    [item for item in SETTINGS if item.parse and item.default_text.startswith("`")],
    ids=lambda item: item.name,
)
def test_a_documented_default_value_is_the_default(item):
    documented = item.default_text.split("`")[1]
    if item.default is None:  # filled in by load_config from other settings
        assert item.parse(item.name, documented) is not None
    else:
        assert item.parse(item.name, documented) == item.default


@pytest.mark.parametrize(("raw", "expected"), [(None, "text"), (" ", "text"), (" JSON ", "json")])
def test_the_log_format_is_read_as_the_app_reads_it(raw, expected):
    environ = {} if raw is None else {"INTERVIEW_LOG_FORMAT": raw}
    assert setting("INTERVIEW_LOG_FORMAT").read(environ) == expected


def test_a_log_format_the_app_refuses_is_refused():
    with pytest.raises(ConfigError, match="INTERVIEW_LOG_FORMAT must be one of text, json"):
        setting("INTERVIEW_LOG_FORMAT").read({"INTERVIEW_LOG_FORMAT": "yaml"})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"INTERVIEW_PROVIDER": "openai"}, "INTERVIEW_PROVIDER=openai needs OPENAI_API_KEY"),
        ({"INTERVIEW_STREAM_DELAY_MS": "50", "INTERVIEW_MAX_DELAY_MS": "40"}, "between 0 and 40"),
        ({"INTERVIEW_API_KEYS": "k" * 16}, "INTERVIEW_API_KEYS is set but INTERVIEW_SECRET_KEY"),
        ({"INTERVIEW_API_KEYS": "k" * 16, "INTERVIEW_SECRET_KEY": " "}, "token_hex"),
    ],
)
def test_settings_that_do_not_go_together_are_refused(environ, message):
    with pytest.raises(ConfigError, match=message):
        check_combinations(environ)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"INTERVIEW_PROVIDER": "openai", "OPENAI_API_KEY": "sk-x"},
        {"INTERVIEW_STREAM_DELAY_MS": "40", "INTERVIEW_MAX_DELAY_MS": "40"},
        {"INTERVIEW_API_KEYS": "k" * 16, "INTERVIEW_SECRET_KEY": "s" * 32},
    ],
)
def test_settings_that_go_together_pass(environ):
    check_combinations(environ)


#: What gunicorn's arbiter may import of the package: the settings, the worker class, the
#: log format. Everything else of the app is imported by each worker, after gevent's patching.
ARBITER_MODULES = [
    "interview",
    "interview.environment",
    "interview.gevent_worker",
    "interview.gunicorn_config",
    "interview.observability",
    "interview.observability.logs",
]
APP_LIBRARIES = ("flask", "werkzeug", "sqlalchemy", "openai", "httpx", "limits", "orjson", "regex")


def gunicorn_conf(log_format: str, load: str) -> subprocess.CompletedProcess:
    script = (
        "import importlib, runpy, sys\n"
        f"conf = {load}\n"
        "imported = sorted(m for m in sys.modules if m.split('.')[0] == 'interview')\n"
        f"libraries = sorted(m for m in sys.modules if m.split('.')[0] in {APP_LIBRARIES})\n"
        "print(conf['json_logs'], conf['accesslog'], imported, libraries, sep='|')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env={"PATH": os.environ["PATH"], "INTERVIEW_LOG_FORMAT": log_format},
        capture_output=True,
        text=True,
        timeout=60,
    )


#: The checkout's gunicorn.conf.py, and the packaged module `-c python:` names.
LOADS = [
    "runpy.run_path('gunicorn.conf.py')",
    "vars(importlib.import_module('interview.gunicorn_config'))",
]


@pytest.mark.parametrize(
    "load", LOADS, ids=["gunicorn.conf.py", "python:interview.gunicorn_config"]
)
def test_gunicorn_reads_the_log_format_with_the_settings_parser_and_imports_no_app(load):
    for raw, json_logs, accesslog in ((" JSON ", "True", "None"), ("text", "False", "-")):
        result = gunicorn_conf(raw, load)
        assert result.stdout.split("|") == [json_logs, accesslog, str(ARBITER_MODULES), "[]\n"]
    refused = gunicorn_conf("yaml", load)
    assert refused.returncode != 0
    assert (
        refused.stderr == "interview: INTERVIEW_LOG_FORMAT must be one of text, json, got 'yaml'\n"
    )
