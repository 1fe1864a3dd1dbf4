"""The OpenAPI document in its two versions: 3.1 by default, 3.2 on request."""

import pytest

from interview.api.openapi import build_openapi_document


def media_types(document: dict, media_type: str) -> dict[str, dict]:
    """Each response's entry for `media_type`, by "METHOD path status"."""
    return {
        f"{method.upper()} {path} {status}": response["content"][media_type]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if media_type in response.get("content", {})
    }


def keys_of(value) -> set[str]:
    """Every key of every object in a JSON `value`."""
    if isinstance(value, dict):
        return set(value).union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value))
    return set()


def test_the_31_document_describes_each_stream_as_text_with_the_32_events():
    streams_31 = media_types(build_openapi_document("3.1"), "text/event-stream")
    streams_32 = media_types(build_openapi_document("3.2"), "text/event-stream")
    assert (
        set(streams_31)
        == set(streams_32)
        == {
            "POST /feedback 200",
            "GET /feedback/{feedback_id}/events 200",
            "POST /openai/chat/completions 200",
            "POST /sessions/{session_id}/questions/{number}/answer 200",
            "POST /sessions/{session_id}/questions/{number}/follow-up 200",
            "POST /sessions/{session_id}/report 200",
            "GET /sessions/{session_id}/report/events 200",
        }
    )
    for name, stream in streams_31.items():
        assert stream["schema"]["type"] == "string"
        assert stream["x-itemSchema"] == streams_32[name]["itemSchema"]


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/{session_id}/questions/{number}/answer",
        "/sessions/{session_id}/questions/{number}/follow-up",
        "/sessions/{session_id}/report",
    ],
)
def test_a_session_generation_is_answered_as_post_feedback_is(path):
    paths = build_openapi_document("3.2")["paths"]
    feedback, operation = paths["/feedback"]["post"], paths[path]["post"]
    for status in ("200", "202", "403", "406", "429"):
        assert operation["responses"][status] == feedback["responses"][status]
    assert {"404", "409"} <= set(operation["responses"])
    names = {p["name"] for p in operation["parameters"]}
    assert {"Prefer", "Last-Event-ID", "protocol"} <= names
    assert ("Idempotency-Key" in names) == ("requestBody" in operation) == path.endswith("answer")


def test_the_report_events_are_described_as_a_records_events():
    paths = build_openapi_document("3.2")["paths"]
    feedback = paths["/feedback/{feedback_id}/events"]["get"]["responses"]
    report = paths["/sessions/{session_id}/report/events"]["get"]["responses"]
    assert set(report) == set(feedback)
    assert report["200"] == feedback["200"]
    markdown = paths["/sessions/{session_id}/report.md"]["get"]["responses"]["200"]
    assert list(markdown["content"]) == ["text/markdown"]


def test_the_two_versions_differ_only_in_their_version_and_streams():
    document_31, document_32 = build_openapi_document("3.1"), build_openapi_document("3.2")
    assert (document_31["openapi"], document_32["openapi"]) == ("3.1.0", "3.2.0")
    assert "itemSchema" not in keys_of(document_31) and "itemSchema" in keys_of(document_32)
    assert document_31["components"] == document_32["components"]
    assert media_types(document_31, "application/json") == media_types(
        document_32, "application/json"
    )
    assert "?version=3.2" in document_31["info"]["description"]


@pytest.mark.parametrize(
    "name", ["FeedbackRequest", "SessionRequest", "SessionAnswerRequest", "SessionMix"]
)
def test_no_request_property_has_a_default(name):
    """openapi-typescript types a property with a default as always present."""
    request = build_openapi_document()["components"]["schemas"][name]
    assert all("default" not in field for field in request["properties"].values())


def test_a_request_property_says_its_default_in_words():
    schemas = build_openapi_document()["components"]["schemas"]
    assert set(schemas["FeedbackRequest"]["required"]) == {"question", "answer"}
    assert schemas["SessionRequest"]["required"] == ["role"]
    seniority = schemas["SessionRequest"]["properties"]["seniority"]
    assert seniority["description"] == 'Default: `"mid"`.'


@pytest.mark.parametrize("version", ["3.0", "3", "latest", ""])
def test_an_unknown_version_is_400(client, version):
    response = client.get("/api/v1/openapi.json", query_string={"version": version})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "3.1, 3.2" in response.json["detail"]
