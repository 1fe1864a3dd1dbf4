"""What the model sends is bounded in characters and in code points, however it is made.

A flood of combining marks is one user-perceived character; cut into pieces
of MAX_CLUSTER_CODE_POINTS (`graphemes.py`), it counts against the caps like
any text, and the stored record stays bounded. Runs on real gunicorn.
"""

import threading
import urllib.request

import pytest

from interview.feedback.graphemes import MAX_CLUSTER_CODE_POINTS, split_graphemes
from interview.feedback.producer import MAX_FEEDBACK_CHARACTERS, MAX_FEEDBACK_CODE_POINTS

from .test_scale_out import start_async
from .test_server import configure_upstream, wait_for_status

MARKS = 1_000_000


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


def test_a_flood_of_combining_marks_ends_with_bounded_text(server, fake_openai):
    configure_upstream(
        fake_openai, text="Good. e" + "\u0301" * MARKS + " Score: 7/10", chunk_chars=50
    )
    health: list[int] = []
    generating = threading.Event()

    def probe_health() -> None:
        while not generating.is_set():
            with urllib.request.urlopen(server.url + "/healthz", timeout=30) as response:
                health.append(response.status)
            generating.wait(0.1)

    prober = threading.Thread(target=probe_health)
    prober.start()
    try:
        record = wait_for_status(server, start_async(server, delay_ms=0), timeout=120)
    finally:
        generating.set()
        prober.join()

    assert record["status"] == "failed"
    assert record["error"]["code"] == "upstream_too_long"
    text = record["feedback"]
    assert text.startswith("Good. e\u0301")
    assert set(text[len("Good. e") :]) == {"\u0301"}
    assert len(text) <= MAX_FEEDBACK_CODE_POINTS
    characters = split_graphemes(text)
    assert len(characters) <= MAX_FEEDBACK_CHARACTERS
    assert max(map(len, characters)) == MAX_CLUSTER_CODE_POINTS
    assert health and set(health) == {200}
