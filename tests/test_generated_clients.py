"""Clients generated from the served OpenAPI document, used against the running server.

The document is fetched from a real server, as a frontend's build would fetch
it. openapi-python-client (the `test` extra) generates a Python package that
creates a feedback, follows its events, pages through the records and deletes
one, and runs a mock interview session to its report; openapi-typescript
(tests/clients) generates TypeScript types that a small program must
type-check against with `tsc --strict`.
"""

import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import NODE
from .sse_client import Event, parse_events

TEXT = "Clear answer 👍🏽 with a result.\n\nScore: 7/10"
QUESTION = "Tell me about a project you led."
ANSWER = "I led our billing migration and we halved the failed payments."
PYTHON_GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# Without ruff's post-hooks: the generated code need not be formatted to run.
PYTHON_GENERATOR_CONFIG = "post_hooks: []\n"


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


@pytest.fixture(scope="module")
def served_document(server, tmp_path_factory) -> Path:
    """The document as the running server serves it by default, saved to a file."""
    with urllib.request.urlopen(f"{server.url}/api/v1/openapi.json", timeout=10) as response:
        document = json.loads(response.read())
    assert document["openapi"].startswith("3.1.")
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def python_client(served_document, tmp_path_factory):
    """The package openapi-python-client generates from the served document, imported."""
    out = tmp_path_factory.mktemp("generated")
    package = f"interview_client_{out.name.replace('-', '_')}"
    config = out / "config.yaml"
    config.write_text(PYTHON_GENERATOR_CONFIG)
    result = subprocess.run(
        [str(PYTHON_GENERATOR), "generate", "--path", str(served_document)]
        + ["--output-path", str(out / package), "--meta", "none", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def api(client_package, module: str):
    return importlib.import_module(f"{client_package.__name__}.api.default.{module}")


def models(client_package):
    return importlib.import_module(f"{client_package.__name__}.models")


def client_accepting(client_package, server, accept: str):
    """A generated client that sends `accept` (one per Accept: `with_headers` shares state)."""
    return client_package.Client(
        base_url=f"{server.url}/api/v1",
        headers={"Accept": accept},
        raise_on_unexpected_status=True,
        timeout=30,
    )


def test_the_generated_python_client_drives_the_api(python_client, server, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=3)
    model = models(python_client)
    body = model.FeedbackRequest(question=QUESTION, answer=ANSWER, delay_ms=0)
    with (
        client_accepting(python_client, server, "application/json") as client,
        client_accepting(python_client, server, "text/event-stream") as streams,
    ):
        created = api(python_client, "post_feedback").sync_detailed(client=client, body=body)
        assert created.status_code == 202
        assert isinstance(created.parsed, model.Accepted)
        feedback_id = created.parsed.id

        events_of = api(python_client, "get_feedback_feedback_id_events")
        stream = events_of.sync_detailed(feedback_id, client=streams)
        assert stream.status_code == 200 and isinstance(stream.parsed, str)
        lines = iter(stream.content.splitlines(True))
        events = [e for e in parse_events(lines) if isinstance(e, Event)]
        assert [events[0].event, events[-1].event] == ["start", "done"]
        record = model.Feedback.from_dict(events[-1].json())
        assert record.id == feedback_id and record.feedback == TEXT
        assert record.status == model.FeedbackStatus.COMPLETED

        second = api(python_client, "post_feedback").sync(client=client, body=body)
        assert isinstance(second, model.Accepted)
        list_feedback = api(python_client, "get_feedback")
        first_page = list_feedback.sync(client=client, limit=1)
        assert isinstance(first_page, model.FeedbackList)
        assert isinstance(first_page.items[0], model.Feedback)
        assert [r.id for r in first_page.items] == [second.id]
        second_page = list_feedback.sync(client=client, limit=1, cursor=first_page.next_)
        assert [r.id for r in second_page.items] == [feedback_id]

        delete = api(python_client, "delete_feedback_feedback_id")
        assert delete.sync_detailed(feedback_id, client=client).status_code == 204
        read = api(python_client, "get_feedback_feedback_id")
        gone = read.sync_detailed(feedback_id, client=client)
        assert gone.status_code == 404 and isinstance(gone.parsed, model.Problem)
        assert isinstance(read.sync(second.id, client=client), model.Feedback)
        events_of.sync_detailed(second.id, client=streams)  # waits for its generation to end


def last_event(stream: bytes) -> str:
    """The name of a whole event stream's last event."""
    return [e for e in parse_events(iter(stream.splitlines(True))) if isinstance(e, Event)][
        -1
    ].event


def test_the_generated_python_client_runs_a_session_to_its_report(
    python_client, server, fake_openai
):
    fake_openai.reset()
    fake_openai.configure(text=TEXT, chunk_chars=3)
    model = models(python_client)
    with (
        client_accepting(python_client, server, "application/json") as client,
        client_accepting(python_client, server, "text/event-stream") as streams,
    ):
        request = model.SessionRequest(role="Backend engineer", question_count=3)
        session = api(python_client, "post_sessions").sync(client=client, body=request)
        assert isinstance(session, model.Session)
        assert session.status == model.SessionStatus.ACTIVE and session.next_ == "1"
        session_id = session.id

        answer = api(python_client, "post_sessions_session_id_questions_number_answer")
        body = model.SessionAnswerRequest(answer=ANSWER, delay_ms=0)
        started = answer.sync_detailed(session_id, "1", client=client, body=body)
        assert started.status_code == 202 and isinstance(started.parsed, model.Accepted)
        events_of = api(python_client, "get_feedback_feedback_id_events")
        stream = events_of.sync_detailed(started.parsed.id, client=streams)
        assert last_event(stream.content) == "done"

        report = api(python_client, "post_sessions_session_id_report")
        begun = report.sync_detailed(session_id, client=client)
        assert begun.status_code == 202 and isinstance(begun.parsed, model.Accepted)
        report_events = api(python_client, "get_sessions_session_id_report_events")
        stream = report_events.sync_detailed(session_id, client=streams)
        assert stream.status_code == 200 and last_event(stream.content) == "done"

        record = api(python_client, "get_sessions_session_id_report").sync(
            session_id, client=client
        )
        assert isinstance(record, model.Feedback)
        assert record.id == begun.parsed.id and record.kind == model.FeedbackKind.REPORT
        assert record.status == model.FeedbackStatus.COMPLETED and record.feedback == TEXT
        ended = api(python_client, "get_sessions_session_id").sync(session_id, client=client)
        assert isinstance(ended, model.Session) and ended.status == model.SessionStatus.ENDED
        assert ended.report.id == record.id
        assert ended.questions[0].status == model.SessionQuestionStatus.ANSWERED


USES_THE_TYPES = """\
import type { components, paths } from "./schema";

type FeedbackRequest =
  paths["/feedback"]["post"]["requestBody"]["content"]["application/json"];
type Accepted =
  paths["/feedback"]["post"]["responses"][202]["content"]["application/json"];
type Page = paths["/feedback"]["get"]["responses"][200]["content"]["application/json"];
type Stream =
  paths["/feedback/{feedback_id}/events"]["get"]["responses"][200]["content"]["text/event-stream"];
type Record = components["schemas"]["Feedback"];
type ListQuery = NonNullable<paths["/feedback"]["get"]["parameters"]["query"]>;

export const body: FeedbackRequest = { question: "Why us?", answer: "The product.", delay_ms: 0 };
export const query: ListQuery = { limit: 20, cursor: "abc" };
export const stream: Stream = "event: done\\ndata: {}\\n\\n";
export function eventsUrl(accepted: Accepted): string | undefined {
  return accepted.events_url;
}
export function scores(page: Page): Array<number | null | undefined> {
  return (page.items ?? []).map((record: Record) => record.score);
}
export const finished: NonNullable<Record["status"]>[] = ["completed", "failed", "interrupted"];

// @ts-expect-error: an answer is required
export const noAnswer: FeedbackRequest = { question: "Why us?" };
// @ts-expect-error: no record has this status
export const unknownStatus: Record["status"] = "pending";
// @ts-expect-error: the limit is a number
export const textLimit: ListQuery = { limit: "20" };

type Session = components["schemas"]["Session"];
type NewSession = paths["/sessions"]["post"]["requestBody"]["content"]["application/json"];
type SessionAnswer =
  paths["/sessions/{session_id}/questions/{number}/answer"]["post"]["requestBody"]["content"]["application/json"];
type ReportStream =
  paths["/sessions/{session_id}/report/events"]["get"]["responses"][200]["content"]["text/event-stream"];

export const newSession: NewSession = { role: "Backend engineer", question_count: 3 };
export const sessionAnswer: SessionAnswer = { answer: "The product.", delay_ms: 0 };
export const reportStream: ReportStream = "event: done\\ndata: {}\\n\\n";
export function nextNumber(session: Session): string | null | undefined {
  return session.next;
}
export function reportEventsUrl(session: Session): string | undefined {
  return session.report?.events_url;
}
export const sessionStates: NonNullable<Session["status"]>[] = ["preparing", "active", "ended"];

// @ts-expect-error: the session has the question; an answer does not send one
export const askedAgain: SessionAnswer = { answer: "The product.", question: "Why us?" };
// @ts-expect-error: no session has this status
export const pausedSession: Session["status"] = "paused";
"""
TSC_OPTIONS = ["--noEmit", "--strict", "--target", "es2022", "--module", "preserve"]


def run_node_tool(clients: Path, tool: str, *args: str, cwd: Path):
    return subprocess.run(
        [str(NODE), str(clients / "node_modules" / ".bin" / tool), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def typescript_types(node_clients, served_document) -> Path:
    """The types openapi-typescript generates from the served document (schema.d.ts)."""
    folder = served_document.parent
    generated = run_node_tool(
        node_clients, "openapi-typescript", str(served_document), "-o", "schema.d.ts", cwd=folder
    )
    assert generated.returncode == 0, generated.stderr
    return folder


WRONG_USES = USES_THE_TYPES.replace("delay_ms: 0", 'delay_ms: "0"').replace(
    "accepted.events_url", "accepted.stream_url"
)


@pytest.mark.parametrize(
    ("usage", "errors"),
    [(USES_THE_TYPES, []), (WRONG_USES, ["usage.ts(13,", "TS2322", "usage.ts(17,", "TS2339"])],
    ids=["right", "wrong"],
)
def test_the_generated_typescript_types_check(node_clients, typescript_types, usage, errors):
    (typescript_types / "usage.ts").write_text(usage)
    checked = run_node_tool(node_clients, "tsc", *TSC_OPTIONS, "usage.ts", cwd=typescript_types)
    assert (checked.returncode == 0) == (not errors), checked.stdout
    assert all(error in checked.stdout for error in errors), checked.stdout
