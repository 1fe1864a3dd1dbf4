"""What a stream's upstream costs: the SDK's request and reading the whole answer.

    .venv/bin/python bench/upstream.py [--streams 400] [--rounds 3]

Starts ../shared/bench's fake upstream (the bench's 1,189-character answer,
about 300 chunks sent at once) and, under gevent as in a gunicorn worker,
opens N concurrent streams through the provider (`OpenAIChatProvider`) and
reads each to the end: once over the SDK's default transport (httpcore2 +
h11) and once over `GeventTransport` (geventhttpclient), the one a worker
uses. The fake runs on the last core, the streams on core 0. Prints CPU ms
per stream and the time to each stream's first piece.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interview.feedback.providers import openai_chat  # noqa: E402
from interview.feedback.providers.base import FeedbackInput  # noqa: E402

FAKE = ROOT.parent / "shared" / "bench" / "fake_openai.py"
PORT = 18565
REQUEST = FeedbackInput(
    question="What is the difference between a process and a thread?",
    answer="A process has its own memory; threads share memory inside a process.",
    role=None,
    metrics={},
    messages=[{"role": "user", "content": "Feedback, please."}],
)


def provider(gevent_transport: bool) -> openai_chat.OpenAIChatProvider:
    openai_chat.under_gevent = lambda: gevent_transport
    made = openai_chat.OpenAIChatProvider(
        api_key="sk-bench",
        base_url=f"http://127.0.0.1:{PORT}/v1",
        model="gpt-3.5-turbo",
        timeout_s=30,
        max_retries=0,
        max_retry_after_s=5,
        max_tokens=800,
        temperature=0.2,
        clients=openai_chat.UpstreamClients(),
    )
    made.warm_up()
    return made


def run(name: str, source: openai_chat.OpenAIChatProvider, streams: int) -> None:
    firsts: list[float] = []

    def one() -> int:
        started, characters = time.perf_counter(), 0
        for piece in source.open_stream(REQUEST):
            if not characters:
                firsts.append(time.perf_counter() - started)
            characters += len(piece)
        return characters

    for _ in range(20):  # connections and caches warm
        one()
    firsts.clear()
    cpu = time.process_time()
    greenlets = [gevent.spawn(one) for _ in range(streams)]
    gevent.joinall(greenlets, raise_error=True)
    cpu = time.process_time() - cpu
    firsts.sort()
    print(
        f"{name:28s} {streams} streams: {cpu / streams * 1000:5.2f} ms CPU per stream, "
        f"first piece p50 {firsts[len(firsts) // 2] * 1000:4.0f} / "
        f"p99 {firsts[int(len(firsts) * 0.99)] * 1000:4.0f} ms ({greenlets[0].value} characters)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    last_core = {os.cpu_count() - 1}
    fake = subprocess.Popen(  # on the last core; this process on the first
        [sys.executable, str(FAKE), "--port", str(PORT)],
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: os.sched_setaffinity(0, last_core),
    )
    os.sched_setaffinity(0, {0})
    try:
        time.sleep(1.0)
        for _ in range(args.rounds):
            run("SDK default (httpcore2+h11)", provider(False), args.streams)
            run("GeventTransport", provider(True), args.streams)
    finally:
        fake.terminate()


if __name__ == "__main__":
    main()
