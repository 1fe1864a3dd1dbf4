"""GET /api/v1/feedback/<id>/events: replay, resume, end."""

import pytest

from .fake_openai import Fault
from .sse_client import stream_from_response

ASYNC = {"Accept": "application/json"}
TEXT = "Line one\r\nline two 👩‍💻\n\nScore: 5/10"


@pytest.fixture
def finished_id(client, upstream) -> str:
    upstream.configure(text=TEXT, chunk_chars=2)
    body = {"question": "Why?", "answer": "Because it matters to me."}
    feedback_id = client.post("/api/v1/feedback", json=body, headers=ASYNC).get_json()["id"]
    stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))
    return feedback_id


def test_a_finished_record_replays_in_full(client, finished_id):
    stream = stream_from_response(client.get(f"/api/v1/feedback/{finished_id}/events"))
    assert stream.events[0].event == "start"
    assert stream.text() == TEXT
    done = stream.terminal()
    assert done.event == "done" and int(done.id) == len(stream.deltas()) + 1
    assert done.json()["feedback"] == TEXT


@pytest.mark.parametrize("how", ["header", "query"])
def test_resume_sends_only_the_characters_after_the_last_event_id(client, finished_id, how):
    full = stream_from_response(client.get(f"/api/v1/feedback/{finished_id}/events"))
    url = f"/api/v1/feedback/{finished_id}/events"
    if how == "header":
        response = client.get(url, headers={"Last-Event-ID": "5"})
    else:
        response = client.get(url + "?last_event_id=5")
    resumed = stream_from_response(response)
    assert [d.id for d in resumed.deltas()] == [d.id for d in full.deltas()][5:]
    assert full.text()[: len(TEXT) - len(resumed.text())] + resumed.text() == TEXT
    assert resumed.terminal().id == full.terminal().id


def test_reconnecting_at_the_terminal_id_gets_204(client, finished_id):
    full = stream_from_response(client.get(f"/api/v1/feedback/{finished_id}/events"))
    url = f"/api/v1/feedback/{finished_id}/events"
    response = client.get(url, headers={"Last-Event-ID": full.terminal().id})
    assert response.status_code == 204
    last_delta = full.deltas()[-1].id
    again = stream_from_response(client.get(url, headers={"Last-Event-ID": last_delta}))
    assert again.deltas() == [] and again.terminal().event == "done"


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_a_bad_last_event_id_is_400(client, finished_id, value):
    response = client.get(
        f"/api/v1/feedback/{finished_id}/events", headers={"Last-Event-ID": value}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_a_failed_record_replays_its_error(client, upstream):
    upstream.enqueue(Fault(drop_after=3))
    upstream.configure(chunk_chars=2)
    body = {"question": "Why?", "answer": "Because it matters to me."}
    feedback_id = client.post("/api/v1/feedback", json=body, headers=ASYNC).get_json()["id"]
    stream = stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))
    assert stream.terminal().event == "error"
    assert stream.terminal().json()["code"] == "upstream_dropped"
    replay = stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))
    assert replay.text() == stream.text() and len(stream.text()) == 6
    assert replay.terminal().json() == stream.terminal().json()
