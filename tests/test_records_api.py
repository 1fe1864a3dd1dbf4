"""Reading, listing and deleting records."""

from .sse_client import stream_from_response

ASYNC = {"Accept": "application/json"}


def create(client, n: int = 1, **fields) -> list[str]:
    ids = []
    for i in range(n):
        body = {"question": f"Question {i}?", "answer": f"My answer number {i}.", **fields}
        ids.append(client.post("/api/v1/feedback", json=body, headers=ASYNC).get_json()["id"])
    for feedback_id in ids:  # wait until each has finished
        stream_from_response(client.get(f"/api/v1/feedback/{feedback_id}/events"))
    return ids


def test_get_returns_the_whole_record(client, upstream):
    upstream.configure(text="Nice.\nScore: 9/10")
    [feedback_id] = create(client, role="PM")
    record = client.get(f"/api/v1/feedback/{feedback_id}").get_json()
    assert set(record) == {
        "id",
        "question",
        "answer",
        "role",
        "feedback",
        "status",
        "provider",
        "model",
        "prompt_version",
        "error",
        "score",
        "metrics",
        "delivery",
        "usage",
        "delay_ms",
        "first_token_ms",
        "created_at",
        "completed_at",
        "assessment",
        "temperature",
        "seed",
        "kind",
        "session_id",
    }
    assert record["id"] == feedback_id
    assert record["kind"] == "answer" and record["session_id"] is None
    assert record["feedback"] == "Nice.\nScore: 9/10"
    # no assessment block: the score is read from the text, as before assessments
    assert record["status"] == "completed" and record["score"] == 9
    assert record["assessment"]["status"] == "missing"
    assert record["temperature"] == 0.2 and record["seed"] is None
    assert record["role"] == "PM" and record["error"] is None
    assert record["created_at"].endswith("+00:00")


def test_unknown_id_is_404(client):
    response = client.get("/api/v1/feedback/does-not-exist")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_list_is_newest_first_with_keyset_pages(client):
    ids = create(client, 5)
    seen, cursor = [], None
    while True:
        url = "/api/v1/feedback?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_list_rejects_bad_limits_and_cursors(client):
    assert client.get("/api/v1/feedback?limit=0").status_code == 422
    assert client.get("/api/v1/feedback?limit=101").status_code == 422
    assert client.get("/api/v1/feedback?limit=abc").status_code == 422
    assert client.get("/api/v1/feedback?cursor=!!!").status_code == 400


def test_delete_removes_the_record_for_good(client):
    [feedback_id] = create(client)
    assert client.delete(f"/api/v1/feedback/{feedback_id}").status_code == 204
    assert client.get(f"/api/v1/feedback/{feedback_id}").status_code == 404
    assert client.delete(f"/api/v1/feedback/{feedback_id}").status_code == 404
