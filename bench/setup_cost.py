"""What a stream costs apart from its characters: request, record, upstream, end.

    .venv/bin/python bench/setup_cost.py [--requests 150] [--rounds 7] [--text-file F]

Starts ../shared/bench's fake upstream (on the last core) with a 3-character
answer and, in this process (core 0, gevent patched as in a worker, SQLite in
a temporary folder), sends inline-stream requests one after another straight
to the WSGI app, each read to its `done`: the view with its validation and
answer metrics, the record's insert, the SDK's request through the worker's
transport, the final save, the request's hooks and log line. No HTTP server
and no concurrency: what it measures is the application's own work per
stream. Prints the CPU per request of each round of `--requests` requests.
With `--text-file` the upstream sends that text instead (the bench's 1,189
characters, say): the cost of reading a whole answer, unpaced, is added.

CPU time on a shared virtual machine moves by a third from one minute to the
next; for an A/B comparison count instructions instead, under valgrind, as the
difference between two request counts (the start-up cancels out):

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/setup_cost.py --requests 20 --rounds 1
    # and again with --requests 60: (Collected 60 - Collected 20) / 40
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from werkzeug.test import EnvironBuilder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAKE = ROOT.parent / "shared" / "bench" / "fake_openai.py"
PORT = 18566
BODY = json.dumps(
    {
        "question": "Tell me about a time you handled a conflict on your team.",
        "answer": "When I was at my last job, two engineers disagreed about the design. "
        "I set up a meeting, we compared the options and agreed on one; as a result "
        "we shipped on time.",
        "delay_ms": 0,
    }
).encode()


def start_fake(folder: str, text: str) -> subprocess.Popen:
    text_file = Path(folder) / "answer.txt"
    text_file.write_text(text)
    last_core = {os.cpu_count() - 1}
    return subprocess.Popen(
        [sys.executable, str(FAKE), "--port", str(PORT), "--text-file", str(text_file)],
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: os.sched_setaffinity(0, last_core),
    )


def make_app(folder: str):
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite",
        OPENAI_BASE_URL=f"http://127.0.0.1:{PORT}/v1",
        OPENAI_API_KEY="sk-bench",
        INTERVIEW_PROVIDER="openai",
        INTERVIEW_RATE_LIMIT="off",
        INTERVIEW_MAX_OPEN_STREAMS="off",
        INTERVIEW_LOG_FORMAT="json",
    )
    flask = Path(sys.executable).with_name("flask")
    upgrade = [flask, "--app", "app", "db", "upgrade"]
    subprocess.run(upgrade, cwd=ROOT, check=True, capture_output=True)
    from interview import create_app

    app = create_app()
    logging.getLogger().handlers[:] = [logging.NullHandler()]  # log records made, not written
    return app


def one_stream(app) -> bytes:
    environ = EnvironBuilder(
        path="/api/v1/feedback",
        method="POST",
        data=BODY,
        headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_environ()

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise RuntimeError(status)

    body = app(environ, start_response)
    try:
        return b"".join(body)
    finally:
        body.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--text-file", type=Path, help="the upstream's answer (default: 'Ok.')")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        fake = start_fake(folder, args.text_file.read_text() if args.text_file else "Ok.")
        os.sched_setaffinity(0, {0})
        try:
            app = make_app(folder)
            time.sleep(1.0)  # the fake is listening
            for _ in range(30):  # caches, the upstream connection
                streamed = one_stream(app)
            if b"event: done" not in streamed:
                raise RuntimeError(f"no done event: {streamed[-300:]!r}")
            for _ in range(args.rounds):
                started = time.process_time()
                for _ in range(args.requests):
                    one_stream(app)
                cpu_ms = (time.process_time() - started) / args.requests * 1000
                print(f"{args.requests} streams: {cpu_ms:.2f} ms CPU per stream")
        finally:
            fake.terminate()


if __name__ == "__main__":
    main()
