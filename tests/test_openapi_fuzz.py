"""Every operation of /api/v1/openapi.json, fuzzed by schemathesis against the app.

Both versions of the document are fuzzed: the OpenAPI 3.1 one that clients
generate from, and the OpenAPI 3.2 one (`?version=3.2`), whose `itemSchema`
has every event of a stream validated. Schemathesis generates requests from
the document, valid ones and invalid ones (its examples, coverage and fuzzing
phases), sends them to the app in process (WSGI) and runs every check it
enables by default on each response: no 5xx; the status code, content type,
headers and body are the documented ones (in 3.2, each event of a stream
against the operation's `itemSchema`, the saved record in `done` included);
invalid requests are refused with a 4xx; valid ones are accepted, except for
what JSON Schema cannot say (`POSITIVE_DATA_EXCEPTIONS`).

The budget is fixed and the run deterministic, so CI is stable: a fixed seed,
derandomized Hypothesis, at most MAX_EXAMPLES generated requests per operation
in the fuzzing phase, about 20 s per version and database backend. Streams are short and
never wait: the fake upstream answers a few dozen characters, the delay is 0
and a request may ask for at most 2 ms. Records of each status are seeded
first, and the `feedback_id` the fuzzer sends is sometimes one of them, so
reads, streams, cancels and deletes of real records are fuzzed too.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import response_schema_conformance

from interview.api.openapi import build_openapi_document

from .conftest import wait_for_generations
from .fake_openai import Fault

MAX_EXAMPLES = 40
ASYNC = {"Prefer": "respond-async"}
UPSTREAM_TEXT = (
    'A "clear" answer 👍🏽 with résumé\r\nand a family 👨\u200d👩\u200d👧.\n\nScore: 7/10'
)
#: Where a request that JSON Schema calls valid may still be refused, and why.
POSITIVE_DATA_EXCEPTIONS = {
    # The cursor is opaque: only one this API handed out is accepted.
    "GET /feedback": ["2xx", "400"],
    # 400 for JSON the strict body parser refuses (numbers beyond 64 bits, lone
    # surrogate escapes, duplicate keys, deep nesting); 422 for a text that is no
    # answer, a reused Idempotency-Key with another body, a delay above
    # INTERVIEW_MAX_DELAY_MS. JSON Schema says none of them.
    "POST /feedback": ["2xx", "400", "422"],
    "POST /openai/chat/completions": ["2xx", "400", "422"],
    # 400 for JSON the strict body parser refuses; 422 for a question of spaces only
    # or a text with control characters.
    "POST /answer-metrics": ["2xx", "400", "422"],
    # Only real audio is transcribed: JSON Schema cannot tell it from other bytes.
    "POST /transcriptions": ["2xx", "415", "422"],
    "GET /sessions": ["2xx", "400"],
    # 422 also for a `mix` that does not add up to `question_count`.
    "POST /sessions": ["2xx", "400", "422"],
    # 404 for a session or question number that is not there, 409 for one answered.
    "POST /sessions/{session_id}/questions/{number}/answer": ["2xx", "400", "404", "409", "422"],
}
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261201,
        # Long enough for a whole stream, so `done` is read and validated.
        "max-stream-events": 500,
        "request-timeout": 10,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # HTTP has recipients ignore header fields they do not know (RFC 9110,
            # section 5.1), and this API ignores query parameters it does not
            # know: neither makes a request invalid.
            "allow-extra-parameters": False,
        },
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": statuses}},
            }
            for name, statuses in POSITIVE_DATA_EXCEPTIONS.items()
        ],
    }
)
DOCUMENTS = {version: build_openapi_document(version) for version in ("3.1", "3.2")}
schema_31 = schemathesis.openapi.from_dict(DOCUMENTS["3.1"], config=CONFIG)
schema_32 = schemathesis.openapi.from_dict(DOCUMENTS["3.2"], config=CONFIG)

seeded_ids: list[str] = []
#: An active session with question 1 answered, and an ended one with its report.
seeded_sessions: list[str] = []
SEEDED_NUMBERS = ("1", "2", "1a")


@schema_31.hook
@schema_32.hook
def before_generate_path_parameters(context, strategy):
    """Send a seeded record's or session's id in about half of the requests.

    With a seeded session goes a question number it may have, so answers, skips
    and follow-ups reach the session's questions.
    """

    def maybe_seeded(parameters):
        if parameters and "feedback_id" in parameters:
            seeded = st.sampled_from(seeded_ids).map(lambda i: {**parameters, "feedback_id": i})
        elif parameters and "session_id" in parameters:
            seeded = st.builds(
                lambda i, n: (
                    {**parameters, "session_id": i}
                    | ({"number": n} if "number" in parameters else {})
                ),
                st.sampled_from(seeded_sessions),
                st.sampled_from(SEEDED_NUMBERS),
            )
        else:
            return st.just(parameters)
        return st.one_of(st.just(parameters), seeded)

    return strategy.flatmap(maybe_seeded)


@pytest.fixture
def fuzzed_app(request, make_app, upstream):
    """The app with what the fuzzed operation's path can name, seeded through the API.

    Records: completed, failed, failed with text; sessions: one active, one ended.
    Only an operation whose path names one gets them (seeding takes a second).
    """
    upstream.configure(text=UPSTREAM_TEXT, chunk_chars=3)
    app = make_app(INTERVIEW_MAX_DELAY_MS="2")
    client = app.test_client()
    operation = request.node.name
    seeded_ids.clear()
    seeded_sessions.clear()
    if "{feedback_id}" in operation or "seeded" in operation:
        seeded_ids.extend(seed_records(client, upstream))
    if "{session_id}" in operation or "seeded" in operation:
        seeded_sessions.extend([seed_session(client), seed_session(client, with_report=True)])
    return app


def seed_records(client, upstream) -> list[str]:
    """Records that ended each way: completed, failed, failed with text."""
    body = {"question": "Tell me about a conflict.", "answer": "We talked and agreed a plan."}
    ids = []
    for fault in (Fault(), Fault(status=500), Fault(drop_after=2)):
        upstream.enqueue(fault)
        response = client.post("/api/v1/feedback", json=body, headers={"Prefer": "respond-async"})
        ids.append(response.json["id"])
        wait_for_generations()
    return ids


def seed_session(client, with_report: bool = False) -> str:
    """A bank session with question 1 answered; with its report, ended."""
    session = client.post("/api/v1/sessions", json={"role": "Engineer", "question_count": 3})
    session_id = session.json["id"]
    answer = {"answer": "We talked and agreed a plan."}
    urls = [f"/api/v1/sessions/{session_id}/questions/1/answer"]
    if with_report:
        urls.append(f"/api/v1/sessions/{session_id}/report")
    for url in urls:
        started = client.post(url, json=answer if url.endswith("answer") else None, headers=ASYNC)
        assert started.status_code == 202, started.json
        wait_for_generations()
    return session_id


@pytest.mark.parametrize(
    ("query", "version", "openapi"),
    [("", "3.1", "3.1.0"), ("?version=3.1", "3.1", "3.1.0"), ("?version=3.2", "3.2", "3.2.0")],
)
def test_the_fuzzed_documents_are_the_served_ones(client, query, version, openapi):
    served = client.get(f"/api/v1/openapi.json{query}").get_json()
    assert served == json.loads(json.dumps(DOCUMENTS[version]))
    assert served["openapi"] == openapi


def test_the_seeded_records_cover_each_ending(fuzzed_app):
    client = fuzzed_app.test_client()
    records = [client.get(f"/api/v1/feedback/{i}").json for i in seeded_ids]
    assert [r["status"] for r in records] == ["completed", "failed", "failed"]
    assert records[0]["feedback"] == UPSTREAM_TEXT
    assert records[2]["feedback"] and records[2]["error"]
    sessions = [client.get(f"/api/v1/sessions/{i}").json for i in seeded_sessions]
    assert [s["status"] for s in sessions] == ["active", "ended"]
    assert [s["questions"][0]["status"] for s in sessions] == ["answered", "answered"]
    report = client.get(f"/api/v1/sessions/{seeded_sessions[1]}/report").json
    assert report["kind"] == "report" and report["status"] == "completed"


@schema_31.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_conforms_to_the_31_document(case, fuzzed_app):
    response = case.call(app=fuzzed_app)
    # A 3.1 stream's `schema` is the whole stream's text, while schemathesis reads a
    # stream's `schema` before 3.2 as each event's: events are checked against 3.2.
    streamed = response.headers.get("content-type", [""])[0].startswith("text/event-stream")
    case.validate_response(
        response, excluded_checks=[response_schema_conformance] if streamed else None
    )
    wait_for_generations()


@schema_32.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_conforms_to_the_32_document(case, fuzzed_app):
    case.call_and_validate(app=fuzzed_app)
    wait_for_generations()


ANSWER = {"role": "user", "content": "We talked and agreed a plan."}


@pytest.mark.parametrize(
    "body",
    [
        {"messages": [5, ANSWER]},
        {"messages": [ANSWER], "question": "Tell me about a conflict.", "stream_options": 5},
    ],
    ids=["a-message-that-is-no-object", "stream-options-that-are-no-object"],
)
def test_malformed_chat_bodies_are_422_and_leave_no_record(client, body):
    response = client.post("/api/v1/openai/chat/completions", json={**body, "stream": True})
    assert response.status_code == 422
    assert client.get("/api/v1/feedback").json["items"] == []


@pytest.mark.parametrize("last_event_id", ["\u00b9", "\u0661", "-1", "1000000000"])
def test_a_last_event_id_that_is_no_event_id_is_400(client, last_event_id):
    response = client.get(
        "/api/v1/feedback/anything/events", query_string={"last_event_id": last_event_id}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_an_empty_last_event_id_is_none(client):
    """The SSE standard's empty last event id means none: the stream from its start."""
    feedback_id = client.post(
        "/api/v1/feedback",
        json={"question": "Why this role?", "answer": "It matches what I do best."},
        headers=ASYNC,
    ).json["id"]
    whole = client.get(f"/api/v1/feedback/{feedback_id}/events").get_data()
    empty = client.get(
        f"/api/v1/feedback/{feedback_id}/events", headers={"Last-Event-ID": ""}
    ).get_data()
    assert empty == whole and b"event: done" in whole
