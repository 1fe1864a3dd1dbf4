"""gunicorn worker hooks (wired in gunicorn_config.py): housekeeping and graceful shutdown.

On SIGTERM (a deploy or a scale-down) gunicorn stops accepting and gives open
connections `graceful_timeout` seconds before the arbiter kills the worker.
Producers read what their upstream has sent at once, without pausing ahead of
the pace, and streams go on at their pace until SHUTDOWN_MARGIN_S before that kill. Then
pacing is released, so every open stream sends what it has at once, and
whatever is still generating is stopped and saved `interrupted` with its text
so far; every subscriber gets `done`, the connections close and the worker
exits on its own. Background generations (202) are waited for the same way
when the worker exits. A final save still waiting for an unreachable database
is spooled at once (`feedback/producer.py`), not retried past the exit.
"""

import gc
import signal
import time

import gevent

from .extensions import runtime_of
from .feedback.maintenance import interrupt_generations, start_maintenance, wait_for_generations
from .feedback.producer import read_everything_now, stop_save_retries
from .feedback.runtime import Runtime

SHUTDOWN_MARGIN_S = 5.0
# A full (generation 2) collection after 100 generation-1 collections, not
# CPython's 10: each walks every object the open streams hold, and with the
# default a ramp of 600 new streams made two in its first second and a half
# (36 and 84 ms pauses). Measured in docs/performance.md.
GC_THRESHOLDS = (700, 10, 100)


def on_worker_start(worker) -> None:
    """Warm up, start the housekeeping greenlet; plan the end of generations on SIGTERM."""
    runtime = runtime_of(worker.wsgi)
    # a stream holds one upstream connection while it paces
    runtime.upstream_clients.transport_pool_size = worker.cfg.worker_connections
    runtime.provider.warm_up()
    gc.freeze()  # the start-up heap is long-lived: keep it out of every collection
    gc.set_threshold(*GC_THRESHOLDS)
    start_maintenance(runtime)
    graceful_s = worker.cfg.graceful_timeout
    gunicorn_handler = signal.getsignal(signal.SIGTERM)

    def handle_term(signum, frame) -> None:
        gunicorn_handler(signum, frame)
        budget = max(0.0, graceful_s - SHUTDOWN_MARGIN_S)
        runtime.shutdown.deadline = time.monotonic() + budget
        gevent.spawn(read_everything_now, runtime)
        # The handler runs in the event loop, where nothing may block: schedule a greenlet.
        gevent.spawn_later(budget, end_open_streams, runtime)

    signal.signal(signal.SIGTERM, handle_term)


def end_open_streams(runtime: Runtime) -> None:
    """Send every open stream's remaining characters now; stop the running generations."""
    runtime.pacer.release()
    stop_save_retries(runtime)
    interrupt_generations(runtime.live)


def on_worker_exit(worker) -> None:
    """Let background generations finish in the time left, then save the rest as interrupted."""
    runtime = runtime_of(worker.wsgi)
    if runtime.shutdown.deadline is not None:
        wait_for_generations(runtime.live, runtime.shutdown.deadline)
    stop_save_retries(runtime)
    interrupt_generations(runtime.live, timeout=SHUTDOWN_MARGIN_S - 2)
