"""gunicorn settings: gevent workers for many long-lived event streams.

Environment: PORT (8000), WEB_CONCURRENCY (workers, 1), GUNICORN_WORKER_CONNECTIONS
(2000), GUNICORN_GRACEFUL_TIMEOUT (120 s). A feedback stream lasts a minute or two,
so the graceful timeout leaves open streams time to finish on a restart.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = "gevent"
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
accesslog = "-"
# The path without its query string: an events URL's query carries a stream token.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def post_worker_init(worker):
    from interview.worker_hooks import on_worker_start

    on_worker_start(worker)


def worker_exit(server, worker):
    from interview.worker_hooks import on_worker_exit

    on_worker_exit(worker)
