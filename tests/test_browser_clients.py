"""sse.js, fetch-event-source and EventSource in Chromium, from another origin, across a
network drop: a feedback, and a session's report."""

import json
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from .conftest import CLIENTS
from .servers import DroppingProxy, StaticSite
from .test_clients import answered_session, post_json, read_session

TEXT = "".join(f"{i:03d}." for i in range(150))  # 600 characters, each position readable


@pytest.fixture(scope="module")
def frontend():
    with StaticSite(CLIENTS) as site:
        yield site


@pytest.fixture(scope="module")
def api(server_factory, frontend):
    # A session's report is paced by the server's delay, as a feedback by its `delay_ms`:
    # the drop then comes in the middle of a live stream.
    return server_factory(INTERVIEW_CORS_ORIGINS=frontend.url, INTERVIEW_STREAM_DELAY_MS="5")


@pytest.mark.parametrize("client", ["sse.js", "fetch-event-source"])
def test_each_character_arrives_once_across_a_drop_with_one_record(
    browser, node_clients, frontend, api, fake_openai, client
):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=50)
    question = f"Drop test {uuid.uuid4().hex}?"
    context = browser.new_context()
    page = context.new_page()
    with DroppingProxy(api.port, cut_after=6000) as proxy:
        query = {"client": client, "api": proxy.url, "key": uuid.uuid4().hex, "question": question}
        page.goto(f"{frontend.url}/browser.html?{urllib.parse.urlencode(query)}")
        deadline = time.monotonic() + 30
        while not page.evaluate("window.result && window.result.done !== null"):
            assert time.monotonic() < deadline, page.evaluate("JSON.stringify(window.result)")
            time.sleep(0.1)
        result = page.evaluate("window.result")
        assert proxy.cuts == 1
    context.close()

    assert result["opens"] >= 2  # it really reconnected
    ids = [delta["id"] for delta in result["deltas"]]
    assert ids == list(range(1, len(TEXT) + 1))  # each character once, in order
    assert "".join(delta["text"] for delta in result["deltas"]) == TEXT
    assert result["done"]["feedback"] == TEXT
    with urllib.request.urlopen(f"{api.url}/api/v1/feedback?limit=100") as response:
        items = json.loads(response.read())["items"]
    assert [item["question"] for item in items].count(question) == 1


def run_in_browser(browser, frontend, query: dict) -> dict:
    """Open the client page with `query`; what it recorded once its stream is done."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{frontend.url}/browser.html?{urllib.parse.urlencode(query)}")
    deadline = time.monotonic() + 30
    while not page.evaluate("window.result && window.result.done !== null"):
        assert time.monotonic() < deadline, page.evaluate("JSON.stringify(window.result)")
        time.sleep(0.1)
    result = page.evaluate("window.result")
    context.close()
    return result


@pytest.mark.parametrize("client", ["eventsource", "fetch-event-source"])
def test_a_session_report_arrives_once_across_a_drop(
    browser, node_clients, frontend, api, fake_openai, client
):
    """EventSource follows GET .../report/events; fetch-event-source POSTs .../report."""
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=50)
    session_id = answered_session(api.url)
    if client == "eventsource":
        post_json(f"{api.url}/api/v1/sessions/{session_id}/report", None)
    with DroppingProxy(api.port, cut_after=6000) as proxy:
        query = {"client": client, "api": proxy.url, "key": uuid.uuid4().hex, "session": session_id}
        result = run_in_browser(browser, frontend, query)
        assert proxy.cuts == 1

    assert result["opens"] >= 2  # it really reconnected
    ids = [delta["id"] for delta in result["deltas"]]
    assert ids == list(range(1, len(TEXT) + 1))  # each character once, in order
    assert "".join(delta["text"] for delta in result["deltas"]) == TEXT
    assert result["done"]["feedback"] == TEXT and result["done"]["kind"] == "report"
    session = read_session(api.url, session_id)
    assert session["status"] == "ended" and session["report"]["id"] == result["done"]["id"]


@pytest.mark.parametrize("strip", [False, True])
def test_eventsource_streams_with_the_token_when_keys_are_on(
    browser, node_clients, frontend, server_factory, fake_openai, strip
):
    key = "browser-key-0123456789"
    api = server_factory(
        INTERVIEW_CORS_ORIGINS=frontend.url, INTERVIEW_API_KEYS=key, INTERVIEW_SECRET_KEY="k" * 32
    )
    fake_openai.reset()
    fake_openai.configure(text=TEXT[:120], chunk_chars=40)
    context = browser.new_context()
    page = context.new_page()
    query = {
        "client": "eventsource",
        "api": api.url,
        "key": uuid.uuid4().hex,
        "question": "Token test?",
        "apikey": key,
        "strip": "token" if strip else "",
    }
    page.goto(f"{frontend.url}/browser.html?{urllib.parse.urlencode(query)}")
    deadline = time.monotonic() + 20
    while not page.evaluate("window.result && window.result.done !== null"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    result = page.evaluate("window.result")
    context.close()
    if strip:
        assert result["done"] == {"refused": True} and result["deltas"] == []
    else:
        assert "".join(d["text"] for d in result["deltas"]) == TEXT[:120]
        assert result["done"]["feedback"] == TEXT[:120]
