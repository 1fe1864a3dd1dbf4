"""/metrics through a real gunicorn with two gevent workers and the fake upstream.

Each scrape is answered by whichever worker accepts it and must hold the
totals of both (prometheus_client's multiprocess mode); the values are read
before, during and after streams.
"""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .fake_openai import Fault
from .sse_client import read_stream

TOKEN = "metrics-token-0123456789"
BODY = {"question": "Tell me about a deadline you met.", "answer": "I cut scope and shipped."}
TEXT = "Clear example; quantify the result next time. Score: 7/10"


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory(WEB_CONCURRENCY="2", INTERVIEW_METRICS_TOKEN=TOKEN)


def scrape(server, token: str | None = TOKEN) -> dict[tuple, float]:
    """Every sample as {(name, sorted labels): value}."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(server.url + "/metrics", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def changed(before: dict, after: dict, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def scrape_until(server, settled, timeout: float = 10.0) -> dict[tuple, float]:
    """Scrape until `settled(samples)`: a stream's end is counted just after its client
    has read the terminal event."""
    deadline = time.monotonic() + timeout
    while not settled(samples := scrape(server)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return samples


def stream_samples(samples: dict) -> dict[tuple, float]:
    """The samples a scrape does not change itself (it is a request too)."""
    return {key: v for key, v in samples.items() if key[0].startswith("interview_streams")}


def post(server, headers: dict | None = None):
    return read_stream(server.url, "POST", "/api/v1/feedback", BODY, headers=headers)


def test_the_open_streams_gauge_rises_while_streams_run_and_falls_after(server, upstream):
    upstream.configure(text=TEXT, chunk_chars=4, chunk_delay_s=0.1)
    before = scrape(server)
    streams = []
    threads = [threading.Thread(target=lambda: streams.append(post(server))) for _ in range(3)]
    for thread in threads:
        thread.start()
    upstream.wait_for_requests(3)

    during = scrape(server)
    assert changed(before, during, "interview_streams_open") == 3
    assert changed(before, during, "interview_streams_started_total") == 3
    for thread in threads:
        thread.join(timeout=30)
    after = scrape_until(
        server, lambda now: changed(before, now, "interview_characters_sent_total") >= 3 * len(TEXT)
    )

    assert all(stream.text() == TEXT for stream in streams)
    assert value(after, "interview_streams_open") == value(before, "interview_streams_open")
    assert changed(before, after, "interview_streams_ended_total", status="completed") == 3
    assert changed(before, after, "interview_characters_sent_total") == 3 * len(TEXT)
    assert changed(before, after, "interview_upstream_first_token_seconds_count") == 3
    assert changed(before, after, "interview_first_character_seconds_count") == 3
    request = {"route": "/api/v1/feedback", "method": "POST", "status": "2xx"}
    assert changed(before, after, "interview_http_request_duration_seconds_count", **request) == 3
    assert all(stream_samples(scrape(server)) == stream_samples(after) for _ in range(4))


def test_faults_and_cancels_are_counted_by_code_and_status(server, upstream):
    upstream.configure(text=TEXT, chunk_chars=4)
    before = scrape(server)
    upstream.enqueue(Fault(status=500), Fault(drop_after=2))
    assert post(server).terminal().json()["code"] == "upstream_unavailable"
    assert post(server).terminal().json()["code"] == "upstream_dropped"
    upstream.enqueue(Fault(hang_after=1))
    feedback_id = start_in_background(server)
    upstream.wait_for_requests(3)
    cancel(server, feedback_id)
    stream = read_stream(server.url, "GET", f"/api/v1/feedback/{feedback_id}/events")
    assert stream.terminal().json()["status"] == "interrupted"
    after = scrape_until(
        server,
        lambda now: changed(before, now, "interview_streams_ended_total", status="interrupted"),
    )

    errors = "interview_upstream_errors_total"
    assert changed(before, after, errors, code="upstream_unavailable") == 1
    assert changed(before, after, errors, code="upstream_dropped") == 1
    assert changed(before, after, "interview_streams_ended_total", status="failed") == 2
    assert changed(before, after, "interview_streams_ended_total", status="interrupted") == 1
    assert changed(before, after, "interview_streams_ended_total", status="completed") == 0


def start_in_background(server) -> str:
    request = urllib.request.Request(
        server.url + "/api/v1/feedback",
        data=json.dumps(BODY).encode(),
        headers={"Content-Type": "application/json", "Prefer": "respond-async"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["id"]


def cancel(server, feedback_id: str) -> None:
    url = f"{server.url}/api/v1/feedback/{feedback_id}/cancel"
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10) as r:
        assert r.status == 202


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789", TOKEN[:-1]])
def test_metrics_need_the_token_when_one_is_set(server, token):
    with pytest.raises(urllib.error.HTTPError) as refused:
        scrape(server, token)
    assert refused.value.code == 401
    assert refused.value.headers["Content-Type"] == "application/problem+json"
    assert refused.value.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert json.load(refused.value)["status"] == 401


def test_the_right_token_reads_every_documented_metric(server):
    names = {name for name, _ in scrape(server)}
    assert {
        "interview_streams_open",
        "interview_streams_started_total",
        "interview_streams_ended_total",
        "interview_upstream_first_token_seconds_bucket",
        "interview_first_character_seconds_bucket",
        "interview_characters_sent_total",
        "interview_http_request_duration_seconds_bucket",
    } <= names


def test_routes_are_labelled_by_rule_never_by_path(server):
    for path in ("/api/v1/feedback/some-id-1", "/api/v1/feedback/some-id-2", "/no/such/page"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url + path, timeout=10)
    routes = {dict(labels).get("route") for _, labels in scrape(server)}
    assert "/api/v1/feedback/<feedback_id>" in routes and "unmatched" in routes
    assert not any(route and "some-id" in route for route in routes)


def test_a_single_process_serves_its_own_registry(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'interview_http_request_duration_seconds_count{method="GET",route="/healthz"' in text


def test_a_given_metrics_directory_is_emptied_at_start(server_factory, tmp_path):
    stale = tmp_path / "counter_1.db"
    stale.write_bytes(b"an earlier run's values")
    server = server_factory(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))

    assert not stale.exists()
    assert value(scrape(server, token=None), "interview_streams_open") == 0
    assert list(tmp_path.glob("*.db")), "the workers keep their values here"
