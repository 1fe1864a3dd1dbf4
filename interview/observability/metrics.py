"""The service's Prometheus metrics, and the text a scrape reads.

Under gunicorn every worker writes its values to mmapped files in
PROMETHEUS_MULTIPROC_DIR (`interview/gunicorn_config.py` makes the directory before the
workers fork), and a scrape served by any worker adds up all of them. In a
single process without it (`flask run`, tests that use the app directly) the
process's own registry is read.

In multiprocess mode each update is a write to a mmapped file, so the hooks
update once per stream or per batch of characters, never per event.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

STREAM_STATUSES = ("completed", "failed", "interrupted")
#: 10 ms to 30 s: a model's first token, a candidate's first character.
WAIT_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)
REQUEST_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

streams_open = Gauge(
    "interview_streams_open",
    "Generations running now, in all workers.",
    multiprocess_mode="livesum",
)
streams_started = Counter("interview_streams_started", "Generations started.")
streams_ended = Counter("interview_streams_ended", "Generations ended, by status.", ["status"])
upstream_first_token_seconds = Histogram(
    "interview_upstream_first_token_seconds",
    "From the start of a generation to the model's first text.",
    buckets=WAIT_BUCKETS_S,
)
first_character_seconds = Histogram(
    "interview_first_character_seconds",
    "From the start of an event stream (not a resume) to its first character written.",
    buckets=WAIT_BUCKETS_S,
)
characters_sent = Counter(
    "interview_characters_sent", "Characters (grapheme clusters) written to clients."
)
upstream_errors = Counter(
    "interview_upstream_errors", "Generations failed by the model service, by error code.", ["code"]
)
request_seconds = Histogram(
    "interview_http_request_duration_seconds",
    "From a request's arrival to its response's headers, by route, method and status class.",
    ["route", "method", "status"],
    buckets=REQUEST_BUCKETS_S,
)

for _status in STREAM_STATUSES:  # present at 0 before the first stream ends
    streams_ended.labels(status=_status)


def exposition() -> tuple[bytes, str]:
    """Return the current values in Prometheus' text format, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
