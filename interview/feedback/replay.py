"""Replaying a finished stored record: its deltas encoded once, written in large pieces.

Every delta of a finished record is due at once, so its events are the
opening, every delta in one run, and the end. Encoding the run costs a Python
step per character (about 10 ms for 20,000); a burst of replays of one record
would pay it each time. `ReplayCache` keeps the encoded run of the records
replayed last, within a byte budget per process, keyed by the encoder and the
text (so a record's run is never stale). A replay sends the run in pieces of
WRITE_BYTES and lets the other greenlets run between them: one replay of a
megabyte never holds the event loop, whatever the socket takes at once.
The bytes on the wire are those of the paced stream (`events.py`).
"""

import time
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from threading import Lock
from typing import Any

WRITE_BYTES = 64 * 1024
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class EncodedRun:
    """The delta events of a record, and where each starts (`offsets[n]`: after n deltas)."""

    data: bytes
    offsets: array

    def after(self, sent: int) -> memoryview:
        return memoryview(self.data)[self.offsets[sent] :]


def encode_run(characters: list[str], encoder: Any) -> EncodedRun:
    events = [encoder.delta(index, text) for index, text in enumerate(characters, start=1)]
    data = "".join(events).encode()
    offsets = array("Q", [0])
    position = 0
    for event in events:
        position += len(event) if event.isascii() else len(event.encode())
        offsets.append(position)
    return EncodedRun(data, offsets)


class ReplayCache:
    """The encoded runs of the records replayed last, newest kept, within `max_bytes`."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._runs: OrderedDict[tuple[str, str], EncodedRun] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def run(self, key: str, text: str, characters: list[str], encoder: Any) -> EncodedRun:
        """The encoded run of `characters` (the text's), encoded now unless cached."""
        with self._lock:
            cached = self._runs.get((key, text))
            if cached is not None:
                self._runs.move_to_end((key, text))
                return cached
        run = encode_run(characters, encoder)
        size = len(run.data) + len(run.offsets) * run.offsets.itemsize
        if size > self.max_bytes:
            return run
        with self._lock:
            if (key, text) not in self._runs:
                self._runs[(key, text)] = run
                self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._runs.popitem(last=False)
                self._bytes -= len(dropped.data) + len(dropped.offsets) * dropped.offsets.itemsize
        return run


def in_pieces(view: memoryview) -> Iterator[bytes]:
    """Yield `view` in pieces of WRITE_BYTES, letting other greenlets run between them."""
    for start in range(0, len(view), WRITE_BYTES):
        if start:
            time.sleep(0)  # cooperative under gevent
        yield bytes(view[start : start + WRITE_BYTES])
