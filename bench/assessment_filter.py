"""Time the assessment block filter: model text in pieces of several sizes, and a flood.

    .venv/bin/python bench/assessment_filter.py

- pieces: M characters a second and µs per piece for a 22,000-character text
  with brackets (near-markers) in pieces of 1, 4 and 64 characters, then the
  block, as `producer.py` feeds it;
- flood: ms for 10,000 and 100,000 spaces one at a time (the filter holds
  trailing whitespace): linear time shows as ten times the time for ten times
  the text.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interview.feedback.assessment_block import (  # noqa: E402
    AssessmentBlockFilter,
    block_markers,
)

NONCE = "0123456789ab"
PROSE = "Good answer, with [[brackets]] and  spaces.\n" * 500
START, END = block_markers(NONCE)
TEXT = f'{PROSE}\n{START}\n{{"question_kind": "other"}}\n{END}'


def bench_pieces(size: int) -> None:
    pieces = [TEXT[i : i + size] for i in range(0, len(TEXT), size)]
    block_filter = AssessmentBlockFilter(NONCE)
    started = time.perf_counter()
    prose = "".join(block_filter.feed(piece) for piece in pieces) + block_filter.flush()
    took = time.perf_counter() - started
    assert prose == PROSE.rstrip() and block_filter.block is not None
    print(
        f"pieces of {size:>2}: {len(TEXT) / took / 1e6:5.2f} M characters/s, "
        f"{took * 1e6 / len(pieces):.2f} µs a piece"
    )


def bench_flood(count: int) -> None:
    block_filter = AssessmentBlockFilter(NONCE)
    started = time.perf_counter()
    for _ in range(count):
        block_filter.feed(" ")
    print(f"{count:>7} spaces one at a time: {(time.perf_counter() - started) * 1e3:.1f} ms")


if __name__ == "__main__":
    for size in (1, 4, 64):
        bench_pieces(size)
    for count in (10_000, 100_000):
        bench_flood(count)
