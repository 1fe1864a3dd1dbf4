"""An exclusive lock on a file, shared by every process of the host, waited for cooperatively.

`flock` is taken without blocking and retried with a short sleep, which gevent
makes cooperative: a worker's hub never waits on it. The lock belongs to the
open file, not to the process, so two greenlets of one worker exclude each
other as two processes do.
"""

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

POLL_S = 0.002


def _open_0600(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def exclusive_lock(
    path: str | os.PathLike, *, wait: bool = True, opener: Callable[..., int] = _open_0600
) -> Iterator[bool]:
    """Hold an exclusive lock on `path` for the `with` block, yielding True.

    The file is opened (and created if missing) by `opener`, 0600 by default.
    Without `wait`, yield False at once when another holder has it.
    """
    descriptor = opener(path)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    yield False
                    return
                time.sleep(POLL_S)
        yield True
    finally:
        os.close(descriptor)  # releases the lock
