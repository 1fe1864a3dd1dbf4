"""What each protocol's events hold, byte for byte."""

import pytest

from interview.feedback.encoders import AiSdkEncoder, NativeEncoder, OpenAIChunkEncoder
from interview.feedback.live import Outcome

from .factories import stored_record


def brief(record) -> dict:
    """A record's data as a protocol would carry it; the API passes its schema's dump."""
    return {"id": record.feedback_id, "status": record.status}


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
def test_native_delta_keeps_every_character_on_one_data_line(index, text, expected):
    encoded = NativeEncoder(brief).delta(index, text)
    assert encoded == expected
    assert encoded.count("\n") == 4 and "\r" not in encoded


def test_native_terminal_events():
    record = stored_record("Hi")
    done = NativeEncoder(brief).terminal(Outcome(record, None), 4)
    assert done == 'id: 4\nevent: done\ndata: {"id": "rec1", "status": "completed"}\n\n'
    error = Outcome(None, {"code": "upstream", "message": "The model failed.", "extra": 1})
    assert NativeEncoder(brief).terminal(error, 2) == (
        'id: 2\nevent: error\ndata: {"code": "upstream", "message": "The model failed."}\n\n'
    )


def test_ai_sdk_events():
    encoder = AiSdkEncoder("rec1", brief)
    assert encoder.delta(3, "é") == (
        'id: 3\ndata: {"type": "text-delta", "id": "rec1-text", "delta": "é"}\n\n'
    )
    record = stored_record("Hi")
    assert encoder.terminal(Outcome(record, None), 5) == (
        'data: {"type": "text-end", "id": "rec1-text"}\n\n'
        'data: {"type": "data-feedback", "id": "rec1", '
        '"data": {"id": "rec1", "status": "completed"}}\n\n'
        'id: 5\ndata: {"type": "finish", "messageMetadata": {"status": "completed"}}\n\n'
        "data: [DONE]\n\n"
    )
    error = Outcome(None, {"code": "upstream", "message": "The model failed."})
    assert encoder.terminal(error, 2) == (
        'id: 2\ndata: {"type": "error", "errorText": "upstream: The model failed."}\n\n'
        "data: [DONE]\n\n"
    )


def test_openai_chunks():
    encoder = OpenAIChunkEncoder("rec1", "gpt-x", include_usage=True)
    head = (
        'data: {"id": "chatcmpl-rec1", "object": "chat.completion.chunk", '
        f'"created": {encoder.created}, "model": "gpt-x", '
    )
    assert encoder.opening({}) == (
        head + '"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, '
        '"logprobs": null, "finish_reason": null}]}\n\n'
    )
    assert encoder.delta(1, "\n") == (
        head + '"choices": [{"index": 0, "delta": {"content": "\\n"}, '
        '"logprobs": null, "finish_reason": null}]}\n\n'
    )
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    assert encoder.terminal(Outcome(stored_record("Hi", usage=usage), None), 2) == (
        head
        + '"choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]}\n\n'
        + head
        + '"choices": [], "usage": '
        '{"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}\n\n'
        "data: [DONE]\n\n"
    )
    error = Outcome(None, {"code": "upstream", "message": "The model failed."})
    assert encoder.terminal(error, 2) == (
        'data: {"error": {"message": "The model failed.", '
        '"type": "server_error", "code": "upstream"}}\n\n'
    )
