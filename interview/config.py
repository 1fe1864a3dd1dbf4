"""Configuration read from the environment (names and defaults: docs/configuration.md).

`load_config` walks the declared settings (environment.py), then applies the rules
that join several of them (`check_combinations`), and raises `ConfigError`, naming
the variable, for any value it cannot use, so a bad deploy stops at start-up with a
message that says what to fix.
"""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .environment import (
    DEFAULT_STREAM_DELAY_MS,
    SETTINGS,
    check_combinations,
    speech_extra_installed,
    sqlalchemy_url,
)
from .environment import ConfigError as ConfigError  # what load_config raises

MAX_REQUEST_BYTES = 1024 * 1024
POSTGRES_CONNECT_TIMEOUT_S = 5


def database_url(raw: str | None, instance_path: str) -> str:
    """Return the SQLAlchemy URL: SQLite in the instance folder unless one is given."""
    if not raw or not raw.strip():
        return _default_database_url(instance_path)
    return sqlalchemy_url("DATABASE_URL", raw)


def _default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'interview.sqlite3'}"


def _development_secret(instance_path: str) -> str:
    """A secret kept in the instance folder, so that every worker and restart shares it."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    candidate = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(candidate)
    return candidate


def engine_options(url: str) -> dict[str, Any]:
    """SQLAlchemy engine options for `url`.

    - hide_parameters: a database error in the log never carries what a user wrote;
    - on PostgreSQL, a pooled connection is tested before use (a restarted
      server leaves the pool's connections dead), and a connection attempt
      gives up after a few seconds, so a database that stops answering is
      reported (503, a retried save) rather than waited for until the
      operating system's TCP timeout. A SQLite connection is a file handle
      with no server to lose; testing it would cost a query per checkout.
    """
    options: dict[str, Any] = {"hide_parameters": True}
    if url.startswith("postgresql"):
        options["pool_pre_ping"] = True
        options["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    return options


def load_config(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Read every setting from `environ`, with defaults; raise ConfigError on a bad value."""
    config = {item.config_key: item.read(environ) for item in SETTINGS if item.parse}
    check_combinations(environ)

    if config["INTERVIEW_PROVIDER"] is None:
        config["INTERVIEW_PROVIDER"] = "openai" if config["OPENAI_API_KEY"] else "offline"
    config["INTERVIEW_TRANSCRIPTION_BASE_URL"] = (
        config["INTERVIEW_TRANSCRIPTION_BASE_URL"] or config["OPENAI_BASE_URL"]
    )
    config["INTERVIEW_TRANSCRIPTION_API_KEY"] = (
        config["INTERVIEW_TRANSCRIPTION_API_KEY"] or config["OPENAI_API_KEY"]
    )
    if config["INTERVIEW_TRANSCRIPTION_PROVIDER"] == "auto":
        config["INTERVIEW_TRANSCRIPTION_PROVIDER"] = _transcription_provider(config, environ)
    if config["INTERVIEW_STREAM_DELAY_MS"] is None:
        config["INTERVIEW_STREAM_DELAY_MS"] = min(
            DEFAULT_STREAM_DELAY_MS, config["INTERVIEW_MAX_DELAY_MS"]
        )

    api_keys = config["INTERVIEW_API_KEYS"]
    config["SECRET_KEY"] = config["SECRET_KEY"] or _development_secret(instance_path)
    if config["INTERVIEW_PRACTICE_PAGES"] is None:
        # whoever opens the pages can spend the model budget: with keys, only if asked for
        config["INTERVIEW_PRACTICE_PAGES"] = not api_keys

    url = config["SQLALCHEMY_DATABASE_URI"] or _default_database_url(instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = url
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url)
    config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    config["INTERVIEW_SPOOL_DIR"] = config["INTERVIEW_SPOOL_DIR"] or str(
        Path(instance_path) / "spool"
    )
    config["INTERVIEW_AUDIO_DIR"] = (
        str(Path(instance_path) / "audio") if config["INTERVIEW_KEEP_AUDIO"] else None
    )
    return config


def _transcription_provider(config: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """What `auto` means here: the upstream's (the chat's, or a speech server of its own),
    else the local recogniser if installed, else off."""
    if (
        config["INTERVIEW_PROVIDER"] == "openai"
        or environ.get("INTERVIEW_TRANSCRIPTION_BASE_URL", "").strip()
    ):
        return "openai"
    return "local" if speech_extra_installed() else "off"
