"""Cross-instance resume latency: reconnect elsewhere, time to the first missing character.

Starts the fake upstream and two gunicorn instances on one database (SQLite
file, or DATABASE_URL), with Redis (REDIS_URL, default the local one) or, with
--polling, without. For each run: POST (202) on A, read the first 40 characters
from B, hang up, reconnect to A with Last-Event-ID: 40, and time from the new
request to the first delta. Prints the latencies and checks the text is exact.

    .venv/bin/python bench/resume_latency.py [--runs 20] [--polling]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_openai import FakeOpenAI  # noqa: E402
from tests.servers import GunicornServer  # noqa: E402
from tests.sse_client import read_stream  # noqa: E402

TEXT = "".join(f"{i:03d} " for i in range(100))


def start_async(server) -> str:
    body = json.dumps({"question": "Why?", "answer": "Because it matters.", "delay_ms": 20})
    request = urllib.request.Request(
        server.url + "/api/v1/feedback",
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Prefer": "respond-async"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--polling", action="store_true", help="no Redis: followers poll")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="resume-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
    )
    with FakeOpenAI() as fake:
        fake.configure(text=TEXT, chunk_chars=8, chunk_delay_s=0.01)
        environ = {
            "DATABASE_URL": database_url,
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": fake.base_url,
            "INTERVIEW_PROVIDER": "openai",
        }
        if not args.polling:
            environ["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        a, b = GunicornServer(environ, workdir), GunicornServer(environ, workdir)
        a.start()
        b.start()
        latencies = []
        try:
            for _ in range(args.runs):
                feedback_id = start_async(a)
                path = f"/api/v1/feedback/{feedback_id}/events"
                first = read_stream(b.url, "GET", path, max_events=41)
                started = time.monotonic()
                rest = read_stream(a.url, "GET", path, headers={"Last-Event-ID": "40"})
                assert first.text() + rest.text() == TEXT, "text differs"
                assert rest.deltas()[0].id == "41"
                latencies.append((rest.deltas()[0].at - started) * 1000)
        finally:
            a.stop()
            b.stop()
    mode = "polling" if args.polling else "redis"
    print(
        f"{mode}: {args.runs} resumes, time to the first missing character "
        f"p50 {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
