"""Every page checked by axe-core in Chromium: no serious or critical violation.

axe-core is the one installed with the client tests (tests/clients/node_modules),
injected into each page as it stands; the context bypasses the pages' CSP, which
forbids the inline script Playwright injects. A page is checked in the states a
candidate sees: empty, with key terms, while feedback streams, after it with the
assessment, failed, and the attempt, history and error pages, on a phone and in
dark colours too; the speaking controls idle, recording and after a transcription,
in a Chromium with a fake microphone (`microphone_browser`).
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .fake_openai import FakeOpenAI, Fault, with_assessment
from .test_pages import ANSWER, BLOCK, PLAIN, QUESTION, submit, wait_done, wait_for_text
from .test_speaking_page import TRANSCRIPT, WORDS

AXE = Path(__file__).resolve().parent / "clients" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(server_factory):
    return server_factory(INTERVIEW_STREAM_DELAY_MS="15")


def assessed(fake: FakeOpenAI) -> None:
    fake.reset()
    fake.configure(text_for=with_assessment("**Verdict**: clear.\n\nScore: 8/10", BLOCK))


def practice(page: Page, site, fake: FakeOpenAI) -> None:
    page.goto(site.url + "/")


def practice_with_key_terms(page: Page, site, fake: FakeOpenAI) -> None:
    page.goto(site.url + "/")
    page.select_option("#bank", QUESTION)
    page.fill("#answer", "We had a conflict in the team.")
    expect(page.locator("#key-terms-list .term.used")).to_have_count(2)


def practice_streaming(page: Page, site, fake: FakeOpenAI) -> None:
    fake.reset()
    fake.configure(text="\n\n".join([PLAIN] * 6), chunk_chars=4, chunk_delay_s=0.1)
    submit(page, site)
    wait_for_text(page, 20)
    expect(page.locator("#hints")).to_be_visible()


def practice_done(page: Page, site, fake: FakeOpenAI) -> None:
    assessed(fake)
    submit(page, site)
    wait_done(page)
    expect(page.locator("#assessment .criteria li")).to_have_count(5)


def practice_failed(page: Page, site, fake: FakeOpenAI) -> None:
    fake.reset()
    fake.enqueue(Fault(status=500))
    submit(page, site)
    expect(page.locator("#retry")).to_be_visible()
    submit(page, site, answer="   ")
    expect(page.locator("#answer-error")).to_be_visible()


def two_attempts(page: Page, site, fake: FakeOpenAI) -> str:
    """Answer the same question twice, the second time revised; return the second's id."""
    assessed(fake)
    submit(page, site)
    wait_done(page)
    submit(page, site, answer=ANSWER.replace("As a result", "In the end") + " I learned a lot.")
    return wait_done(page)


def history(page: Page, site, fake: FakeOpenAI) -> None:
    two_attempts(page, site, fake)
    page.goto(site.url + "/history")


def attempt_compared(page: Page, site, fake: FakeOpenAI) -> None:
    feedback_id = two_attempts(page, site, fake)
    page.goto(f"{site.url}/feedback/{feedback_id}")
    expect(page.locator("#comparison")).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()


def attempt_streaming(page: Page, site, fake: FakeOpenAI) -> None:
    practice_streaming(page, site, fake)
    feedback_id = page.evaluate("JSON.parse(sessionStorage.getItem('interview.stream')).id")
    page.goto(f"{site.url}/feedback/{feedback_id}")
    expect(page.locator("#typing")).to_be_visible()


def not_found(page: Page, site, fake: FakeOpenAI) -> None:
    assert page.goto(f"{site.url}/feedback/no-such-attempt").status == 404


SCENES = [
    (practice, DESKTOP, "light"),
    (practice, PHONE, "light"),
    (practice, DESKTOP, "dark"),
    (practice, PHONE, "dark"),
    (practice_with_key_terms, DESKTOP, "light"),
    (practice_with_key_terms, PHONE, "dark"),
    (practice_streaming, DESKTOP, "light"),
    (practice_streaming, PHONE, "dark"),
    (practice_done, DESKTOP, "light"),
    (practice_done, DESKTOP, "dark"),
    (practice_failed, DESKTOP, "light"),
    (practice_failed, DESKTOP, "dark"),
    (history, DESKTOP, "light"),
    (history, PHONE, "dark"),
    (attempt_compared, DESKTOP, "light"),
    (attempt_compared, PHONE, "dark"),
    (attempt_streaming, DESKTOP, "light"),
    (not_found, DESKTOP, "light"),
    (not_found, DESKTOP, "dark"),
]


def describe(violation: dict) -> str:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"  {' '.join(node['target'])}: {node['failureSummary']}".replace("\n", " "))
    return "\n".join(lines)


def blocking_violations(page: Page) -> list[str]:
    """Run axe-core over the page as it stands; describe each serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [describe(v) for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize(
    ("scene", "viewport", "scheme"),
    SCENES,
    ids=[f"{scene.__name__}-{'phone' if v is PHONE else 'desktop'}-{s}" for scene, v, s in SCENES],
)
def test_no_serious_accessibility_violations(
    browser: Browser, site, fake_openai, scene, viewport, scheme
):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    try:
        scene(page, site, fake_openai)
        found = blocking_violations(page)
    finally:
        context.close()
    assert not found, "axe-core found:\n" + "\n".join(found)


def speaking_idle(page: Page, site, fake: FakeOpenAI) -> None:
    page.goto(site.url + "/")
    page.check("#mode-speak")
    expect(page.locator("#record")).to_be_visible()


def speaking_recording(page: Page, site, fake: FakeOpenAI) -> None:
    speaking_idle(page, site, fake)
    page.click("#record")
    expect(page.locator("#start-now")).to_be_visible()
    page.click("#start-now")
    expect(page.locator("#stop-recording")).to_be_visible()


def speaking_transcribed(page: Page, site, fake: FakeOpenAI) -> None:
    fake.reset()
    fake.configure(transcript=TRANSCRIPT, transcript_words=WORDS)
    speaking_recording(page, site, fake)
    page.wait_for_timeout(1000)
    page.click("#stop-recording")
    expect(page.locator("#spoken-delivery")).to_be_visible(timeout=20_000)


SPEAKING_SCENES = [
    (speaking_idle, DESKTOP, "light"),
    (speaking_idle, PHONE, "dark"),
    (speaking_recording, DESKTOP, "light"),
    (speaking_recording, PHONE, "dark"),
    (speaking_transcribed, DESKTOP, "light"),
    (speaking_transcribed, PHONE, "dark"),
]


@pytest.mark.parametrize(
    ("scene", "viewport", "scheme"),
    SPEAKING_SCENES,
    ids=[
        f"{scene.__name__}-{'phone' if v is PHONE else 'desktop'}-{s}"
        for scene, v, s in SPEAKING_SCENES
    ],
)
def test_the_speaking_controls_have_no_serious_accessibility_violations(
    microphone_browser: Browser, site, fake_openai, scene, viewport, scheme
):
    context = microphone_browser.new_context(
        viewport=viewport, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    try:
        scene(page, site, fake_openai)
        found = blocking_violations(page)
    finally:
        context.close()
    assert not found, "axe-core found:\n" + "\n".join(found)
