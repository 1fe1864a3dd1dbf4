"""Micro-benchmarks of the per-character work: the delta encoder and the pacers.

    .venv/bin/python bench/micro.py [--streams 400] [--seconds 5]

- encoders: µs per `delta` event for the bench's 1,189-character text, split into
  graphemes as the producer does, in each protocol (native, AI SDK, OpenAI).
- pacers, under gevent as in a gunicorn worker: N greenlets each wait for a
  character due every 20 ms (start times spread over one delay), for a few
  seconds; CPU µs per wake-up and lateness (wake-up minus due time) for
  `Pacer` (one timer per wait) and `SharedPacer` (one timer for the process).
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interview.feedback.encoders import (  # noqa: E402
    AiSdkEncoder,
    NativeEncoder,
    OpenAIChunkEncoder,
)
from interview.feedback.graphemes import split_graphemes  # noqa: E402
from interview.feedback.pacing import Pacer, SharedPacer  # noqa: E402
from interview.schemas import feedback_schema  # noqa: E402

TEXT = (
    "Your answer shows real ownership of the incident 👏🏽: you name the symptom, the "
    'cause and what you changed. To make it land, lead with the outcome ("we cut '
    'checkout errors from 4% to 0.2%"), then walk through Situation, Task, Action, '
    'Result in that order. Cut the filler words (you said "basically" five times) and '
    "close with what you would do differently — naïve retries were the root cause. "
) * 3


def bench_encoder(rounds: int) -> None:
    characters = split_graphemes(TEXT)
    encoders = (
        ("NativeEncoder", NativeEncoder(feedback_schema.dump)),
        ("AiSdkEncoder", AiSdkEncoder("AbCdEfGhIjKlMnOpQrStUv", feedback_schema.dump)),
        ("OpenAIChunkEncoder", OpenAIChunkEncoder("AbCdEfGhIjKlMnOpQrStUv", "gpt-4o-mini", True)),
    )
    for name, encoder in encoders:
        encode = encoder.delta
        started = time.perf_counter()
        for _ in range(rounds):
            for index, character in enumerate(characters, 1):
                encode(index, character)
        per_event_us = (time.perf_counter() - started) / (rounds * len(characters)) * 1e6
        print(f"{name:22s} {per_event_us:6.2f} µs per event ({len(characters)} characters)")


def bench_pacer(name: str, pacer, streams: int, seconds: float, delay_s: float) -> None:
    lateness: list[float] = []
    start = time.monotonic() + 0.2

    def stream(offset: float) -> None:
        due = start + offset
        while due < start + seconds:
            pacer.wait_until(due)
            lateness.append(time.monotonic() - due)
            due += delay_s

    greenlets = [gevent.spawn(stream, delay_s * i / streams) for i in range(streams)]
    cpu = time.process_time()
    gevent.joinall(greenlets)
    cpu = time.process_time() - cpu
    late_ms = sorted(x * 1000 for x in lateness)
    p99 = late_ms[int(len(late_ms) * 0.99)]
    print(
        f"{name:12s} {streams} streams: {cpu / len(lateness) * 1e6:5.1f} µs CPU per wake-up, "
        f"lateness p50 {statistics.median(late_ms):.2f} / p99 {p99:.2f} / max {late_ms[-1]:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    bench_encoder(args.rounds)
    bench_pacer("Pacer", Pacer(), args.streams, args.seconds, 0.02)
    bench_pacer("SharedPacer", SharedPacer(), args.streams, args.seconds, 0.02)


if __name__ == "__main__":
    main()
