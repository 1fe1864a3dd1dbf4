"""The wire format, byte for byte."""

import pytest

from interview.sse import (
    HEARTBEAT,
    SLOT,
    EventFrame,
    encode_event,
    encode_retry,
    to_json,
)


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


FRAMES = [
    ({"text": SLOT}, "delta"),
    ({"type": "text-delta", "id": "abc-text", "delta": SLOT}, None),
    ({"choices": [{"delta": {"content": SLOT}, "finish_reason": None}]}, None),
    ({"text": SLOT}, "del\r\nta"),
]
TEXTS = ["G", "\n", "\r\n", '"', "\\", "한", "👩‍💻", "\u2028", "\0", ""]


@pytest.mark.parametrize(("data", "event"), FRAMES)
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("event_id", [None, 1, 12345])
def test_event_frame_writes_what_encode_event_writes(data, event, text, event_id):
    filled = to_json(data).replace(to_json(SLOT), to_json(text))
    frame = EventFrame(data, event=event)
    encoded = frame.encode(text, event_id)
    assert encoded == encode_event(filled, event=event, event_id=event_id)
    assert frame.encode(text, event_id) == encoded  # the cached event is the same
    assert encoded.count("\n") == 2 + (event is not None) + (event_id is not None)
    assert "\r" not in encoded


@pytest.mark.parametrize(
    ("data", "event", "text", "event_id", "expected"),
    [
        ({"text": SLOT}, "delta", "G", 1, 'id: 1\nevent: delta\ndata: {"text": "G"}\n\n'),
        ({"text": SLOT}, "delta", "\n", 2, 'id: 2\nevent: delta\ndata: {"text": "\\n"}\n\n'),
        ({"a": [SLOT, 1]}, None, "é", None, 'data: {"a": ["é", 1]}\n\n'),
        ({"a": SLOT}, None, "x", 9, 'id: 9\ndata: {"a": "x"}\n\n'),
    ],
)
def test_event_frame(data, event, text, event_id, expected):
    assert EventFrame(data, event=event).encode(text, event_id) == expected


def test_event_frame_starts_its_cache_afresh_when_full():
    frame = EventFrame({"text": SLOT})
    for number in range(EventFrame.MAX_CACHED + 10):
        expected = f'id: {number}\ndata: {{"text": "{number}"}}\n\n'
        assert frame.encode(str(number), number) == expected


@pytest.mark.parametrize("data", [{"text": "no slot"}, {"a": SLOT, "b": SLOT}])
def test_event_frame_needs_exactly_one_slot(data):
    with pytest.raises(ValueError):
        EventFrame(data)


def test_retry_and_heartbeat():
    assert encode_retry() == "retry: 3000\n\n"
    assert encode_retry(1500) == "retry: 1500\n\n"
    assert HEARTBEAT == ": ping\n\n"


def test_to_json_keeps_non_ascii_and_escapes_line_breaks():
    assert to_json({"text": "é\n"}) == '{"text": "é\\n"}'
