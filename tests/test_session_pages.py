"""The mock interview pages in a real browser (Chromium through Playwright).

The fake upstream plays the interviewer (`tests/interviewer.py`): it writes the
questions for a job description, the feedback on each answer, a follow-up and
the report. The pages only drive /api/v1/sessions, which tests/test_sessions_api.py
covers on both databases; here one database is enough.
"""

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from .fake_openai import Fault
from .interviewer import FOLLOW_UP, QUESTIONS, interviewer, numbered
from .test_accessibility import blocking_violations
from .test_pages import shot
from .test_speaking_page import TRANSCRIPT, WORDS

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
HOSTILE = "<img src=x onerror=alert(1)>"
JOB = "We run payments at scale on Postgres and need an engineer who owns reliability."
STRONG = "I owned the plan. As a result we cut p99 latency by 40 percent within a month."


@pytest.fixture(scope="module")
def site(server_factory):
    return server_factory(INTERVIEW_STREAM_DELAY_MS="2", INTERVIEW_ANSWER_TARGET_S="60")


@pytest.fixture(scope="module")
def offline_site(server_factory):
    return server_factory(INTERVIEW_PROVIDER="offline", INTERVIEW_STREAM_DELAY_MS="0")


def open_page(browser: Browser, **options) -> Page:
    context = browser.new_context(**options)
    page = context.new_page()
    page.js_errors = []
    page.dialogs = []
    page.touch = bool(options.get("has_touch"))
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


@pytest.fixture
def desktop(browser: Browser):
    page = open_page(browser, **DESKTOP)
    yield page
    page.context.close()
    assert page.js_errors == [] and page.dialogs == []


def press(page: Page, selector: str) -> None:
    """Tap on a touch screen, click elsewhere."""
    target = page.locator(selector)
    target.tap() if page.touch else target.click()


def set_up(page: Page, site, role="Backend engineer", job=JOB, count=3) -> str:
    """Fill the setup form and start; return the session page's URL."""
    page.goto(site.url + "/interview")
    page.fill("#role", role)
    if job:
        page.fill("#job_description", job)
    page.fill("#question_count", str(count))
    press(page, "#begin")
    page.wait_for_url("**/interview/*")
    return page.url


def begin(page: Page) -> None:
    """Wait for the written questions and begin with the first."""
    expect(page.locator("#preparing-status")).to_have_text("Your questions are ready.")
    press(page, "#begin")


def answer(page: Page, number: str, total: int, text: str = STRONG) -> None:
    expect(page.locator("#progress")).to_contain_text(f"Question {number} of {total}")
    expect(page.locator("#typed-think")).to_be_visible()
    press(page, "#typed-start-now")
    expect(page.locator("#typed-timer")).to_be_visible()
    page.fill("#answer", text)
    press(page, "#submit")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    expect(page.locator("#after")).to_be_visible()


def session_json(site, page: Page) -> dict:
    session_id = page.url.split("/interview/")[1].split("/")[0]
    response = page.request.get(f"{site.url}/api/v1/sessions/{session_id}")
    assert response.ok
    return response.json()


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_whole_interview_with_a_follow_up_and_the_report(browser, site, fake_openai, device):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer(), chunk_chars=8, chunk_delay_s=0.05)
    page = open_page(browser, **device)
    name = "phone" if device is PHONE else "desktop"

    set_up(page, site)
    # The questions stream in as the model writes them, then show as the session's list.
    expect(page.locator("#questions-text")).to_contain_text("[behavioural]")
    expect(page.locator("#preparing-status")).to_have_text("Your questions are ready.")
    expect(page.locator("#questions-text")).to_be_hidden()
    expect(page.locator("#questions-list li")).to_have_count(3)
    fake_openai.configure(text_for=interviewer(), chunk_chars=8, chunk_delay_s=0)
    press(page, "#begin")
    expect(page.locator("#question")).to_have_text(QUESTIONS[0][1])
    expect(page.locator("#why")).to_have_text("Why this question: " + QUESTIONS[0][2])
    expect(page.locator("#typed-think-left")).not_to_have_text("")
    expect(page.locator("#typed-target")).to_have_text("1:00")
    shot(page, f"interview-question-{name}")

    answer(page, "1", 3)
    expect(page.locator("#feedback")).to_contain_text("Good answer.")
    expect(page.locator("#summary .criteria li")).to_have_count(5)
    expect(page.locator("#answer")).to_have_js_property("readOnly", True)
    # The follow-up streams in, then becomes question 1a.
    press(page, "#follow-up")
    expect(page.locator("#progress")).to_contain_text("Question 1a of 3 (follow-up)")
    expect(page.locator("#question")).to_have_text(FOLLOW_UP)
    answer(page, "1a", 3)
    expect(page.locator("#follow-up")).to_be_hidden()  # no follow-up on a follow-up

    # A reload shows the answered question's feedback again, with what comes next.
    page.reload()
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    expect(page.locator("#answer")).to_have_value(STRONG)
    press(page, "#next")
    answer(page, "2", 3)
    press(page, "#next")
    answer(page, "3", 3)
    expect(page.locator("#next")).to_be_hidden()
    expect(page.locator("#finished")).to_be_visible()
    shot(page, f"interview-feedback-{name}")

    press(page, "#end")
    page.wait_for_url("**/report")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    expect(page.locator("#report strong")).to_have_text("Across your answers")
    expect(page.locator("#report li")).to_have_text("Evidence was thin.")
    expect(page.locator("#overall")).to_have_text("Mean score: 10.0/10")
    rows = page.locator(".session-questions li")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("1a.")
    expect(rows.nth(1)).to_contain_text("score 10/10")
    attempt = page.request.get(site.url + rows.nth(1).locator("a").get_attribute("href"))
    assert attempt.ok and FOLLOW_UP in attempt.text()
    shot(page, f"interview-report-{name}")
    markdown = page.request.get(site.url + page.get_attribute("#download", "href"))
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "Overall, a solid interview." in markdown.text()
    assert session_json(site, page)["status"] == "ended"
    # A reload replays the finished report rather than starting another.
    page.reload()
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    expect(page.locator("#report")).to_contain_text("Overall, a solid interview.")
    reports = [r for r in fake_openai.requests if "debrief" in json.dumps(r.body)]
    assert len(reports) == 1
    page.context.close()
    assert page.js_errors == [] and page.dialogs == []


def test_model_text_is_shown_as_text_never_as_html(desktop, site, fake_openai):
    hostile_questions = [(kind, f"{text} {HOSTILE}", why) for kind, text, why in QUESTIONS]
    fake_openai.reset()
    fake_openai.configure(
        text_for=interviewer(
            questions=numbered(hostile_questions),
            follow_up=f"What changed? {HOSTILE}",
            report=f"A debrief. {HOSTILE}\n\n- one {HOSTILE}",
        )
    )
    page = desktop
    set_up(page, site)
    expect(page.locator("#questions-list li").first).to_contain_text(HOSTILE)
    begin(page)
    expect(page.locator("#question")).to_contain_text(HOSTILE)
    answer(page, "1", 3)
    press(page, "#follow-up")
    expect(page.locator("#question")).to_have_text("What changed?")  # the parser drops markup
    answer(page, "1a", 3)
    press(page, "#end")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    expect(page.locator("#report")).to_contain_text("A debrief.")
    expect(page.locator(".session-questions li").first).to_contain_text(HOSTILE)
    assert page.locator("main img").count() == 0


def test_skip_then_end_early_and_the_report_on_paper(desktop, site, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer())
    page = desktop
    session_url = set_up(page, site, job=None, count=4)
    # Without a job description the questions come from the bank at once.
    expect(page.locator("#progress")).to_contain_text("Question 1 of 4")
    expect(page.locator("#preparing")).to_be_hidden()
    expect(page.locator("#typed-think-left")).to_have_text("14", timeout=3000)
    # Ending before any answer has no report: said plainly, with the way back.
    press(page, "#end")
    expect(page.locator("#report-error")).to_have_text(
        "Answer at least one question before asking for the report."
    )
    press(page, "#back")
    press(page, "#skip")
    expect(page.locator("#progress")).to_contain_text("Question 2 of 4")
    answer(page, "2", 4)
    expect(page.locator("#next")).to_be_visible()
    press(page, "#end")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    rows = page.locator(".session-questions li")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("skipped")
    expect(rows.nth(1)).to_contain_text("score 10/10")
    expect(rows.nth(2)).to_contain_text("not answered")
    # The ended session's page says so and leads to the report.
    page.goto(session_url)
    expect(page.locator("#ended")).to_be_visible()
    expect(page.locator("#question-card")).to_be_hidden()
    press(page, "#end")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)

    page.emulate_media(media="print")
    for hidden in ("header.site", "footer.site", "#download", ".session-questions a"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("#report")).to_be_visible()
    expect(page.locator(".session-questions")).to_be_visible()
    shot(page, "interview-report-print")


def test_a_spoken_answer_sends_its_transcription(microphone_browser, site, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer(), transcript=TRANSCRIPT, transcript_words=WORDS)
    page = open_page(microphone_browser, **DESKTOP)
    set_up(page, site, job=None)
    expect(page.locator("#typed-think")).to_be_visible()
    page.check("#mode-speak")
    expect(page.locator("#typed-timing")).to_be_hidden()
    page.click("#record")
    page.click("#start-now")
    expect(page.locator("#recording")).to_be_visible()
    page.wait_for_timeout(1500)
    page.click("#stop-recording")
    expect(page.locator("#answer")).to_have_value(TRANSCRIPT, timeout=20_000)
    expect(page.locator("#spoken-delivery")).to_contain_text("words per minute")
    page.click("#submit")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    [question] = [q for q in session_json(site, page)["questions"] if q["number"] == "1"]
    record = page.request.get(f"{site.url}/api/v1/feedback/{question['feedback_id']}").json()
    assert record["answer"] == TRANSCRIPT and record["delivery"]["words_per_minute"] == 120
    page.context.close()
    assert page.js_errors == []


def test_offline_the_page_says_the_questions_come_from_the_bank(desktop, offline_site):
    set_up(desktop, offline_site)
    expect(desktop.locator("#questions-note")).to_contain_text("No model is configured")
    expect(desktop.locator("#progress")).to_contain_text("Question 1 of 3")


def test_another_browsers_session_is_not_found(browser, desktop, site, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer())
    url = set_up(desktop, site, job=None)
    stranger = browser.new_context()
    try:
        for path in (url, url + "/report"):
            response = stranger.new_page().goto(path)
            assert response.status == 404 and "text/html" in response.headers["content-type"]
            assert "no such mock interview" in response.text()
    finally:
        stranger.close()


def test_a_refusal_is_said_in_plain_words(desktop, site, fake_openai):
    page = desktop
    page.goto(site.url + "/interview")
    press(page, "#begin")
    expect(page.locator("#role-error")).to_have_text("Say which role you are applying for.")
    expect(page.locator("#role")).to_be_focused()
    page.fill("#role", "Engineer")
    page.fill("#question_count", "5")
    page.fill("#mix-technical", "2")
    press(page, "#begin")
    expect(page.locator("#mix-error")).to_be_visible()
    expect(page.locator("#mix-technical")).to_have_attribute("aria-invalid", "true")
    page.fill("#job_description", "x" * 20)
    expect(page.locator("#job_description-count")).to_have_text("20 of 8,000 characters")
    assert page.get_attribute("#job_description-count", "aria-live") is None
    shot(page, "interview-setup")


def axe_scenes(page: Page, site) -> dict[str, None]:
    found = {}
    page.goto(site.url + "/interview")
    found["setup"] = blocking_violations(page)
    set_up(page, site, job=None)
    expect(page.locator("#typed-think")).to_be_visible()
    found["question"] = blocking_violations(page)
    press(page, "#typed-start-now")
    page.fill("#answer", STRONG)
    press(page, "#submit")
    expect(page.locator("#after")).to_be_visible(timeout=15_000)
    found["feedback"] = blocking_violations(page)
    press(page, "#end")
    expect(page.locator("#status-text")).to_have_text("Done.", timeout=15_000)
    found["report"] = blocking_violations(page)
    return found


@pytest.mark.parametrize(
    ("device", "scheme"), [(DESKTOP, "light"), (PHONE, "dark")], ids=["desktop", "phone-dark"]
)
def test_no_serious_accessibility_violations(browser, site, fake_openai, device, scheme):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer())
    page = open_page(browser, bypass_csp=True, color_scheme=scheme, **device)
    try:
        found = axe_scenes(page, site)
    finally:
        page.context.close()
    assert all(not violations for violations in found.values()), found


@pytest.mark.parametrize(
    ("status", "headers", "said"),
    [
        (429, {"Retry-After": "7"}, "Too many requests: try again in 7 s."),
        (503, {}, "The service is busy or unavailable right now. Try again in a moment."),
        (500, {}, "The request failed (500). Try again in a moment."),
        (None, {}, "Could not reach the service. Check your connection and try again."),
    ],
)
def test_a_failed_answer_is_said_in_plain_words(desktop, site, fake_openai, status, headers, said):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer())
    page = desktop
    set_up(page, site, job=None)

    def refuse(route):
        if status is None:
            route.abort()
            return
        body = {"type": "about:blank", "title": "Refused", "status": status, "detail": "x"}
        route.fulfill(
            status=status,
            headers=headers,
            content_type="application/problem+json",
            body=json.dumps(body),
        )

    page.route("**/questions/1/answer", refuse)
    page.fill("#answer", STRONG)
    press(page, "#submit")
    expect(page.locator("#page-error")).to_have_text(said)
    expect(page.locator("#submit")).to_be_enabled()


def test_feedback_that_fails_upstream_lets_the_interview_go_on(desktop, site, fake_openai):
    fake_openai.reset()
    fake_openai.configure(text_for=interviewer())
    page = desktop
    set_up(page, site, job=None)
    fake_openai.enqueue(Fault(status=500))
    page.fill("#answer", STRONG)
    press(page, "#submit")
    expect(page.locator("#stream-error")).to_contain_text("No feedback this time:")
    expect(page.locator("#stream-error")).to_contain_text(
        "Your answer is saved; go on to the next question."
    )
    expect(page.locator("#retry")).to_be_hidden()
    press(page, "#next")
    expect(page.locator("#progress")).to_contain_text("Question 2 of 3")
