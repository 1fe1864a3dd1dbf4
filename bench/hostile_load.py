"""Three hostile loads on a real gunicorn, each bounded in time, on loopback.

- `replays`: one finished record of 21,212 characters; the workers' CPU and
  peak memory per `GET .../events` (sequential), then N replays released at
  once while /healthz is timed every 50 ms.
- `slow-bodies`: N connections each announcing `Content-Length: 100000` and
  sending one byte every 2 s, for a fixed time, while /healthz is timed.
- `marks`: the model sends one letter and M combining marks in small chunks;
  the generation's time, its stored length, and the /healthz stall.

    .venv/bin/python bench/hostile_load.py replays [--replays 200] [--workers 2]
    .venv/bin/python bench/hostile_load.py slow-bodies [--connections 2100] [--seconds 30]
    .venv/bin/python bench/hostile_load.py marks [--marks 1000000]
    .venv/bin/python bench/hostile_load.py split   # GraphemeSplitter alone, in process

Extra settings of the server go in the environment as INTERVIEW_* variables.
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_openai import FakeOpenAI  # noqa: E402
from tests.servers import GunicornServer  # noqa: E402

BODY = {"question": "Tell me about a conflict.", "answer": "We agreed on a staged rollout."}


def start_server(workdir: Path, fake: FakeOpenAI, workers: int) -> GunicornServer:
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
    )
    environ = {
        "DATABASE_URL": database_url,
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": fake.base_url,
        "INTERVIEW_PROVIDER": "openai",
        "INTERVIEW_STREAM_DELAY_MS": "0",
        "INTERVIEW_RATE_LIMIT": "off",
        "INTERVIEW_MAX_OPEN_STREAMS": "off",
        "WEB_CONCURRENCY": str(workers),
        **{k: v for k, v in os.environ.items() if k.startswith("INTERVIEW_")},
    }
    server = GunicornServer(environ, workdir)
    server.start()
    return server


def create_record(server: GunicornServer, timeout: float = 120) -> dict:
    request = urllib.request.Request(
        server.url + "/api/v1/feedback",
        data=json.dumps(BODY).encode(),
        headers={"Content-Type": "application/json", "Prefer": "respond-async"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        feedback_id = json.loads(response.read())["id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{server.url}/api/v1/feedback/{feedback_id}") as response:
            record = json.loads(response.read())
        if record["status"] != "streaming":
            return record
        time.sleep(0.1)
    raise RuntimeError("the record did not finish")


def cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total


class HealthProbe:
    """Times GET /healthz every `interval_s` on a new connection, until stopped."""

    def __init__(self, url: str, interval_s: float = 0.05, timeout_s: float = 5.0) -> None:
        self.url, self.interval_s, self.timeout_s = url + "/healthz", interval_s, timeout_s
        self.latencies: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=self.timeout_s) as response:
                    response.read()
                self.latencies.append(time.monotonic() - started)
            except OSError:
                self.failures += 1
                self.latencies.append(time.monotonic() - started)
            self._stop.wait(self.interval_s)

    def summary(self) -> str:
        values = sorted(self.latencies) or [0.0]
        p50 = values[len(values) // 2]
        return (
            f"/healthz: {len(values)} probes, p50 {p50 * 1000:.1f} ms, "
            f"max {values[-1] * 1000:.1f} ms, failed or timed out {self.failures}"
        )


def replays(args) -> None:
    text = ("Paced feedback, résumé naïve 👍🏽, with a clear example. " * 400)[:21_212]
    workdir = Path(tempfile.mkdtemp(prefix="replays-"))
    with FakeOpenAI() as fake:
        fake.configure(text=text, chunk_chars=200)
        server = start_server(workdir, fake, args.workers)
        try:
            record = create_record(server)
            url = f"{server.url}/api/v1/feedback/{record['id']}/events"
            pids = server.worker_pids()
            with urllib.request.urlopen(url) as response:
                size = len(response.read())
            before_cpu, before_rss = cpu_s(pids), rss_kb(pids)
            for _ in range(args.sequential):
                with urllib.request.urlopen(url) as response:
                    response.read()
            spent = (cpu_s(pids) - before_cpu) / args.sequential
            print(f"record: {len(record['feedback'])} code points, replay {size} bytes")
            print(f"sequential: {spent * 1000:.1f} ms worker CPU per replay")
            print(f"workers' peak RSS {before_rss} -> {rss_kb(pids)} KB")
            statuses: dict[int, int] = {}
            gate = threading.Barrier(args.replays + 1)

            def replay() -> None:
                gate.wait()
                try:
                    with urllib.request.urlopen(url, timeout=60) as response:
                        response.read()
                        status = response.status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                except OSError:
                    status = 0
                statuses[status] = statuses.get(status, 0) + 1

            threads = [threading.Thread(target=replay) for _ in range(args.replays)]
            for thread in threads:
                thread.start()
            before_cpu = cpu_s(pids)
            with HealthProbe(server.url) as probe:
                time.sleep(0.2)
                started = time.monotonic()
                gate.wait()
                for thread in threads:
                    thread.join()
                elapsed = time.monotonic() - started
                time.sleep(0.2)
            print(
                f"burst of {args.replays}: {elapsed:.2f} s, statuses {statuses}, "
                f"worker CPU {cpu_s(pids) - before_cpu:.2f} s, peak RSS {rss_kb(pids)} KB"
            )
            print(probe.summary())
        finally:
            server.stop()


def slow_bodies(args) -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = Path(tempfile.mkdtemp(prefix="slow-bodies-"))
    with FakeOpenAI() as fake:
        server = start_server(workdir, fake, args.workers)
        try:
            head = (
                b"POST /api/v1/feedback HTTP/1.1\r\nHost: bench\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            sockets: list[socket.socket] = []
            with HealthProbe(server.url, interval_s=0.25) as probe:
                time.sleep(0.5)
                for _ in range(args.connections):
                    try:
                        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                        sock.sendall(head)
                        sockets.append(sock)
                    except OSError:
                        break
                print(f"opened {len(sockets)} slow connections")
                closed_by_server = 0
                deadline = time.monotonic() + args.seconds
                while time.monotonic() < deadline and sockets:
                    alive = []
                    for sock in sockets:
                        try:
                            sock.send(b" ")
                            alive.append(sock)
                        except OSError:
                            closed_by_server += 1
                            sock.close()
                    sockets = alive
                    time.sleep(2)
                for sock in sockets:
                    sock.close()
            print(f"connections the server closed (or refused a byte): {closed_by_server}")
            print(probe.summary())
        finally:
            server.stop()


def marks(args) -> None:
    text = "e" + "\u0301" * args.marks + " done."
    workdir = Path(tempfile.mkdtemp(prefix="marks-"))
    with FakeOpenAI() as fake:
        fake.configure(text=text, chunk_chars=args.chunk)
        server = start_server(workdir, fake, 1)
        try:
            with HealthProbe(server.url, interval_s=0.05, timeout_s=30) as probe:
                time.sleep(0.2)
                started = time.monotonic()
                record = create_record(server, timeout=300)
                elapsed = time.monotonic() - started
                time.sleep(0.2)
            print(
                f"{args.marks} marks in chunks of {args.chunk}: record {record['status']} "
                f"with {len(record['feedback'])} code points after {elapsed:.2f} s"
            )
            print(probe.summary())
        finally:
            server.stop()


def split(args) -> None:
    from interview.feedback.graphemes import GraphemeSplitter

    for count in (1_000_000, 2_000_000):
        text = "e" + "\u0301" * count
        splitter, characters = GraphemeSplitter(), 0
        started = time.perf_counter()
        for start in range(0, len(text), args.chunk):
            characters += len(splitter.feed(text[start : start + args.chunk]))
        characters += len(splitter.flush())
        elapsed = time.perf_counter() - started
        print(f"{count} marks in chunks of {args.chunk}: {characters} characters, {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    replay = commands.add_parser("replays")
    replay.add_argument("--replays", type=int, default=200)
    replay.add_argument("--sequential", type=int, default=50)
    replay.add_argument("--workers", type=int, default=2)
    slow = commands.add_parser("slow-bodies")
    slow.add_argument("--connections", type=int, default=2100)
    slow.add_argument("--seconds", type=float, default=30)
    slow.add_argument("--workers", type=int, default=1)
    flood = commands.add_parser("marks")
    flood.add_argument("--marks", type=int, default=1_000_000)
    flood.add_argument("--chunk", type=int, default=50)
    splitting = commands.add_parser("split")
    splitting.add_argument("--chunk", type=int, default=50)
    args = parser.parse_args()
    commands = {"replays": replays, "slow-bodies": slow_bodies, "marks": marks, "split": split}
    commands[args.command](args)


if __name__ == "__main__":
    main()
