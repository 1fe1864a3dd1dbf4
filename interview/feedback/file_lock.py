"""An exclusive lock on a file, shared by every process of the host, waited for cooperatively.

`flock` is taken without blocking and retried with a short sleep, which gevent
makes cooperative: a worker's hub never waits on it. The lock belongs to the
open file, not to the process, so two greenlets of one worker exclude each
other as two processes do.
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

POLL_S = 0.002


@contextmanager
def exclusive_lock(path: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created 0600 if missing) for the `with` block."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(POLL_S)
        yield
    finally:
        os.close(descriptor)  # releases the lock
