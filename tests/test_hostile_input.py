"""Hostile and odd input gets a clear 4xx problem, never a 500, never a record.

Every way in is covered: the native body, the AI SDK's (`?protocol=ai-sdk`),
the OpenAI-compatible one, the query string, the URL path and the headers that
reach the database. Each case runs on SQLite and on PostgreSQL (which cannot
store NUL at all).
"""

import base64
import json

import pytest

from interview.api.strict_json import MAX_DEPTH, InvalidJSON, loads_strict

from .test_validation import assert_no_records, assert_problem

FEEDBACK = "/api/v1/feedback"
AI_SDK = "/api/v1/feedback?protocol=ai-sdk"
CHAT = "/api/v1/openai/chat/completions"
ASYNC = {"Accept": "application/json"}
QUESTION = "Tell me about a time you led a team."
ANSWER = "I led the team through a hard release."


def native(**fields) -> dict:
    return {"question": QUESTION, "answer": ANSWER, **fields}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_raw(client, url: str, body: bytes):
    return client.post(url, data=body, content_type="application/json", headers=ASYNC)


def assert_refused(app, upstream, response, status: int) -> dict:
    problem = assert_problem(response, status)
    assert_no_records(app)
    assert upstream.requests == []
    return problem


# -- bodies that are not strict JSON: 400 ---------------------------------------------


def with_members(members: str) -> bytes:
    """A body with a good question and answer, then `members` as raw JSON text."""
    return f'{{"question": "Q?", "answer": "I led the team.", {members}}}'.encode()


NOT_STRICT_JSON = {
    "lone high surrogate": b'{"question": "Q?", "answer": "I led \\ud800 the team."}',
    "lone low surrogate": b'{"question": "Q?", "answer": "I led \\udc00 the team."}',
    "surrogate in a key": with_members(r'"\ud800": 1'),
    "surrogate in a nested value": with_members(r'"x": ["\udfff"]'),
    "duplicate key": with_members('"answer": "No."'),
    "duplicate nested key": with_members('"x": {"a": 1, "a": 2}'),
    "nesting past the bound": with_members(f'"x": {nested(MAX_DEPTH)}'),
    "nesting past the recursion limit": nested(200_000).encode(),
    "integer past 64 bits": with_members('"delay_ms": 9223372036854775808'),
    "integer of 5000 digits": with_members('"delay_ms": ' + "9" * 5000),
    "float overflowing to infinity": with_members('"delay_ms": 1e400'),
    "NaN": with_members('"delay_ms": NaN'),
    "Infinity": with_members('"delay_ms": -Infinity'),
    "UTF-16 with a BOM": json.dumps(native()).encode("utf-16"),
    "UTF-8 with a BOM": b"\xef\xbb\xbf" + json.dumps(native()).encode(),
    "Latin-1 bytes": '{"question": "Q?", "answer": "J\'ai dirigé l\'équipe."}'.encode("latin-1"),
    "an encoded surrogate": b'{"question": "Q?", "answer": "I led \xed\xa0\x80 it."}',
    "truncated": b'{"question": "Q?", "answer": "I le',
    "trailing garbage": json.dumps(native()).encode() + b" x",
}


@pytest.mark.parametrize("url", [FEEDBACK, AI_SDK, CHAT])
@pytest.mark.parametrize("body", NOT_STRICT_JSON.values(), ids=NOT_STRICT_JSON)
def test_a_body_that_is_not_strict_json_is_400(app, client, upstream, url, body):
    problem = assert_refused(app, upstream, post_raw(client, url, body), 400)
    assert problem["detail"].startswith("The request body is not valid JSON: ")


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (CHAT, rb'{"question": "Q?", "messages": [{"role": "user", "content": "I led \ud800"}]}'),
        (
            CHAT,
            rb'{"messages": [{"role": "user", "content": "A"}, {"role": "user", "x": 1, "x": 2}]}',
        ),
        (
            AI_SDK,
            rb'{"question": "Q?", "messages": [{"role": "user", "parts": [{"text": "\udc00"}]}]}',
        ),
        (AI_SDK, rb'{"question": "Q?", "prompt": "I led the team.", "prompt": "No."}'),
    ],
)
def test_the_compatible_bodies_are_parsed_as_strictly(app, client, upstream, url, body):
    assert_refused(app, upstream, post_raw(client, url, body), 400)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"a": 1, "a": 2}', "the key 'a' appears more than once"),
        (b'["\\ud800"]', "lone surrogate"),
        (nested(MAX_DEPTH + 1).encode(), f"deeper than {MAX_DEPTH} levels"),
        (b"[18446744073709551616]", "the number 18446744073709551616 is too large"),
        (b"[1e999]", "the number 1e999 is too large"),
        (b"[Infinity]", "Infinity is not a JSON value"),
        (b"\xff", "it is not UTF-8"),
        (b"", "expecting value at line 1, column 1"),
    ],
)
def test_strict_json_says_what_is_wrong(body, reason):
    with pytest.raises(InvalidJSON, match=reason):
        loads_strict(body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (nested(MAX_DEPTH).encode(), json.loads(nested(MAX_DEPTH))),
        (b'{"a": "\\ud83d\\ude00 \\u00e9"}', {"a": "😀 é"}),
        (b"[9223372036854775807, -9223372036854775808, 1.5e308]", [2**63 - 1, -(2**63), 1.5e308]),
        ('{"a": "是的"}'.encode(), {"a": "是的"}),
    ],
)
def test_strict_json_keeps_what_is_fine(body, expected):
    assert loads_strict(body) == expected


def test_a_surrogate_pair_is_one_character_and_accepted(app, client):
    body = b'{"question": "Q?", "answer": "I led the team \\ud83d\\ude00"}'
    response = post_raw(client, FEEDBACK, body)
    assert response.status_code == 202
    assert client.get(response.headers["Location"]).get_json()["answer"].endswith("😀")


# -- fields of the wrong type or value: 422 on the field -----------------------------

BAD_FIELDS = [
    ("question", "Why\x00 us?"),
    ("answer", "I led\x00 the team."),
    ("role", "Engineer\x00"),
    ("answer", "I led the \x1b[31mteam\x1b[0m."),
    ("question", "Why\x7f us?"),
    ("answer", "I led\x85 the team."),
    ("question", {"text": "Why us?"}),
    ("answer", {"$gt": ""}),
    ("role", 7),
    ("delay_ms", True),
    ("delay_ms", False),
    ("delay_ms", "0"),
    ("delay_ms", 2**62),
    ("delay_ms", -(2**63)),
    ("delay_ms", 1e300),
    ("delay_ms", [20]),
    # within the length caps, but one character of thousands of code points
    ("answer", "I led the team, e" + "\u0301" * 5000 + "."),
    ("question", "Why" + "\u0301" * 1000 + " us?"),
    ("role", "E" + "\u0301" * 33 + "ngineer"),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_a_bad_field_value_is_422_on_that_field(app, client, upstream, field, value):
    response = client.post(FEEDBACK, json=native(**{field: value}), headers=ASYNC)
    problem = assert_refused(app, upstream, response, 422)
    assert list(problem["errors"]) == [field]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_a_bad_field_value_in_an_ai_sdk_body_is_422(app, client, upstream, field, value):
    body = {"question": QUESTION, "prompt": ANSWER, field: value}
    if field == "answer":
        body = {"question": QUESTION, "prompt": value}
    response = client.post(AI_SDK, json=body)
    problem = assert_refused(app, upstream, response, 422)
    assert list(problem["errors"]) == [field]


CHAT_USER = {"role": "user", "content": ANSWER}

BAD_CHAT_BODIES = {
    "NUL in the answer": (
        {"question": QUESTION, "messages": [{"role": "user", "content": "a\x00"}]},
        "answer",
    ),
    "NUL in the asked question": (
        {"messages": [{"role": "assistant", "content": "Why\x00?"}, CHAT_USER]},
        "question",
    ),
    "content of the wrong type": (
        {"question": QUESTION, "messages": [{"role": "user", "content": 5}]},
        "answer",
    ),
    "messages not a list": ({"question": QUESTION, "messages": "hi"}, "messages"),
    "no user message": (
        {"question": QUESTION, "messages": [{"role": "system", "content": "x"}]},
        "messages",
    ),
    "a message that is not an object": ({"messages": ["Why?", CHAT_USER]}, "question"),
    "stream_options not an object": (
        {"question": QUESTION, "stream": True, "stream_options": [1], "messages": [CHAT_USER]},
        "stream_options",
    ),
    "delay_ms true": (
        {"question": QUESTION, "delay_ms": True, "messages": [CHAT_USER]},
        "delay_ms",
    ),
    "a body that is a list": ([CHAT_USER], "_schema"),
}


@pytest.mark.parametrize(("body", "field"), BAD_CHAT_BODIES.values(), ids=BAD_CHAT_BODIES)
def test_a_bad_openai_compatible_body_is_422(app, client, upstream, body, field):
    problem = assert_refused(app, upstream, client.post(CHAT, json=body), 422)
    assert field in problem["errors"]
    assert problem["error"]["type"] == "invalid_request_error"


# -- the query string, the path and headers ------------------------------------------


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("cursor=%00", 400),
        ("cursor=" + cursor_of("2026-01-01T00:00:00|ab\x00cd"), 400),
        (f"cursor={cursor_of('2026-01-01T00:00:00|' + 'a' * 500)}", 400),
        (f"cursor={cursor_of('99999-01-01T00:00:00|abc')}", 400),
        ("cursor=%ED%A0%80", 400),
        ("limit=%00", 422),
        ("limit=1e3", 422),
        ("limit=99999999999999999999999999", 422),
        ("limit=" + "9" * 5000, 422),
        ("limit=true", 422),
    ],
)
def test_a_bad_list_query_is_a_4xx(app, client, query, status):
    assert_problem(client.get(f"{FEEDBACK}?{query}"), status)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/abc%00def"),
        ("get", "/abc%00def/events"),
        ("post", "/abc%00def/cancel"),
        ("delete", "/abc%00def"),
        ("get", "/%ED%A0%80"),
        ("get", "/" + "a" * 300),
    ],
)
def test_an_id_no_record_can_have_is_404(client, method, path):
    assert_problem(getattr(client, method)(FEEDBACK + path), 404)


def test_the_attempt_page_of_such_an_id_is_an_html_404(client):
    response = client.get("/feedback/abc%00def")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    "headers", [{"Last-Event-ID": "²"}, {"Last-Event-ID": "1\x00"}, {"Last-Event-ID": "-1"}]
)
def test_a_last_event_id_that_is_not_a_number_is_400(client, headers):
    created = client.post(FEEDBACK, json=native(), headers=ASYNC)
    events = created.get_json()["events_url"]
    assert_problem(client.get(events, headers=headers), 400)


def test_a_last_event_id_query_that_is_not_a_number_is_400(client):
    created = client.post(FEEDBACK, json=native(), headers=ASYNC)
    assert_problem(client.get(created.get_json()["events_url"] + "?last_event_id=%C2%B2"), 400)


@pytest.mark.parametrize("key", ["a\x00b", "a\x1bb", "\x7f", "ключ"])
def test_an_idempotency_key_with_odd_characters_is_400(app, client, upstream, key):
    response = client.post(FEEDBACK, json=native(), headers={**ASYNC, "Idempotency-Key": key})
    assert_refused(app, upstream, response, 400)
