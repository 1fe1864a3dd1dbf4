"""CPU-bound work (decoding audio, recognising speech) kept off gevent's event loop."""

from collections.abc import Callable
from typing import Any, TypeVar

from .pacing import under_gevent

Result = TypeVar("Result")


def off_the_event_loop(function: Callable[..., Result], *args: Any) -> Result:
    """Run CPU-bound `function` in gevent's thread pool under gevent, else right here."""
    if not under_gevent():
        return function(*args)
    from gevent import get_hub  # only in a process gevent has patched

    return get_hub().threadpool.apply(function, args)
