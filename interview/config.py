"""Configuration read from the environment (names and defaults: ../shared/CONTRACT.md).

`load_config` turns the environment into a plain dict of typed settings and raises
`ConfigError`, naming the variable, for any value it cannot use, so a bad deploy
stops at start-up with a message that says what to fix.
"""

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

PROVIDERS = ("openai", "offline")
LOG_FORMATS = ("text", "json")
DEFAULT_MODEL = "gpt-3.5-turbo"
#: 20 ms per character is about 50 characters a second: a little faster than
#: people read, slow enough to feel typed.
DEFAULT_STREAM_DELAY_MS = 20
#: Low, so the same answer gets the same judgement from one attempt to the next
#: (the API's own default is 1.0); not 0, which some servers treat as greedy
#: decoding that loops on repeated phrases.
DEFAULT_TEMPERATURE = 0.2
DEFAULT_MAX_DELAY_MS = 1000
MAX_REQUEST_BYTES = 1024 * 1024
POSTGRES_CONNECT_TIMEOUT_S = 5
#: Generation requests per caller: generous for a person practising, a brake on a script.
DEFAULT_RATE_LIMIT = "20/minute"
#: Generations running at once per caller.
DEFAULT_MAX_OPEN_STREAMS = 5
#: Event streams (replays and followers) open at once per caller, per worker:
#: a page follows one record, a few tabs a few.
DEFAULT_MAX_EVENT_STREAMS = 10


class ConfigError(ValueError):
    """A setting in the environment has a value the service cannot use."""


def _integer(name: str, raw: str, minimum: int, maximum: int | None = None) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ConfigError(f"{name} must be {bounds}, got {value}")
    return value


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}")
    return value


def _temperature(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not 0 <= value <= 2:
        raise ConfigError(f"{name} must be between 0 and 2, got {raw!r}")
    return value


def _boolean(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _redis_url(name: str, raw: str) -> str:
    url = raw.strip()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{name} must be a redis:// or rediss:// URL, got {url!r}")
    return url


def _origins(name: str, raw: str) -> frozenset[str]:
    origins = frozenset(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if origin == "*" or not origin.startswith(("http://", "https://")):
            raise ConfigError(
                f"{name} must list origins such as https://app.example, got {origin!r}"
            )
    return origins


def _keys(name: str, raw: str) -> frozenset[str]:
    keys = frozenset(part.strip() for part in raw.split(",") if part.strip())
    if any(len(key) < 16 for key in keys):
        raise ConfigError(f"{name}: each key must be at least 16 characters long")
    return keys


def _metrics_token(name: str, raw: str) -> str:
    token = raw.strip()
    if len(token) < 16 or not token.isascii() or not token.isprintable() or " " in token:
        raise ConfigError(f"{name} must be at least 16 printable ASCII characters without spaces")
    return token


def _rate_limit(name: str, raw: str) -> str | None:
    """A Flask-Limiter rate string such as `20/minute` or `5/minute;100/day`; `off` is None."""
    from limits import parse_many

    value = raw.strip()
    if value.lower() == "off":
        return None
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be a rate such as 20/minute, or off, got {raw!r}") from None
    return value


def _open_streams(name: str, raw: str) -> int | None:
    if raw.strip().lower() == "off":
        return None
    return _integer(name, raw, 1, 100_000)


def _networks(name: str, raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError:
        raise ConfigError(
            f"{name} must list proxy addresses or networks such as 10.0.0.0/8, got {raw!r}"
        ) from None


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def _on_off(name: str, raw: str) -> bool:
    return _choice(name, raw, ("on", "off")) == "on"


def database_url(raw: str | None, instance_path: str) -> str:
    """Return the SQLAlchemy URL: SQLite in the instance folder unless one is given.

    `postgres://` (Heroku style) and `postgresql://` both select psycopg 3.
    """
    if not raw or not raw.strip():
        return f"sqlite:///{Path(instance_path) / 'interview.sqlite3'}"
    url = raw.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if "://" not in url:
        raise ConfigError(f"DATABASE_URL must be a database URL, got {url!r}")
    return url


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

    def read(name: str, default: Any, parse: Callable[[str, str], Any]) -> Any:
        raw = environ.get(name)
        return default if raw is None or raw.strip() == "" else parse(name, raw)

    api_key = environ.get("OPENAI_API_KEY", "").strip() or None
    provider = read(
        "INTERVIEW_PROVIDER",
        "openai" if api_key else "offline",
        lambda name, raw: _choice(name, raw, PROVIDERS),
    )
    if provider == "openai" and not api_key:
        raise ConfigError("INTERVIEW_PROVIDER=openai needs OPENAI_API_KEY to be set")
    max_delay_ms = read(
        "INTERVIEW_MAX_DELAY_MS", DEFAULT_MAX_DELAY_MS, lambda n, r: _integer(n, r, 0, 60_000)
    )
    stream_delay_ms = read(
        "INTERVIEW_STREAM_DELAY_MS",
        min(DEFAULT_STREAM_DELAY_MS, max_delay_ms),
        lambda n, r: _integer(n, r, 0, max_delay_ms),
    )
    url = database_url(environ.get("DATABASE_URL"), instance_path)
    api_keys = read("INTERVIEW_API_KEYS", frozenset(), _keys)
    secret_key = environ.get("INTERVIEW_SECRET_KEY", "").strip()
    if api_keys and not secret_key:
        raise ConfigError(
            "INTERVIEW_API_KEYS needs INTERVIEW_SECRET_KEY too: owners and stream tokens are "
            "derived from it and must stay the same across restarts"
        )
    return {
        "SECRET_KEY": secret_key or _development_secret(instance_path),
        "INTERVIEW_API_KEYS": api_keys,
        # whoever opens the pages can spend the model budget: with keys, only if asked for
        "INTERVIEW_PRACTICE_PAGES": read("INTERVIEW_PRACTICE_PAGES", not api_keys, _on_off),
        "INTERVIEW_EVENTS_TOKEN_TTL_S": read(
            "INTERVIEW_EVENTS_TOKEN_TTL_S", 3600, lambda n, r: _integer(n, r, 1, 7 * 86400)
        ),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "INTERVIEW_PROVIDER": provider,
        "OPENAI_API_KEY": api_key,
        "OPENAI_BASE_URL": environ.get("OPENAI_BASE_URL", "").strip() or None,
        "INTERVIEW_MODEL": environ.get("INTERVIEW_MODEL", "").strip() or DEFAULT_MODEL,
        "INTERVIEW_STREAM_DELAY_MS": stream_delay_ms,
        "INTERVIEW_MAX_DELAY_MS": max_delay_ms,
        "INTERVIEW_UPSTREAM_TIMEOUT_S": read("INTERVIEW_UPSTREAM_TIMEOUT_S", 30.0, _seconds),
        "INTERVIEW_UPSTREAM_RETRIES": read(
            "INTERVIEW_UPSTREAM_RETRIES", 2, lambda n, r: _integer(n, r, 0, 10)
        ),
        "INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S": read(
            "INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S", 10.0, _seconds
        ),
        "INTERVIEW_MAX_TOKENS": read(
            "INTERVIEW_MAX_TOKENS", 1200, lambda n, r: _integer(n, r, 16, 32_000)
        ),
        "INTERVIEW_TEMPERATURE": read("INTERVIEW_TEMPERATURE", DEFAULT_TEMPERATURE, _temperature),
        "INTERVIEW_SEED": read(
            "INTERVIEW_SEED", None, lambda n, r: _integer(n, r, -(2**63), 2**63 - 1)
        ),
        "INTERVIEW_HEARTBEAT_S": read("INTERVIEW_HEARTBEAT_S", 15.0, _seconds),
        "REDIS_URL": read("REDIS_URL", None, _redis_url),
        "INTERVIEW_ABORT_ON_DISCONNECT": read("INTERVIEW_ABORT_ON_DISCONNECT", False, _boolean),
        "INTERVIEW_STALE_AFTER_S": read("INTERVIEW_STALE_AFTER_S", 60.0, _seconds),
        "INTERVIEW_POLL_INTERVAL_S": read("INTERVIEW_POLL_INTERVAL_S", 0.25, _seconds),
        "INTERVIEW_SAVE_RETRY_S": read("INTERVIEW_SAVE_RETRY_S", 10.0, _seconds),
        "INTERVIEW_SPOOL_DIR": environ.get("INTERVIEW_SPOOL_DIR", "").strip()
        or str(Path(instance_path) / "spool"),
        "INTERVIEW_CORS_ORIGINS": read("INTERVIEW_CORS_ORIGINS", frozenset(), _origins),
        "INTERVIEW_ANSWER_CHECK": read("INTERVIEW_ANSWER_CHECK", True, _on_off),
        "INTERVIEW_BUILTIN_QUESTIONS": read("INTERVIEW_BUILTIN_QUESTIONS", True, _on_off),
        "INTERVIEW_RATE_LIMIT": read("INTERVIEW_RATE_LIMIT", DEFAULT_RATE_LIMIT, _rate_limit),
        "INTERVIEW_MAX_OPEN_STREAMS": read(
            "INTERVIEW_MAX_OPEN_STREAMS", DEFAULT_MAX_OPEN_STREAMS, _open_streams
        ),
        "INTERVIEW_MAX_EVENT_STREAMS": read(
            "INTERVIEW_MAX_EVENT_STREAMS", DEFAULT_MAX_EVENT_STREAMS, _open_streams
        ),
        "INTERVIEW_TRUSTED_PROXIES": read("INTERVIEW_TRUSTED_PROXIES", (), _networks),
        "INTERVIEW_LOG_FORMAT": read(
            "INTERVIEW_LOG_FORMAT", "text", lambda n, r: _choice(n, r, LOG_FORMATS)
        ),
        "INTERVIEW_METRICS_TOKEN": read("INTERVIEW_METRICS_TOKEN", None, _metrics_token),
        "INTERVIEW_RETENTION_DAYS": read(
            "INTERVIEW_RETENTION_DAYS", None, lambda n, r: _integer(n, r, 1, 100_000)
        ),
    }
