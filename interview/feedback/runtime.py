"""What the domain works with: one `Runtime` per application, built by `create_app`.

The runtime holds the settings the domain reads, the provider and its
upstream clients, the bus, and the state of the process's streams: the pacer,
the replay cache, the registry of live generations, the progress flusher and
the worker's shutdown (`Shutdown`, set by the worker hooks). Nothing of it
lives at module level, so two applications built in one process (tests build
several) never share a registry or a pacer. In a gunicorn worker the
application is built once, after gevent has patched the process, so the
runtime is the worker's own.

Background work (producers, the flusher, the housekeeping, a follower's
reload) opens the database through `database_context`, the one door to the
application's context; the domain never sees the Flask app.
"""

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from .bus import NullBus, RedisBus, bus_from_config
from .live import LiveGenerations
from .pacing import Pacer, SharedPacer, process_pacer
from .progress import ProgressFlusher
from .providers import (
    FeedbackProvider,
    Transcriber,
    UpstreamClients,
    provider_from_config,
    transcriber_from_config,
)
from .replay import ReplayCache


@dataclass(frozen=True)
class Settings:
    """The configuration values the domain reads (see `config.py` for each)."""

    stream_delay_ms: int
    max_open_streams: int | None
    spool_dir: str
    poll_interval_s: float
    heartbeat_s: float
    abort_on_disconnect: bool
    stale_after_s: float
    save_retry_s: float
    retention_days: int | None
    transcription_max_seconds: int
    #: where recordings are kept (INTERVIEW_KEEP_AUDIO); None: never stored
    audio_dir: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Settings":
        return cls(
            stream_delay_ms=config["INTERVIEW_STREAM_DELAY_MS"],
            max_open_streams=config["INTERVIEW_MAX_OPEN_STREAMS"],
            spool_dir=config["INTERVIEW_SPOOL_DIR"],
            poll_interval_s=config["INTERVIEW_POLL_INTERVAL_S"],
            heartbeat_s=config["INTERVIEW_HEARTBEAT_S"],
            abort_on_disconnect=config["INTERVIEW_ABORT_ON_DISCONNECT"],
            stale_after_s=config["INTERVIEW_STALE_AFTER_S"],
            save_retry_s=config["INTERVIEW_SAVE_RETRY_S"],
            retention_days=config["INTERVIEW_RETENTION_DAYS"],
            transcription_max_seconds=config["INTERVIEW_TRANSCRIPTION_MAX_SECONDS"],
            audio_dir=config["INTERVIEW_AUDIO_DIR"],
        )


class Shutdown:
    """How far the worker's shutdown has come; set by the worker hooks (`worker_hooks.py`)."""

    def __init__(self) -> None:
        #: producers read their upstream to the end without pausing (`producer.py`)
        self.stopping = threading.Event()
        #: a save waiting for the database is spooled at once (`producer.py`)
        self.exiting = threading.Event()
        #: when the open streams are ended (monotonic), once SIGTERM has come
        self.deadline: float | None = None


class Runtime:
    """The domain's dependencies and the state of this application's streams."""

    def __init__(
        self,
        settings: Settings,
        provider: FeedbackProvider,
        bus: RedisBus | NullBus,
        upstream_clients: UpstreamClients,
        database_context: Callable[[], AbstractContextManager[Any]],
        transcriber: Transcriber | None = None,
    ) -> None:
        self.settings = settings
        self.provider = provider
        #: the speech-to-text (the upstream's or the local one); None where there is none
        self.transcriber = transcriber
        self.bus = bus
        #: the OpenAI clients of `provider` (and of any provider made for the eval)
        self.upstream_clients = upstream_clients
        self._database_context = database_context
        self.pacer: Pacer | SharedPacer = process_pacer()
        self.replays = ReplayCache()  # what this process's replays have encoded
        self.live = LiveGenerations()
        self.flusher = ProgressFlusher(bus, self.database_context)
        self.shutdown = Shutdown()

    def database_context(self) -> AbstractContextManager[Any]:
        """Open the database for work outside a request (the application's context)."""
        return self._database_context()


def build_runtime(
    config: Mapping[str, Any], database_context: Callable[[], AbstractContextManager[Any]]
) -> Runtime:
    """Build the runtime the configuration describes; `database_context` opens the database."""
    upstream_clients = UpstreamClients()
    return Runtime(
        Settings.from_config(config),
        provider_from_config(config, upstream_clients),
        bus_from_config(config["REDIS_URL"]),
        upstream_clients,
        database_context,
        transcriber_from_config(config, upstream_clients),
    )
