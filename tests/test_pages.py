"""The practice pages in a real browser (Debian's Chromium through Playwright)."""

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy
from playwright.sync_api import Browser, Page, expect

from .fake_openai import FakeOpenAI, Fault, with_assessment
from .offline_answers import GERMAN_ANSWER

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
QUESTION = "Tell me about a time you resolved a conflict in your team."
ANSWER = (
    "At my previous company two engineers disagreed about a release. I was responsible for "
    "the plan, so I met each of them and proposed a staged rollout. As a result we shipped "
    "on time and cut incidents by 30%."
)
FEEDBACK = (
    "**Verdict**: a clear answer with a measurable result.\n\n"
    "**Strengths**\n- You owned the plan.\n- The result has a number.\n\n"
    "**Improvements**\n- Say what each engineer wanted.\n- Add what you learned.\n\n"
    "Score: 7/10"
)
ASSESSED = "**Verdict**: a clear answer with a measurable result."
BLOCK = {
    "question_kind": "behavioural",
    "criteria": {"relevance": 5, "structure": 4, "evidence": 4, "ownership": 5, "delivery": 3},
    "star": {
        "situation": {"status": "present", "quote": "two engineers disagreed about a release"},
        "task": {"status": "partial", "quote": "I was responsible for the plan"},
        "action": {"status": "present", "quote": "proposed a staged rollout"},
        "result": {"status": "missing", "quote": ""},
    },
}
PLAIN = "Plain feedback that streams one character at a time and ends here."


@pytest.fixture(scope="module")
def site(server_factory):
    return server_factory(INTERVIEW_STREAM_DELAY_MS="15")


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def configure(fake: FakeOpenAI, text: str, **settings) -> None:
    fake.reset()
    fake.configure(text=text, chunk_chars=12, **settings)


def record(site, feedback_id: str) -> dict:
    with urllib.request.urlopen(f"{site.url}/api/v1/feedback/{feedback_id}", timeout=10) as r:
        return json.loads(r.read())


def submit(page: Page, site, question: str = QUESTION, answer: str = ANSWER) -> None:
    page.goto(site.url + "/")
    page.fill("#question", question)
    page.fill("#answer", answer)
    page.click("#submit")


def wait_done(page: Page, timeout: float = 20_000) -> str:
    expect(page.locator("#summary a")).to_be_visible(timeout=timeout)
    href = page.get_attribute("#summary a", "href")
    return href.rsplit("/", 1)[1]


def wait_for_text(page: Page, length: int, timeout: float = 10) -> None:
    """Wait until the feedback shows more than `length` characters (polled: CSP forbids eval)."""
    deadline = time.monotonic() + timeout
    while len(page.inner_text("#feedback")) <= length:
        assert time.monotonic() < deadline, "the feedback did not grow"
        page.wait_for_timeout(50)


def cells(comparison, row: str) -> list[str]:
    return [
        text.strip() for text in comparison.locator(f'[data-row="{row}"] > *').all_inner_texts()
    ]


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_feedback_streams_in_and_ends_as_the_models_text(page, site, fake_openai):
    configure(fake_openai, FEEDBACK)
    submit(page, site)
    expect(page.locator("#answer-count")).to_contain_text("words")
    # While the model writes: the answer's metrics as hints, labelled as a keyword check.
    hints = page.locator("#hints")
    expect(hints).to_contain_text("Instant hints keyword check, not the model's judgement")
    expect(hints.locator(".keyword-star .star.yes")).to_have_count(4)
    expect(hints).to_contain_text("39 (about 18 s spoken)")
    shot(page, "practice-hints")
    lengths = []
    for _ in range(6):
        lengths.append(len(page.inner_text("#feedback")))
        page.wait_for_timeout(150)
    assert lengths == sorted(lengths) and lengths[-1] > lengths[0] and lengths[0] < 100

    feedback_id = wait_done(page)
    shown = page.inner_text("#feedback")
    assert "Strengths" in shown and "Score: 7/10" in shown
    assert page.locator("#feedback strong").first.inner_text() == "Verdict"
    assert record(site, feedback_id)["feedback"] == FEEDBACK
    expect(page.locator("#status-text")).to_have_text("Done.")
    # The hints give way to the saved record; this model wrote no assessment, so the
    # page says so rather than show the free-text "7/10" as a judgement.
    expect(page.locator("#hints")).to_have_count(0)
    expect(page.locator("#summary")).to_contain_text("No assessment: the model did not write one.")
    expect(page.locator("#summary")).not_to_contain_text("7/10")
    expect(page.locator("#copy")).to_be_visible()
    shot(page, "practice-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "practice-phone")
    page.emulate_media(color_scheme="dark")
    shot(page, "practice-phone-dark")


def test_stop_ends_the_stream_and_try_again_starts_a_new_attempt(page, site, fake_openai):
    configure(fake_openai, PLAIN * 8, chunk_delay_s=0.05)
    submit(page, site)
    wait_for_text(page, 20)
    page.click("#stop")
    feedback_id = wait_done(page)
    stopped = page.inner_text("#feedback")
    page.wait_for_timeout(600)
    assert page.inner_text("#feedback") == stopped
    saved = record(site, feedback_id)
    assert saved["status"] == "interrupted"
    # the page shows exactly the saved text (a paragraph drops trailing spaces)
    assert saved["feedback"].rstrip() == stopped and len(stopped) < len(PLAIN * 8)

    configure(fake_openai, PLAIN)
    page.click("#try-again")
    # The form comes back with the answer in the box, to revise
    expect(page.locator("#question")).to_have_value(QUESTION)
    expect(page.locator("#answer")).to_have_value(ANSWER)
    expect(page.locator("#revising")).to_contain_text("Revise your answer")
    revised = ANSWER.replace("As a result", "I wrote the plan down for both, and as a result")
    page.fill("#answer", revised)
    page.click("#submit")
    second_id = wait_done(page)
    assert second_id != feedback_id and record(site, second_id)["status"] == "completed"
    # and the new attempt's page shows what changed in the answer
    page.goto(f"{site.url}/feedback/{second_id}")
    expect(page.locator("#answer-diff ins")).to_have_text("I wrote the plan down for both, and as ")
    expect(page.locator("#answer-diff del")).to_have_text("As ")
    expect(page.locator(".answer-diff-note")).to_have_text("9 words added, 1 removed.")
    page.click("#revise")
    expect(page.locator("#answer")).to_have_value(revised)


def test_a_reload_mid_stream_resumes_where_it_was(page, site, fake_openai):
    text = PLAIN * 3
    configure(fake_openai, text, chunk_delay_s=0.15)  # still generating at the reload
    submit(page, site)
    wait_for_text(page, 40)
    page.reload()
    expect(page.locator("#status-text")).not_to_have_text("Writing feedback…", timeout=2000)
    feedback_id = wait_done(page)
    assert page.inner_text("#feedback") == text
    assert record(site, feedback_id)["feedback"] == text


def test_hostile_text_never_becomes_live_html(page, site, fake_openai):
    hostile_model = (
        "Look <img src=x onerror=\"window.__xss='model-img'\"> here.\n\n"
        "<script>window.__xss='model-script'</script>\n\n"
        "[click me](javascript:window.__xss='md-link') and ![pic](x.png)\n\n"
        "<a href=\"javascript:window.__xss='a'\">raw</a> <svg onload=\"window.__xss='svg'\"></svg>"
    )
    configure(fake_openai, hostile_model)
    question = "<img src=x onerror=\"window.__xss='question'\"> Why us?"
    answer = "<script>window.__xss='answer'</script> Because I <b>care</b> about it."
    submit(page, site, question, answer)
    feedback_id = wait_done(page)
    for url in ("/", "/history", f"/feedback/{feedback_id}"):
        page.goto(site.url + url)
        page.wait_for_timeout(300)
        assert page.evaluate("window.__xss") is None
        live = page.evaluate(
            "document.querySelectorAll('main img, main script, main svg:not(.chart), "
            '[onerror], [onload], a[href^="javascript"]\').length'
        )
        assert live == 0
    assert "<img src=x" in page.inner_text("h1")  # shown as text, not markup


def test_history_comparison_and_trend_are_private_to_the_browser(browser, page, site, fake_openai):
    weaker = {
        **BLOCK,
        "criteria": {**BLOCK["criteria"], "structure": 2, "evidence": 2},
        "star": {**BLOCK["star"], "action": {"status": "partial", "quote": "I met each"}},
    }
    assessed(fake_openai, weaker)  # overall: mean 3.4 → 6.4 → 6
    submit(page, site)
    first_id = wait_done(page)
    assessed(fake_openai, BLOCK)  # overall 8
    submit(page, site)
    second_id = wait_done(page)

    page.goto(site.url + "/history")
    expect(page.locator(f"#attempt-{first_id}")).to_contain_text("6/10")
    expect(page.locator(f"#attempt-{second_id}")).to_contain_text("8/10")
    page.goto(f"{site.url}/feedback/{second_id}")
    comparison = page.locator("#comparison")
    assert cells(comparison, "overall") == ["Overall", "6/10", "8/10", "+2"]
    assert cells(comparison, "structure") == ["Structure", "2/5", "4/5", "+2"]
    assert cells(comparison, "relevance") == ["Relevance", "5/5", "5/5", "same"]
    assert cells(comparison, "star-action") == ["STAR action", "partial", "present", "changed"]
    expect(comparison.locator(".answer-diff-note")).to_have_text(
        "Your answer is the same as last time. The difference in score is the"
        " assessment's own variation, not a change in your answer."
    )
    assert page.locator("svg.chart circle").count() == 2
    same_day = r"\d\d \w+ \d\d:\d\d"  # two attempts of one day: told apart by the time
    expect(page.locator("svg.chart")).to_have_attribute(
        "aria-label", re.compile(rf"Overall scores: {same_day} 6/10, {same_day} 8/10")
    )
    expect(page.locator(".chart-note")).to_have_text(
        "The overall score is derived from the five criteria."
    )
    shot(page, "comparison-desktop")

    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(site.url + "/history")
    assert other.locator(f"#attempt-{first_id}").count() == 0
    response = other.goto(f"{site.url}/feedback/{second_id}")
    assert response.status == 404
    other.goto(f"{site.url}/?again={second_id}")  # another browser's answer is not filled in
    expect(other.locator("#answer")).to_have_value("")
    expect(other.locator("#revising")).to_have_count(0)
    stranger.close()

    page.goto(site.url + "/history")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"#attempt-{first_id} button.delete")
    expect(page.locator(f"#attempt-{first_id}")).to_have_count(0)
    assert urllib.request.urlopen(f"{site.url}/api/v1/feedback?limit=100").status == 200


def test_a_cross_site_form_post_is_refused(page, site, fake_openai):
    configure(fake_openai, PLAIN)
    page.goto(site.url + "/")  # the browser has a session cookie now
    page.set_content(
        f'<form method="post" enctype="text/plain" action="{site.url}/api/v1/feedback">'
        '<input name=\'{"question":"q","answer":"a","x":"\' value=\'"}\'>'
        "<button>go</button></form>"
    )
    with page.expect_response(f"{site.url}/api/v1/feedback") as caught:
        page.click("button")
    assert caught.value.status == 403
    time.sleep(0.2)
    with urllib.request.urlopen(f"{site.url}/api/v1/feedback?limit=100") as response:
        listed = json.loads(response.read())["items"]
    assert all(item["question"] != "q" for item in listed)


def test_errors_are_shown_next_to_their_cause_with_a_retry(page, site, fake_openai):
    configure(fake_openai, PLAIN)
    submit(page, site, answer="   ")
    expect(page.locator("#answer-error")).to_be_visible()
    expect(page.locator("#answer")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#result")).to_be_hidden()

    fake_openai.enqueue(Fault(status=500))
    page.fill("#answer", ANSWER)
    page.click("#submit")
    said = r"^No feedback this time: .+\. Your answer is saved; press Retry to ask again\.$"
    expect(page.locator("#stream-error")).to_have_text(re.compile(said))
    assert ".)." not in page.inner_text("#stream-error")
    expect(page.locator("#retry")).to_be_visible()
    page.click("#retry")
    feedback_id = wait_done(page)
    assert record(site, feedback_id)["feedback"] == PLAIN


def test_ctrl_enter_sends_the_answer_and_every_page_has_its_icon(page, site, fake_openai):
    configure(fake_openai, PLAIN)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(site.url + "/")
    page.fill("#question", QUESTION)
    page.fill("#answer", ANSWER)
    page.press("#answer", "Control+Enter")
    feedback_id = wait_done(page)
    assert record(site, feedback_id)["answer"] == ANSWER
    page.goto(f"{site.url}/feedback/{feedback_id}")
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    response = page.request.get(site.url + icon.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert missing == []


def test_an_answer_that_is_not_one_yet_is_refused_next_to_it(page, site, fake_openai):
    configure(fake_openai, PLAIN)
    submit(page, site, answer="asdf asdf")
    expect(page.locator("#answer-error")).to_contain_text("This does not look like an answer yet")
    expect(page.locator("#answer")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#result")).to_be_hidden()
    assert fake_openai.requests == []


def test_a_still_streaming_attempt_streams_on_its_own_page(page, site, fake_openai):
    text = PLAIN * 3
    configure(fake_openai, text, chunk_delay_s=0.1)  # still generating while we look
    submit(page, site)
    wait_for_text(page, 10)
    feedback_id = page.evaluate("JSON.parse(sessionStorage.getItem('interview.stream')).id")
    detail = page.context.new_page()
    detail.goto(f"{site.url}/feedback/{feedback_id}")
    expect(detail.locator("#typing")).to_be_visible()
    first = len(detail.inner_text("#feedback"))
    expect(detail.locator("#status-text")).to_have_text("Done.", timeout=20_000)
    assert first < len(text) and detail.inner_text("#feedback") == text


def test_losing_the_network_mid_stream_resumes_without_a_gap(page, site, fake_openai):
    text = PLAIN * 3
    configure(fake_openai, text)
    submit(page, site)
    wait_for_text(page, 30)
    page.context.set_offline(True)
    page.wait_for_timeout(500)
    page.context.set_offline(False)
    feedback_id = wait_done(page, timeout=30_000)
    assert page.inner_text("#feedback") == text
    assert record(site, feedback_id)["feedback"] == text


def test_auto_scroll_follows_the_text_until_the_reader_scrolls_up(page, site, fake_openai):
    page.set_viewport_size({"width": 800, "height": 500})
    configure(fake_openai, "\n\n".join(f"Paragraph {i} of a long answer." for i in range(40)))
    submit(page, site)
    wait_for_text(page, 200)
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") > 0  # it followed the text down
    page.mouse.wheel(0, -3000)
    page.wait_for_timeout(300)
    held = page.evaluate("window.scrollY")
    page.wait_for_timeout(600)
    assert page.evaluate("window.scrollY") == held  # the reader's position is kept
    wait_done(page, timeout=30_000)


def test_too_many_requests_says_when_to_try_again(page, site):
    # The rate limiter arrives with the API keys; until then the browser is handed the
    # 429 problem the API will send, to check what the candidate reads.
    problem = {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Rate limit exceeded.",
    }
    page.route(
        f"{site.url}/api/v1/feedback",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "7"},
            content_type="application/problem+json",
            body=json.dumps(problem),
        ),
    )
    submit(page, site)
    expect(page.locator("#form-error")).to_have_text("Too many requests, try again in 7 s.")


def test_the_offline_provider_is_honest_on_the_page(browser, server_factory):
    offline = server_factory(INTERVIEW_PROVIDER="offline", OPENAI_API_KEY="")
    context = browser.new_context()
    page = context.new_page()
    submit(page, offline)
    wait_done(page)
    assert page.inner_text("#feedback").startswith("Offline analysis (no AI model was used)")
    expect(page.locator("#summary")).to_contain_text("/10")
    expect(page.locator("#assessment .method")).to_have_text("heuristic (offline analysis)")
    expect(page.locator("#assessment .criteria li")).to_have_count(5)
    page.goto(offline.url + page.get_attribute("#summary a", "href"))
    expect(page.locator("#assessment .method")).to_have_text("heuristic (offline analysis)")

    submit(page, offline)
    second_id = wait_done(page)
    page.goto(f"{offline.url}/feedback/{second_id}")
    # heuristic scores are drawn hollow and said to be heuristic
    expect(page.locator("svg.chart circle.heuristic")).to_have_count(2)
    expect(page.locator(".chart-note")).to_contain_text(
        "Hollow points were judged by the offline analysis, not the model."
    )
    expect(page.locator('#comparison [data-row="overall"] .change')).to_have_text("same")

    submit(page, offline, answer=GERMAN_ANSWER)
    german_id = wait_done(page)
    expect(page.locator("#assessment .assessment-note")).to_contain_text("Not assessed.")
    expect(page.locator("#assessment .chip, #assessment .criteria")).to_have_count(0)
    shot(page, "assessment-offline-german")
    page.goto(f"{offline.url}/feedback/{german_id}")
    expect(page.locator("#not-compared")).to_have_text(
        "One of the two attempts has no assessment, so their scores are not compared."
    )
    expect(page.locator('#comparison [data-row="overall"]')).to_have_count(0)
    expect(page.locator(".keyword-star")).to_have_count(0)  # an English phrase list: no use here
    expect(page.locator(".chart-note")).to_contain_text(
        "1 attempt without an assessment is left out."
    )
    context.close()


@pytest.mark.parametrize(
    ("question", "answer"),
    [("Why do you want this job?", ANSWER), (QUESTION, GERMAN_ANSWER)],
    ids=["motivation-question", "german-answer"],
)
def test_keyword_star_hints_are_hidden_where_they_cannot_work(
    page, site, fake_openai, question, answer
):
    configure(fake_openai, PLAIN * 3, chunk_delay_s=0.05)
    submit(page, site, question, answer)
    expect(page.locator("#hints")).to_contain_text("Filler words")
    expect(page.locator("#hints .keyword-star")).to_have_count(0)
    feedback_id = wait_done(page)
    assert record(site, feedback_id)["metrics"]["star_applicable"] is False
    expect(page.locator("#hints, .keyword-star")).to_have_count(0)


def test_a_streaming_attempts_page_shows_hints_until_the_assessment(page, site, fake_openai):
    fake_openai.reset()
    fake_openai.configure(
        text_for=with_assessment(PLAIN * 2, BLOCK), chunk_chars=4, chunk_delay_s=0.05
    )
    submit(page, site)
    wait_for_text(page, 5)
    feedback_id = page.evaluate("JSON.parse(sessionStorage.getItem('interview.stream')).id")
    detail = page.context.new_page()
    detail.goto(f"{site.url}/feedback/{feedback_id}")
    expect(detail.locator("#hints")).to_contain_text("keyword check, not the model's judgement")
    expect(detail.locator("#hints .keyword-star .star")).to_have_count(4)
    expect(detail.locator("#status-text")).to_have_text("Done.", timeout=20_000)
    expect(detail.locator("#hints")).to_have_count(0)
    shows_the_assessment(detail)


def assessed(fake: FakeOpenAI, block) -> None:
    fake.reset()
    fake.configure(text_for=with_assessment(ASSESSED, block), chunk_chars=12)


def shows_the_assessment(page: Page) -> None:
    """The five criteria with their marks, the derived overall, the kind and the model's chips."""
    rows = page.locator("#assessment .criteria li")
    expect(rows).to_have_count(5)
    for name, value in BLOCK["criteria"].items():
        row = page.locator(f'#assessment li[data-criterion="{name}"]')
        expect(row).to_contain_text(name.capitalize())
        expect(row.locator(".value")).to_have_text(f"{value}/5")
    expect(page.locator("#assessment .overall")).to_have_text("Overall 8/10")
    expect(page.locator("#assessment .kind")).to_have_text("Question: behavioural")
    for part, judged in BLOCK["star"].items():
        chip = page.locator(f'#assessment .chip[data-part="{part}"]')
        expect(chip).to_have_text(f"{part} · {judged['status']}")
        expect(chip).to_have_class(f"chip {judged['status']}")
        if judged["quote"]:
            expect(chip).to_have_attribute("title", f"“{judged['quote']}”")
            expect(chip).to_have_attribute(
                "aria-label", f"{part}: {judged['status']}. “{judged['quote']}”"
            )
    expect(page.locator("#assessment .method")).to_have_count(0)


def test_the_models_assessment_is_shown_and_the_keyword_chips_are_not(page, site, fake_openai):
    assessed(fake_openai, BLOCK)
    submit(page, site)
    feedback_id = wait_done(page)
    assert page.inner_text("#feedback") == "Verdict: a clear answer with a measurable result."
    shows_the_assessment(page)
    # The keyword STAR row (an English phrase list over the answer) gives way to the model's.
    assert "✓" not in page.inner_text("#summary") and "✗" not in page.inner_text("#summary")
    page.focus('#assessment .chip[data-part="action"]')
    shot(page, "assessment-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "assessment-phone")
    page.emulate_media(color_scheme="dark")
    shot(page, "assessment-phone-dark")

    page.goto(f"{site.url}/feedback/{feedback_id}")
    shows_the_assessment(page)
    expect(page.locator(".keyword-star")).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")
    shot(page, "assessment-attempt-desktop")


def test_a_question_without_star_shows_no_star_chips(page, site, fake_openai):
    block = {**BLOCK, "question_kind": "motivation", "star": None}
    assessed(fake_openai, block)
    submit(page, site, question="Why do you want this job?")
    feedback_id = wait_done(page)
    expect(page.locator("#assessment .kind")).to_have_text("Question: motivation")
    expect(page.locator("#assessment .criteria li")).to_have_count(5)
    expect(page.locator("#assessment .chip")).to_have_count(0)
    page.goto(f"{site.url}/feedback/{feedback_id}")
    expect(page.locator("#assessment .criteria li")).to_have_count(5)
    expect(page.locator("#assessment .chip")).to_have_count(0)


def test_a_malformed_assessment_is_said_plainly_without_chips(page, site, fake_openai):
    assessed(fake_openai, '{"criteria": {"relevance": 5, ')
    submit(page, site)
    feedback_id = wait_done(page)
    assert record(site, feedback_id)["assessment"]["status"] == "malformed"
    note = "No assessment: the model's assessment could not be read."
    expect(page.locator("#assessment .assessment-note")).to_contain_text(note)
    expect(page.locator("#assessment .chip, #assessment .criteria")).to_have_count(0)
    page.goto(f"{site.url}/feedback/{feedback_id}")
    expect(page.locator("#assessment .assessment-note")).to_contain_text(note)
    expect(page.locator("#assessment .chip, #assessment .criteria")).to_have_count(0)
    expect(page.locator(".keyword-star")).to_have_count(0)


def test_a_record_made_before_assessments_shows_as_before(page, site, fake_openai, database_url):
    assessed(fake_openai, BLOCK)
    submit(page, site)
    feedback_id = wait_done(page)
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text("UPDATE feedback SET assessment = NULL WHERE id = :id"),
            {"id": feedback_id},
        )
    engine.dispose()
    page.goto(f"{site.url}/feedback/{feedback_id}")
    expect(page.locator("#assessment")).to_have_count(0)
    expect(page.locator(".keyword-star").first).to_contain_text("situation")


PARAGRAPHS = [
    "**Verdict**: a clear answer with a measurable result.",
    "You owned the plan, and the result has a number.",
    "Say what each engineer wanted, and what you learned from it.",
    "Score: 7/10",
]
#: Every text a live region gains, with where and whether the feedback was still being written.
RECORD_LIVE_REGIONS = """() => {
  window.__heard = [];
  const live = "[aria-live], [role=status], [role=alert], [role=log], [role=marquee], [role=timer]";
  new MutationObserver((mutations) => {
    const busy = document.getElementById("feedback").getAttribute("aria-busy") === "true";
    for (const change of mutations) {
      const target = change.target.nodeType === Node.ELEMENT_NODE
        ? change.target : change.target.parentElement;
      const region = target && target.closest(live);
      if (!region) continue;
      const added = change.type === "characterData" ? [change.target] : [...change.addedNodes];
      for (const node of added) {
        if (node.textContent.trim()) window.__heard.push([region.id, node.textContent, busy]);
      }
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def accessibility_node(page: Page, selector: str) -> dict:
    """The node of `selector` in Chromium's accessibility tree, with its ancestors.

    Returns its properties by name, and under "live region" the `live` property of
    the node or its nearest ancestor that is a live region (None when there is none)."""
    cdp = page.context.new_cdp_session(page)
    found = cdp.send("Runtime.evaluate", {"expression": f"document.querySelector('{selector}')"})
    element = {"objectId": found["result"]["objectId"]}
    backend_id = cdp.send("DOM.describeNode", element)["node"]["backendNodeId"]
    nodes = cdp.send("Accessibility.getPartialAXTree", element)["nodes"]
    cdp.detach()
    by_id = {node["nodeId"]: node for node in nodes}
    node = next(n for n in nodes if n.get("backendDOMNodeId") == backend_id)
    properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
    region, ancestor = None, node
    while ancestor is not None and region is None:
        region = next(
            (p["value"]["value"] for p in ancestor.get("properties", []) if p["name"] == "live"),
            None,
        )
        ancestor = by_id.get(ancestor.get("parentId"))
    return {**properties, "live region": region}


def heard(page: Page) -> list[list]:
    return page.evaluate("window.__heard")


def spoken_paragraphs(heard_texts: list[list]) -> list[str]:
    statuses = {"Feedback started.", "Feedback finished.", "Feedback stopped."}
    return [text for _, text, _ in heard_texts if text not in statuses]


def test_a_screen_reader_hears_whole_paragraphs_not_characters(page, site, fake_openai):
    configure(fake_openai, "\n\n".join(PARAGRAPHS), chunk_delay_s=0.05)
    page.goto(site.url + "/")
    page.fill("#question", QUESTION)
    page.fill("#answer", ANSWER)
    page.evaluate(RECORD_LIVE_REGIONS)
    page.click("#submit")
    wait_for_text(page, len(PARAGRAPHS[0]) + 10)
    # The text as it streams is not a live region, and says it is still being written.
    streaming = accessibility_node(page, "#feedback")  # what it renders carries no ARIA
    assert streaming["live region"] is None and streaming["busy"]
    assert accessibility_node(page, "#announcer")["live region"] == "polite"
    feedback_id = wait_done(page)
    assert record(site, feedback_id)["feedback"] == "\n\n".join(PARAGRAPHS)
    assert "busy" not in accessibility_node(page, "#feedback")

    said = heard(page)
    assert {region for region, _, _ in said} == {"announcer"}
    expected = [paragraph.replace("**", "") for paragraph in PARAGRAPHS]
    assert spoken_paragraphs(said) == expected
    assert said[0][1] == "Feedback started." and said[-1][1] == "Feedback finished."
    # each whole paragraph as soon as it ended, not all of them at the end
    assert said[1] == ["announcer", expected[0], True]
    assert page.locator("#feedback p").all_inner_texts() == expected


def test_a_screen_reader_hears_a_streaming_attempt_by_paragraphs(page, site, fake_openai):
    configure(fake_openai, "\n\n".join(PARAGRAPHS * 2), chunk_delay_s=0.1)
    submit(page, site)
    wait_for_text(page, 5)
    feedback_id = page.evaluate("JSON.parse(sessionStorage.getItem('interview.stream')).id")
    detail = page.context.new_page()
    # from before the stream's first event, however slow the machine
    detail.add_init_script(f"addEventListener('DOMContentLoaded', {RECORD_LIVE_REGIONS})")
    detail.goto(f"{site.url}/feedback/{feedback_id}")
    assert accessibility_node(detail, "#feedback")["live region"] is None
    expect(detail.locator("#status-text")).to_have_text("Done.", timeout=20_000)
    said = heard(detail)
    assert {region for region, _, _ in said} == {"announcer"}
    assert spoken_paragraphs(said) == [p.replace("**", "") for p in PARAGRAPHS * 2]
    assert said[-1][1] == "Feedback finished."


def test_typing_the_answer_announces_nothing(page, site):
    """The word count is the answer box's description, read with the box, not at every key."""
    page.goto(site.url + "/")
    page.fill("#question", QUESTION)
    page.evaluate(RECORD_LIVE_REGIONS)
    page.locator("#answer").press_sequentially("I led the team and we shipped it.")
    expect(page.locator("#answer-count")).to_contain_text("8 words")
    expect(page.locator("#key-terms")).to_be_visible()
    assert heard(page) == []
    assert "answer-count" in page.get_attribute("#answer", "aria-describedby")


def test_the_questions_key_terms_are_marked_as_the_answer_uses_them(page, site):
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "answer-metrics" in r.url else None)
    page.goto(site.url + "/")
    expect(page.locator("#key-terms")).to_be_hidden()  # no question yet
    page.select_option("#bank", QUESTION)
    terms = page.locator("#key-terms-list .term")
    expect(terms).to_have_count(3)
    assert terms.evaluate_all("items => items.map(i => i.dataset.term)") == [
        "resolved",
        "conflict",
        "team",
    ]
    expect(page.locator("#key-terms-list .term.used")).to_have_count(0)

    page.locator("#answer").press_sequentially("Two engineers in my teams had a conflict", delay=20)
    used = page.locator("#key-terms-list .term.used")
    expect(used).to_have_count(2)
    assert used.evaluate_all("items => items.map(i => i.dataset.term)") == ["conflict", "team"]
    expect(page.locator('.term[data-term="resolved"]')).to_have_class("term unused")
    # what a screen reader says of each term, shown with a tick or not
    expect(page.locator('.term[data-term="team"]')).to_have_text("team (used)")
    expect(page.locator('.term[data-term="resolved"]')).to_have_text("resolved (not used yet)")
    assert len(asked) < 10  # once typing pauses, not at every key

    page.fill("#question", "What is your favourite BBQ sauce?")
    expect(terms.first).to_have_attribute("data-term", "favourite")
    assert terms.evaluate_all("items => items.map(i => i.dataset.term)") == [
        "favourite",
        "BBQ",
        "sauce",
    ]
    page.fill("#question", "")
    expect(page.locator("#key-terms")).to_be_hidden()
