"""`flask config check --connect`: try each configured service and say which answered.

One line a service, with the time taken: the database (`SELECT 1` through the
app's engine), Redis (PING) when REDIS_URL is set, and the upstream when the
provider is `openai` (its models list, through the openai SDK, and whether
INTERVIEW_MODEL is on it; a server without the list passes, saying so). A failure
is said in plain words (connection refused, timeout, authentication failed, ...);
keys and passwords are never printed, not even inside a message passed on.
"""

import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import openai
import redis
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..feedback.providers.openai_chat import OpenAI
from .masking import password_of, without_password

#: The longest wait for one service; the upstream's own timeout when shorter.
PROBE_TIMEOUT_S = 5.0
#: What servers without a models list answer `GET /models`.
NO_MODELS_LIST = frozenset({404, 405, 501})


@dataclass(frozen=True)
class Outcome:
    """What one service answered; `elapsed_s` is None when nothing was tried."""

    service: str
    detail: str
    ok: bool = True
    target: str = ""
    elapsed_s: float | None = None

    def line(self) -> str:
        if self.elapsed_s is None:
            return f"{self.service:<8}  {self.detail}"
        status = "ok in" if self.ok else "FAILED after"
        took = f"{self.elapsed_s * 1000:.0f} ms"
        return f"{self.service:<8}  {self.target}  {status} {took}: {self.detail}"


def check_connections(app: Flask) -> list[Outcome]:
    """Try the database, Redis and the upstream as `app` is configured to use them."""
    config = app.config
    hidden = [
        config["OPENAI_API_KEY"],
        *(password_of(config[name]) for name in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL")),
        password_of(config["OPENAI_BASE_URL"]),
    ]
    with app.app_context():
        database = _timed("database", db.engine.url.render_as_string(), _select_one, hidden)
    return [database, _check_redis(config, hidden), _check_upstream(config, hidden)]


def _check_redis(config: Mapping[str, Any], hidden: list) -> Outcome:
    if not config["REDIS_URL"]:
        return Outcome("redis", "not configured, one-machine fallbacks")
    return _timed("redis", config["REDIS_URL"], _pinger(config["REDIS_URL"]), hidden)


def _check_upstream(config: Mapping[str, Any], hidden: list) -> Outcome:
    if config["INTERVIEW_PROVIDER"] != "openai":
        return Outcome("upstream", "offline analysis, no upstream")
    client = OpenAI(
        api_key=config["OPENAI_API_KEY"],
        base_url=config["OPENAI_BASE_URL"],
        max_retries=0,
        timeout=min(config["INTERVIEW_UPSTREAM_TIMEOUT_S"], PROBE_TIMEOUT_S),
    )
    with client:
        list_models = _model_lister(client, config["INTERVIEW_MODEL"])
        return _timed("upstream", str(client.base_url), list_models, hidden)


def _timed(
    service: str, target: str, attempt: Callable[[], tuple[bool, str]], hidden: list
) -> Outcome:
    """Run `attempt`, timed; what it says is shown with the `hidden` values as `***`."""
    started = time.perf_counter()
    try:
        ok, detail = attempt()
    except Exception as exc:  # whatever stops a service from answering is the report
        ok, detail = False, plain_reason(exc)
    for secret in filter(None, hidden):
        detail = detail.replace(secret, "***")
    shown = without_password(target).rstrip("/")
    return Outcome(service, detail, ok, shown, time.perf_counter() - started)


def _select_one() -> tuple[bool, str]:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return True, "SELECT 1 answered"


def _pinger(url: str) -> Callable[[], tuple[bool, str]]:
    def ping() -> tuple[bool, str]:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=PROBE_TIMEOUT_S, socket_timeout=PROBE_TIMEOUT_S
        )
        try:
            client.ping()
        finally:
            client.close()
        return True, "PING answered"

    return ping


def _model_lister(client: OpenAI, model: str) -> Callable[[], tuple[bool, str]]:
    def list_models() -> tuple[bool, str]:
        try:
            listed = {item.id for item in client.models.list()}
        except openai.APIStatusError as exc:
            if exc.status_code not in NO_MODELS_LIST:
                raise
            return True, (
                f"answered, but has no models list (HTTP {exc.status_code}): "
                f"cannot tell whether {model} is served"
            )
        count = f"{len(listed)} model{'' if len(listed) == 1 else 's'} listed"
        if model in listed:
            return True, f"{count}, {model} among them"
        return False, f"{count}, {model} (INTERVIEW_MODEL) not among them"

    return list_models


def plain_reason(exc: BaseException) -> str:
    """Why a service did not answer, in a few plain words."""
    chain = list(_causes(exc))
    words = " ".join(str(error) for error in chain).lower()

    def raised(*kinds: type) -> bool:
        return any(isinstance(error, kinds) for error in chain)

    if raised(openai.AuthenticationError):
        return "authentication failed: the upstream refused the key (HTTP 401)"
    if raised(redis.AuthenticationError) or "authentication failed" in words:
        return "authentication failed"
    if raised(openai.PermissionDeniedError):
        return "permission denied: the key may not list models (HTTP 403)"
    if isinstance(exc, openai.APIStatusError):
        return f"the upstream answered HTTP {exc.status_code}"
    if raised(ConnectionRefusedError) or "connection refused" in words:
        return "connection refused"
    if raised(TimeoutError, openai.APITimeoutError, redis.TimeoutError) or _says_timeout(words):
        return "timeout"
    if raised(socket.gaierror) or "name or service not known" in words:
        return "host not found"
    return _first_words(exc.orig if isinstance(exc, DBAPIError) else exc)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _says_timeout(words: str) -> bool:
    return "timeout" in words or "timed out" in words


def _first_words(error: Any) -> str:
    """The message's first line; for a database server's refusal, what it said."""
    message = (str(error).strip() or type(error).__name__).splitlines()[0]
    return message.rsplit("FATAL:", 1)[-1].strip()
