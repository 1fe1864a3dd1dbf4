"""The history and progress pages in Chromium, with sessions made through the API; axe-core."""

import pytest
from playwright.sync_api import Browser, Page, expect

from .interviewer import interviewer
from .test_accessibility import DESKTOP, PHONE, blocking_violations
from .test_pages import shot

ROLE = "<img src=x onerror=\"window.__xss='role'\"> Site reliability engineer"
STRONG = "I led the migration; the result was p99 down from 900 ms to 80 ms."
WEAK = "I would probably just try harder next time, I think."


@pytest.fixture(scope="module")
def site(server_factory):
    return server_factory(INTERVIEW_STREAM_DELAY_MS="1")


class Candidate:
    """A browser page that takes mock interviews through the API, with its own cookie."""

    def __init__(self, page: Page, site) -> None:
        self.page, self.url = page, site.url
        page.goto(site.url + "/")
        self.csrf = page.get_attribute('meta[name="csrf-token"]', "content")

    def post(self, path: str, body: dict | None = None) -> dict:
        response = self.page.request.post(
            self.url + path,
            data=body or {},
            headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"},
        )
        assert response.ok, response.text()
        return response.json()

    def follow(self, events_url: str) -> None:
        text = self.page.request.get(self.url + events_url, timeout=30_000).text()
        assert "event: done" in text

    def start(self, role: str) -> str:
        return self.post("/api/v1/sessions", {"role": role, "question_count": 3})["id"]

    def answer(self, session_id: str, number: str, text: str) -> str:
        made = self.post(
            f"/api/v1/sessions/{session_id}/questions/{number}/answer", {"answer": text}
        )
        self.follow(made["events_url"])
        return made["id"]

    def end(self, session_id: str) -> None:
        self.follow(self.post(f"/api/v1/sessions/{session_id}/report")["events_url"])


@pytest.fixture(scope="module")
def interviews(browser: Browser, site, fake_openai):
    """A browser (its storage state) with two mock interviews: one ended, one active."""
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer())
    context = browser.new_context()
    candidate = Candidate(context.new_page(), site)
    first = candidate.start(ROLE)
    candidate.answer(first, "1", STRONG)
    candidate.answer(first, "2", WEAK)
    candidate.end(first)
    second = candidate.start("Backend engineer")
    candidate.answer(second, "1", STRONG)
    state = context.storage_state()
    context.close()
    fake_openai.reset()
    return {"state": state, "first": first, "second": second}


def test_history_and_progress_show_the_sessions_to_their_browser_only(
    browser: Browser, site, interviews
):
    context = browser.new_context(storage_state=interviews["state"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url + "/history")
    sessions = page.locator("article.session")
    expect(sessions).to_have_count(2)
    first = page.locator(f"#session-{interviews['first']}")
    expect(sessions.nth(1)).to_have_id(f"session-{interviews['first']}")
    expect(first.locator("h3")).to_have_text(ROLE)  # the role as text, not markup
    expect(first).to_contain_text("answered 2 of 3")
    expect(first).to_contain_text("mean score 6.5/10")
    expect(first.locator(".session-answers li")).to_have_count(2)
    expect(first.locator("a.report")).to_have_attribute(
        "href", f"/interview/{interviews['first']}/report"
    )
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img").count() == 0

    shot(page, "history-sessions")
    answer_link = first.locator(".session-answers a").first
    href = answer_link.get_attribute("href")
    assert href.startswith("/feedback/")
    answer_link.click()
    expect(page).to_have_url(site.url + href)
    expect(page.locator(".answer")).to_contain_text(STRONG)

    page.goto(site.url + "/history")
    page.click("#progress-link")
    expect(page).to_have_url(site.url + "/progress")
    expect(page.locator("svg.chart")).to_have_count(6)
    relevance = page.locator("#trend-relevance")
    expect(relevance.locator("svg circle")).to_have_count(2)
    expect(relevance.locator("svg title").first).to_have_text("Relevance: mean per mock interview")
    expect(relevance.locator("table")).not_to_be_visible()  # folded under the chart
    relevance.locator("summary").click()
    expect(relevance.locator("tbody tr")).to_have_count(2)
    expect(relevance.locator("tbody tr").first).to_contain_text("3.5/5")
    expect(relevance.locator("tfoot")).to_contain_text("4.0/5")
    assert page.evaluate("window.__xss") is None
    shot(page, "progress-criteria")
    context.close()
    assert errors == []

    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(site.url + "/history")
    expect(other.locator("article.session")).to_have_count(0)
    expect(other.locator("#sessions")).to_contain_text("No mock interviews yet.")
    other.goto(site.url + "/progress")
    expect(other.locator("#progress-empty")).to_contain_text(
        "Answer questions in two sessions to see a trend."
    )
    expect(other.locator("svg.chart")).to_have_count(0)
    stranger.close()


SCENES = [
    ("/history", DESKTOP, "light"),
    ("/history", PHONE, "dark"),
    ("/progress", DESKTOP, "light"),
    ("/progress", DESKTOP, "dark"),
    ("/progress", PHONE, "light"),
]


@pytest.mark.parametrize(("path", "viewport", "scheme"), SCENES)
def test_no_serious_accessibility_violations(
    browser: Browser, site, interviews, path, viewport, scheme
):
    context = browser.new_context(
        storage_state=interviews["state"],
        viewport=viewport,
        color_scheme=scheme,
        bypass_csp=True,
    )
    page = context.new_page()
    try:
        page.goto(site.url + path)
        expect(page.locator("article.session, svg.chart").first).to_be_visible()
        found = blocking_violations(page)
    finally:
        context.close()
    assert not found, "axe-core found:\n" + "\n".join(found)


@pytest.mark.parametrize("path", ["/history", "/progress"])
def test_empty_pages_have_no_serious_accessibility_violations(browser: Browser, site, path):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(site.url + path)
        found = blocking_violations(page)
    finally:
        context.close()
    assert not found, "axe-core found:\n" + "\n".join(found)
