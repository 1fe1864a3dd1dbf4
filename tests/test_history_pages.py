"""The history and progress pages list this browser's mock interviews, made through the API."""

import re

from interview.web.charts import WIDTH, session_chart

from .interviewer import interviewer
from .sse_client import stream_from_response
from .test_ownership import Browser
from .test_session_trends import MONDAY, TUESDAY, answer, assessed, by_name

ROLE = "<script>window.__xss=1</script> Backend engineer"
STRONG = "I led the migration; the result was p99 down from 900 ms to 80 ms."
WEAK = "I would probably just try harder next time, I think."


class Candidate(Browser):
    """A browser that takes mock interviews through the API its pages use."""

    def post(self, url: str, **kwargs):
        headers = {"X-CSRF-Token": self.token, "Accept": "application/json"}
        return self.client.post(url, headers=headers, **kwargs)

    def start(self, role: str = "Backend engineer", count: int = 3) -> str:
        response = self.post("/api/v1/sessions", json={"role": role, "question_count": count})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def answer(self, session_id: str, number: str, text: str) -> str:
        url = f"/api/v1/sessions/{session_id}/questions/{number}/answer"
        response = self.post(url, json={"answer": text})
        assert response.status_code == 202, response.get_json()
        body = response.get_json()
        events = stream_from_response(self.client.get(body["events_url"])).events
        assert events[-1].event == "done"
        return body["id"]

    def end(self, session_id: str) -> None:
        response = self.post(f"/api/v1/sessions/{session_id}/report")
        events = stream_from_response(self.client.get(response.get_json()["events_url"])).events
        assert events[-1].event == "done"

    def page(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)


def section(html: str, element_id: str) -> str:
    """The HTML of the element with this id, up to its closing tag (no nesting of the same tag)."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"', html)
    assert match, f"no #{element_id}"
    end = html.index(f"</{match.group(1)}>", match.end())
    return html[match.start() : end]


def two_interviews(alice: Candidate) -> dict:
    """An ended interview with two answers, a later active one with one, an untouched one."""
    first = alice.start(role=ROLE)
    strong = alice.answer(first, "1", STRONG)
    weak = alice.answer(first, "2", WEAK)
    alice.end(first)
    second = alice.start()
    later = alice.answer(second, "1", STRONG)
    untouched = alice.start(role="Data analyst")
    return {
        "first": first,
        "second": second,
        "untouched": untouched,
        "answers": (strong, weak, later),
    }


def test_history_lists_sessions_newest_first_with_their_answers(app, upstream):
    upstream.configure(text_for=interviewer())
    alice = Candidate(app)
    made = two_interviews(alice)
    practised = alice.create()  # an attempt outside any session
    html = alice.page("/history")

    ids = re.findall(r'<article class="session" id="session-([\w-]+)"', html)
    assert ids == [made["untouched"], made["second"], made["first"]]

    first = section(html, f"session-{made['first']}")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt; Backend engineer" in first
    assert "<script>window.__xss" not in html
    assert '<span class="badge ended">ended</span>' in first
    assert "answered 2 of 3" in first
    assert "mean score 6.5/10" in first  # 10 and 3
    assert f'href="/interview/{made["first"]}"' in first
    assert f'href="/interview/{made["first"]}/report"' in first
    strong, weak, later = made["answers"]
    assert re.findall(r'<li id="answer-([\w-]+)">', first) == [strong, weak]
    assert f'href="/feedback/{strong}"' in first and "10/10" in first and "3/10" in first

    second = section(html, f"session-{made['second']}")
    assert '<span class="badge active">active</span>' in second
    assert "answered 1 of 3" in second and "mean score 10.0/10" in second
    assert "/report" not in second
    untouched = section(html, f"session-{made['untouched']}")
    assert "answered 0 of 3" in untouched and "No question answered yet." in untouched

    # a session's answers are listed with their session, not among the other attempts
    practice = html[html.index('id="practice"') :]
    assert re.findall(r'<li id="attempt-([\w-]+)">', practice) == [practised]
    assert 'href="/progress"' in html
    # each answer's own page is there for its owner
    assert alice.client.get(f"/feedback/{later}").status_code == 200


def test_another_browser_sees_none_of_them(app, upstream):
    upstream.configure(text_for=interviewer())
    alice, bob = Candidate(app), Candidate(app)
    made = two_interviews(alice)
    html = bob.page("/history")
    assert "No mock interviews yet." in html
    assert all(made[key] not in html for key in ("first", "second", "untouched"))
    progress = bob.page("/progress")
    assert "No mock interview has assessed answers yet." in progress
    assert "<svg" not in progress and made["first"] not in progress
    for feedback_id in made["answers"]:
        assert bob.client.get(f"/feedback/{feedback_id}").status_code == 404


def test_progress_draws_each_criterion_across_sessions(app, upstream):
    upstream.configure(text_for=interviewer())
    alice = Candidate(app)
    made = two_interviews(alice)
    html = alice.page("/progress")
    assert "Answer questions in two sessions" not in html
    for name in ("relevance", "structure", "evidence", "ownership", "delivery", "overall"):
        trend = section(html, f"trend-{name}")
        assert trend.count("<svg") == 1 and trend.count("<circle") == 2
        assert f'aria-labelledby="chart-{name}-title chart-{name}-desc"' in trend
        rows = re.findall(r'<tr data-session="([\w-]+)">', trend)
        assert rows == [made["first"], made["second"]]  # oldest first; the untouched one has none
    relevance = section(html, "trend-relevance")
    described = r"<desc [^>]*>[^<]*3\.5/5, [^<]*5\.0/5\. Mean over 3 answers: 4\.0/5"
    assert re.search(described, relevance)
    overall = section(html, "trend-overall")
    assert "6.5/10" in overall and "10.0/10" in overall
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in overall  # the role, as text
    assert "<script>window.__xss" not in html


def test_progress_with_one_session_says_what_a_trend_needs(app, upstream):
    upstream.configure(text_for=interviewer())
    alice = Candidate(app)
    session_id = alice.start()
    alice.answer(session_id, "1", WEAK)
    html = alice.page("/progress")
    assert "One mock interview has assessed answers so far." in html
    assert "Answer questions in two sessions to see a trend." in html
    assert "<svg" not in html
    structure = section(html, "trend-structure")
    assert re.findall(r'<tr data-session="([\w-]+)">', structure) == [session_id]
    assert "2.0/5" in structure


def test_history_pages_through_older_sessions(app):
    alice = Candidate(app)
    made = [alice.start(role=f"Role {n}") for n in range(21)]
    html = alice.page("/history")
    shown = re.findall(r'<article class="session" id="session-([\w-]+)"', html)
    assert shown == made[::-1][:20]
    older = re.search(r'id="older-sessions" href="([^"]+)"', html).group(1)
    html = alice.page(older.replace("&amp;", "&"))
    assert re.findall(r'<article class="session" id="session-([\w-]+)"', html) == [made[0]]
    assert 'id="older-sessions"' not in html and 'id="practice"' not in html
    assert alice.client.get("/history?sessions=garbage").status_code == 400


def test_a_trend_chart_puts_its_scale_top_to_bottom_and_the_mean_between():
    trend = by_name(
        [
            answer("a", MONDAY, assessed({"evidence": 1}, status="partial")),
            answer("b", TUESDAY, assessed({"evidence": 5}, status="partial")),
        ]
    )["evidence"]
    chart = session_chart(trend)
    assert [(p.x, p.y) for p in chart.points] == [(18, chart.low_y), (WIDTH - 18, chart.high_y)]
    assert chart.high_y < chart.mean_y < chart.low_y
    assert chart.mean_y == (chart.high_y + chart.low_y) / 2  # the mean, 3, halfway up
    assert chart.line == f"18.0,{chart.low_y} {WIDTH - 18}.0,{chart.high_y}"
