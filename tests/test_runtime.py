"""Each app has its own runtime: two apps in one process share no stream state."""

from interview.extensions import runtime_of

from .fake_openai import Fault

BODY = {"question": "Why?", "answer": "Because I care about users."}


def test_two_apps_share_no_registry_pacer_flusher_or_client(make_app):
    first, second = runtime_of(make_app()), runtime_of(make_app())
    assert first is not second
    for part in ("live", "pacer", "replays", "flusher", "upstream_clients", "shutdown"):
        assert getattr(first, part) is not getattr(second, part), part


def test_a_generation_is_live_only_in_the_app_that_started_it(make_app, upstream):
    starting, other = make_app(INTERVIEW_UPSTREAM_TIMEOUT_S="1"), make_app()
    upstream.enqueue(Fault(hang_after=2))
    response = starting.test_client().post(
        "/api/v1/feedback", json=BODY, headers={"Prefer": "respond-async"}
    )
    feedback_id = response.get_json()["id"]
    assert runtime_of(starting).live.get(feedback_id) is not None
    assert len(runtime_of(other).live) == 0
    assert starting.test_client().post(f"/api/v1/feedback/{feedback_id}/cancel").status_code == 202
