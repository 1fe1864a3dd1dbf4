"""gunicorn settings: gevent workers for many long-lived event streams.

    gunicorn -c python:interview.gunicorn_config interview.wsgi:app

(in a checkout, `gunicorn -c gunicorn.conf.py app:app` reads these same settings).

Environment: HOST (127.0.0.1: this machine only; 0.0.0.0 to accept other machines, as
the Docker image does), PORT (8000), WEB_CONCURRENCY (workers, 1),
GUNICORN_WORKER_CONNECTIONS (2000), GUNICORN_GRACEFUL_TIMEOUT (120 s). A feedback
stream lasts a minute or two, so the graceful timeout leaves open streams time to
finish on a restart.

The arbiter imports this module and what it imports: none of it may import the app
(package `__init__` included, which imports nothing), so that every module of the app
is first imported in a worker, after gevent has patched it.

Metrics: the workers share PROMETHEUS_MULTIPROC_DIR. When it is not given, the
arbiter makes a fresh temporary directory before the first worker forks and
removes it on exit; a given one is emptied at start. A dead worker's live
gauges are dropped (`child_exit`), its counters stay.

Logs: with INTERVIEW_LOG_FORMAT=json the app writes one JSON line per request,
so gunicorn's access log is off and its own lines are JSON too; in text mode
the access log below is the request line.
"""

import glob
import os
import shutil
import sys
import tempfile

from interview.environment import ConfigError, check_combinations, setting
from interview.gevent_worker import StreamingGeventWorker
from interview.observability.logs import JsonFormatter

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
# gunicorn's gevent worker with a cheaper write per event (interview/gevent_worker.py).
worker_class = StreamingGeventWorker
# Each open stream holds one connection; one gevent worker paces hundreds of them.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "2000"))
# gevent workers notify the arbiter from their own loop, so a long stream never
# trips this; it only catches a worker whose event loop is stuck.
timeout = 60
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "120"))
keepalive = 5
# No preload: each worker imports the app after gevent has patched it, so the
# database driver and the OpenAI client's transport cooperate with the hub.
preload_app = False
# The app's own reading of the settings: a value it refuses, or two that do not go
# together, stop gunicorn here with one line naming them, before any worker starts.
try:
    check_combinations(os.environ)
    json_logs = setting("INTERVIEW_LOG_FORMAT").read(os.environ) == "json"
except ConfigError as exc:
    sys.exit(f"interview: {exc}")
accesslog = None if json_logs else "-"
# The path without its query string: an events URL's query carries a stream token.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


if json_logs:
    logconfig_dict = {
        "root": {"level": "WARNING", "handlers": []},  # the app adds its own (`logs.py`)
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "formatters": {"json": {"()": JsonFormatter}},
    }


_made_metrics_dir = []


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)  # an earlier run's values would be added to this one's
    else:
        directory = tempfile.mkdtemp(prefix="interview-metrics-")
        _made_metrics_dir.append(directory)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # inherited by the workers


def on_exit(server):
    for directory in _made_metrics_dir:
        shutil.rmtree(directory, ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    from interview.worker_hooks import on_worker_start

    on_worker_start(worker)


def worker_exit(server, worker):
    from interview.worker_hooks import on_worker_exit

    on_worker_exit(worker)
