"""The wire format, byte for byte."""

import pytest

from interview.sse import HEARTBEAT, encode_delta, encode_event, encode_retry, to_json


@pytest.mark.parametrize(
    ("data", "event", "event_id", "expected"),
    [
        ("{}", None, None, "data: {}\n\n"),
        ('{"a": 1}', "start", None, 'event: start\ndata: {"a": 1}\n\n'),
        ("x", "done", 7, "id: 7\nevent: done\ndata: x\n\n"),
        ("one\ntwo", None, None, "data: one\ndata: two\n\n"),
        ("one\r\ntwo\rthree", None, None, "data: one\ndata: two\ndata: three\n\n"),
        ("", None, None, "data: \n\n"),
        ("x", "ev\nil", "1\r\n2", "id: 12\nevent: evil\ndata: x\n\n"),
        ("x", None, "1\x002", "id: 12\ndata: x\n\n"),
    ],
)
def test_encode_event(data, event, event_id, expected):
    assert encode_event(data, event=event, event_id=event_id) == expected


@pytest.mark.parametrize(
    ("index", "text", "expected"),
    [
        (1, "G", 'id: 1\nevent: delta\ndata: {"text": "G"}\n\n'),
        (2, "\n", 'id: 2\nevent: delta\ndata: {"text": "\\n"}\n\n'),
        (3, "\r\n", 'id: 3\nevent: delta\ndata: {"text": "\\r\\n"}\n\n'),
        (4, '"', 'id: 4\nevent: delta\ndata: {"text": "\\""}\n\n'),
        (5, "한", 'id: 5\nevent: delta\ndata: {"text": "한"}\n\n'),
        (6, "👩‍💻", 'id: 6\nevent: delta\ndata: {"text": "👩‍💻"}\n\n'),
        (7, "\u2028", 'id: 7\nevent: delta\ndata: {"text": "\u2028"}\n\n'),
    ],
)
def test_encode_delta_keeps_every_character_on_one_data_line(index, text, expected):
    encoded = encode_delta(index, text)
    assert encoded == expected
    assert encoded.count("\n") == 4 and "\r" not in encoded


def test_retry_and_heartbeat():
    assert encode_retry() == "retry: 3000\n\n"
    assert encode_retry(1500) == "retry: 1500\n\n"
    assert HEARTBEAT == ": ping\n\n"


def test_to_json_keeps_non_ascii_and_escapes_line_breaks():
    assert to_json({"text": "é\n"}) == '{"text": "é\\n"}'
