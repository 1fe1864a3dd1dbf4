"""Compatibility modes: the OpenAI-compatible endpoint (real openai SDK), the AI SDK stream."""

import json

import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI

from .fake_openai import Fault
from .sse_client import open_stream, read_stream

TEXT = "Clear answer 👍🏽.\n\nScore: 7/10"
QUESTION = "Tell me about a time you led a project."
ANSWER = "I led the migration of our billing system and we cut failures by half."
AI_SDK_PART_KEYS = {
    "start": {"type", "messageId", "messageMetadata"},
    "text-start": {"type", "id"},
    "text-delta": {"type", "id", "delta"},
    "text-end": {"type", "id"},
    "data-feedback": {"type", "id", "data"},
    "finish": {"type", "messageMetadata"},
    "error": {"type", "errorText"},
}


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


@pytest.fixture
def sdk(server):
    client = openai.OpenAI(base_url=f"{server.url}/api/v1/openai", api_key="unused", max_retries=0)
    yield client
    client.close()


def interview_messages():
    return [
        {"role": "system", "content": "You are an interviewer."},
        {"role": "assistant", "content": QUESTION},
        {"role": "user", "content": ANSWER},
    ]


def get_record(server, feedback_id):
    stream = read_stream(server.url, "GET", f"/api/v1/feedback/{feedback_id}")
    return json.loads(stream.body)


def test_openai_sdk_streams_the_feedback_and_the_record_is_saved(server, sdk, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=3)
    chunks = list(
        sdk.chat.completions.create(
            model="gpt-3.5-turbo",
            messages=interview_messages(),
            stream=True,
            stream_options={"include_usage": True},
            extra_body={"delay_ms": 0},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == TEXT
    assert len({c.id for c in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-")
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    record = get_record(server, chunks[0].id.removeprefix("chatcmpl-"))
    assert record["feedback"] == TEXT and record["question"] == QUESTION
    assert record["answer"] == ANSWER and record["status"] == "completed"


def test_openai_sdk_without_streaming_gets_one_completion(server, sdk, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT)
    completion = sdk.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=[{"role": "user", "content": ANSWER}],
        extra_body={"question": QUESTION, "role": "Engineering manager"},
    )
    assert completion.choices[0].message.content == TEXT
    record = get_record(server, completion.id.removeprefix("chatcmpl-"))
    assert record["question"] == QUESTION and record["role"] == "Engineering manager"


def test_the_wire_has_no_lines_the_python_sdk_would_trip_on(server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT)
    conn, response = open_stream(
        server.url,
        "POST",
        "/api/v1/openai/chat/completions",
        {"messages": interview_messages(), "stream": True, "delay_ms": 0},
    )
    body = response.read().decode()
    conn.close()
    lines = [line for line in body.split("\n") if line]
    assert all(line.startswith("data: ") for line in lines)  # no id:, retry:, event: or comments
    assert lines[-1] == "data: [DONE]"


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([{"role": "system", "content": "Only a system message."}], "messages"),
        ([], "messages"),
        ([{"role": "user", "content": "An answer without a question."}], "question"),
    ],
)
def test_a_bad_request_raises_the_sdks_own_error_with_a_readable_message(sdk, messages, field):
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        sdk.chat.completions.create(model="m", messages=messages)
    assert field in str(caught.value.message)


def test_a_failure_mid_stream_reaches_the_sdk_as_an_error(sdk, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT * 4, chunk_chars=4)
    fake_openai.enqueue(Fault(drop_after=2))
    with pytest.raises(openai.APIError) as caught:
        for _ in sdk.chat.completions.create(
            model="m", messages=interview_messages(), stream=True, extra_body={"delay_ms": 0}
        ):
            pass
    assert "closed the stream early" in str(caught.value)


def test_models_lists_the_configured_model(sdk):
    assert [model.id for model in sdk.models.list()] == ["gpt-3.5-turbo"]


def ai_sdk_parts(stream) -> list:
    return [json.loads(e.data) if e.data != "[DONE]" else "[DONE]" for e in stream.events]


@pytest.mark.parametrize(
    "body",
    [
        {  # useChat through DefaultChatTransport, with `body: {question}`
            "id": "chat-1",
            "trigger": "submit-message",
            "messageId": None,
            "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": ANSWER}]}],
            "question": QUESTION,
            "delay_ms": 0,
        },
        {"prompt": ANSWER, "question": QUESTION, "delay_ms": 0},  # useCompletion
    ],
)
def test_ai_sdk_ui_message_stream(server, fake_openai, body):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=5)
    stream = read_stream(
        server.url,
        "POST",
        "/api/v1/feedback?protocol=ai-sdk",
        body,
        headers={"Accept": "application/json"},
    )
    assert stream.status == 200
    assert stream.headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert stream.headers["content-type"].startswith("text/event-stream")
    parts = ai_sdk_parts(stream)
    assert parts[-1] == "[DONE]"
    kinds = [p["type"] for p in parts[:-1]]
    assert kinds[:2] == ["start", "text-start"]
    assert kinds[-3:] == ["text-end", "data-feedback", "finish"]
    for part in parts[:-1]:
        assert set(part) == AI_SDK_PART_KEYS[part["type"]]
    deltas = [p for p in parts[:-1] if p["type"] == "text-delta"]
    assert "".join(p["delta"] for p in deltas) == TEXT
    record = parts[-2 - 1]["data"]
    assert record["feedback"] == TEXT and record["answer"] == ANSWER
    assert parts[0]["messageId"] == record["id"]
    assert parts[0]["messageMetadata"] == {
        "feedbackId": record["id"],
        "model": record["model"],
        "createdAt": record["created_at"],
    }
    assert parts[-2]["messageMetadata"] == {"status": "completed"}
    ids = [e.id for e in stream.events if e.id is not None]
    assert ids == [str(i) for i in range(1, len(deltas) + 2)]

    resumed = read_stream(
        server.url, "GET", f"/api/v1/feedback/{record['id']}/events?protocol=ai-sdk"
    )
    assert resumed.status == 204  # finished: "no active stream"


def test_ai_sdk_resume_replays_a_running_record_from_its_start(server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT * 3, chunk_chars=2, chunk_delay_s=0.03)
    accepted = read_stream(
        server.url,
        "POST",
        "/api/v1/feedback",
        {"question": QUESTION, "answer": ANSWER, "delay_ms": 0},
        headers={"Accept": "application/json"},
    )
    feedback_id = json.loads(accepted.body)["id"]
    stream = read_stream(
        server.url,
        "GET",
        f"/api/v1/feedback/{feedback_id}/events?protocol=ai-sdk",
        headers={"Last-Event-ID": "10"},
    )
    parts = ai_sdk_parts(stream)
    assert parts[0]["type"] == "start"
    assert "".join(p["delta"] for p in parts[:-1] if p["type"] == "text-delta") == TEXT * 3


def test_ai_sdk_errors_are_error_parts(server, fake_openai):
    fake_openai.reset()
    fake_openai.enqueue(Fault(status=500))
    stream = read_stream(
        server.url,
        "POST",
        "/api/v1/feedback?protocol=ai-sdk",
        {"prompt": ANSWER, "question": QUESTION},
    )
    parts = ai_sdk_parts(stream)
    assert parts[-2] == {"type": "error", "errorText": parts[-2]["errorText"]}
    assert parts[-2]["errorText"].startswith("upstream_unavailable: ")
    assert parts[-1] == "[DONE]"


def test_an_unknown_protocol_is_400(server):
    stream = read_stream(
        server.url,
        "POST",
        "/api/v1/feedback?protocol=grpc",
        {"question": QUESTION, "answer": ANSWER},
    )
    assert stream.status == 400


def test_langchain_chat_openai_streams_through_the_endpoint(server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=3)
    model = ChatOpenAI(
        base_url=f"{server.url}/api/v1/openai",
        api_key="unused",
        model="gpt-3.5-turbo",
        max_retries=0,
        extra_body={"delay_ms": 0},
    )
    chunks = list(model.stream([AIMessage(QUESTION), HumanMessage(ANSWER)]))
    assert "".join(chunk.content for chunk in chunks) == TEXT
    whole = model.invoke([HumanMessage(ANSWER)], extra_body={"question": QUESTION})
    assert whole.content == TEXT
