"""Speaking the answer on the practice page, in Chromium with a fake microphone.

The microphone is Chromium's own fake device playing a WAV that espeak-ng speaks
(`microphone_browser`, SPOKEN_ANSWER), so the page records real speech with
MediaRecorder, and the fake upstream receives that recording and answers a
transcript with word timestamps.
"""

import io
import json
import urllib.request
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect

from interview.extensions import db
from interview.feedback.audio import OGG, WEBM, probe_audio
from interview.feedback.metrics import compute_answer_metrics

from .conftest import CHROMIUM, CHROMIUM_FLAGS
from .factories import feedback_record
from .fake_openai import FakeOpenAI, Fault
from .test_pages import shot

#: SPOKEN_ANSWER as the fake upstream transcribes it, with a filler.
TRANSCRIPT = "In my last role, um, I led the billing migration."
#: (word, start, end): a 2.5 s pause after "um".
WORDS = [
    ("In", 0.2, 0.35),
    ("my", 0.35, 0.5),
    ("last", 0.5, 0.8),
    ("role", 0.8, 1.1),
    ("um", 1.2, 1.4),
    ("I", 3.9, 4.0),
    ("led", 4.0, 4.2),
    ("the", 4.2, 4.3),
    ("billing", 4.3, 4.7),
    ("migration", 4.7, 5.2),
]
QUESTION = "Tell me about a project you led."
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def refusing_browser(browser: Browser) -> Browser:
    """A Chromium with a fake microphone whose use the candidate refuses (no permission)."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, "--use-fake-device-for-media-stream"]
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def site(server_factory):
    return server_factory(INTERVIEW_STREAM_DELAY_MS="0", INTERVIEW_ANSWER_TARGET_S="10")


@pytest.fixture(scope="module")
def site_without_transcription(server_factory):
    return server_factory(INTERVIEW_PROVIDER="offline", INTERVIEW_TRANSCRIPTION_PROVIDER="off")


@pytest.fixture(scope="module")
def offline_site(server_factory, speech_extra):
    """No upstream at all: the server's own recogniser transcribes."""
    return server_factory(INTERVIEW_PROVIDER="offline", INTERVIEW_STREAM_DELAY_MS="0")


def open_page(browser: Browser, url: str, viewport=DESKTOP, **options) -> Page:
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    page.goto(url + "/")
    return page


def uploads(fake: FakeOpenAI) -> list:
    return [r.body for r in fake.requests if r.path.endswith("/audio/transcriptions")]


def record(site, feedback_id: str) -> dict:
    with urllib.request.urlopen(f"{site.url}/api/v1/feedback/{feedback_id}", timeout=10) as r:
        return json.loads(r.read())


def speak_answer(page: Page, seconds: float = 3.0) -> None:
    """Choose Speak, start, skip the think time, speak for `seconds`, stop."""
    page.fill("#question", QUESTION)
    page.check("#mode-speak")
    page.click("#record")
    expect(page.locator("#think")).to_be_visible()
    expect(page.locator("#think-left")).to_have_text("15")
    page.click("#start-now")
    expect(page.locator("#recording")).to_be_visible()
    expect(page.locator("#speak-state")).to_have_text(
        "Recording. Press Stop when you have finished."
    )
    page.wait_for_timeout(seconds * 1000)
    expect(page.locator("#elapsed")).not_to_have_text("0:00")
    page.click("#stop-recording")


def test_a_spoken_answer_is_transcribed_timed_and_judged(microphone_browser, site, fake_openai):
    fake_openai.reset()
    fake_openai.configure(transcript=TRANSCRIPT, transcript_words=WORDS)
    page = open_page(microphone_browser, site.url)
    expect(page.locator("#mode-type")).to_be_checked()
    expect(page.locator("#speak")).to_be_hidden()

    speak_answer(page, seconds=6)

    # The transcript lands in the answer box, editable, with the delivery under it.
    expect(page.locator("#answer")).to_have_value(TRANSCRIPT, timeout=20_000)
    expect(page.locator("#answer")).to_be_editable()
    # The upstream received the recording itself: WebM or Ogg, about six seconds long.
    [upload] = uploads(fake_openai)
    info = probe_audio(io.BytesIO(upload.audio))
    assert info.container in (WEBM, OGG)
    assert info.codec in ("opus", "libopus")
    assert 5.0 <= info.duration_s <= 8.0, info.duration_s
    delivery = page.locator("#spoken-delivery")
    expect(delivery).to_contain_text(f"5.0 s of a {round(info.duration_s, 1):.1f} s recording")
    expect(delivery).to_contain_text("120 words per minute")
    expect(delivery).to_contain_text("1 of 2.0 s or more, the longest 2.5 s (after “um”)")
    expect(delivery).to_contain_text("um ×1")
    expect(page.locator("#speak-state")).to_contain_text("Transcribed")
    expect(page.locator("#answer")).to_be_focused()
    expect(page.locator("#playback")).to_be_visible()
    shot(page, "practice-spoken")
    assert page.get_attribute("#playback", "src").startswith("blob:")

    page.click("#submit")
    expect(page.locator("#summary a")).to_be_visible(timeout=20_000)
    feedback_id = page.get_attribute("#summary a", "href").rsplit("/", 1)[1]
    saved = record(site, feedback_id)
    assert saved["answer"] == TRANSCRIPT
    assert saved["delivery"]["words_per_minute"] == 120
    assert saved["delivery"]["long_pauses"] == [{"start_s": 1.4, "duration_s": 2.5, "after": "um"}]

    page.goto(f"{site.url}/feedback/{feedback_id}")
    shown = page.locator("#delivery")
    expect(shown).to_contain_text("How you said it")
    expect(shown).to_contain_text("120 words per minute")
    expect(shown).to_contain_text("the longest 2.5 s")
    assert page.js_errors == []
    page.context.close()


def test_an_edited_transcript_still_carries_its_delivery_but_a_cleared_box_does_not(
    microphone_browser, site, fake_openai
):
    fake_openai.reset()
    fake_openai.configure(transcript=TRANSCRIPT, transcript_words=WORDS)
    page = open_page(microphone_browser, site.url)
    speak_answer(page, seconds=1.5)
    expect(page.locator("#answer")).to_have_value(TRANSCRIPT, timeout=20_000)
    assert page.input_value("#transcription-id")

    page.check("#mode-type")
    page.fill("#answer", TRANSCRIPT.replace("um, ", "") + " We cut costs by a fifth.")
    assert page.input_value("#transcription-id"), "an edited transcript keeps its recording"
    page.fill("#answer", "")
    assert page.input_value("#transcription-id") == ""
    expect(page.locator("#spoken-delivery")).to_be_hidden()
    page.context.close()


def test_the_timer_shows_the_target_passing_without_stopping_on_a_phone(
    microphone_browser, site, fake_openai
):
    fake_openai.reset()
    page = open_page(microphone_browser, site.url, viewport=PHONE)
    page.check("#mode-speak")
    expect(page.locator("#target-time")).to_have_text("0:10")
    expect(page.locator("#read-question")).to_be_visible()
    page.click("#record")
    expect(page.locator("#speak-state")).to_contain_text("Think time: 15 seconds")
    expect(page.locator("#think-left")).not_to_have_text("15", timeout=3000)
    page.click("#start-now")
    expect(page.locator("#stop-recording")).to_be_focused()
    expect(page.locator("#past-target")).to_be_hidden()
    expect(page.locator("#past-target")).to_be_visible(timeout=15_000)
    expect(page.locator("#answer-timer")).to_have_class("timer over")
    expect(page.locator("#speak-state")).to_have_text(
        "Your target of 0:10 has passed. Stop when you are ready."
    )
    expect(page.locator("#recording")).to_be_visible()  # shown, not enforced
    shot(page, "practice-recording-phone")
    # The ticking timer is in no live region: only the changes of state are announced.
    live = "xpath=ancestor-or-self::*[@aria-live or @role='status' or @role='alert']"
    for ticking in ("#answer-timer", "#think"):
        assert page.locator(ticking).locator(live).count() == 0, ticking
    for control in ("#stop-recording", "#elapsed", "#level"):
        box = page.locator(control).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
    page.click("#stop-recording")
    expect(page.locator("#speak-state")).to_contain_text("Transcribed", timeout=20_000)
    expect(page.locator("#record-again")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (429, "The transcription service is busy or unavailable right now. Send the"),
        (500, "The transcription service failed (502). Send the recording again"),
    ],
)
def test_a_failed_transcription_is_explained_and_can_be_sent_again(
    microphone_browser, site, fake_openai, status, message
):
    fake_openai.reset()
    fake_openai.configure(transcript=TRANSCRIPT, transcript_words=WORDS)
    fake_openai.enqueue(Fault(status=status))
    page = open_page(microphone_browser, site.url)
    speak_answer(page, seconds=1)
    expect(page.locator("#speak-error")).to_contain_text(message, timeout=20_000)
    expect(page.locator("#answer")).to_have_value("")

    page.click("#send-again")
    expect(page.locator("#answer")).to_have_value(TRANSCRIPT, timeout=20_000)
    expect(page.locator("#speak-error")).to_be_hidden()
    page.context.close()


def test_a_refused_microphone_is_explained_and_typing_still_works(
    refusing_browser, site, fake_openai
):
    fake_openai.reset()
    page = open_page(refusing_browser, site.url)
    page.check("#mode-speak")
    page.click("#record")
    expect(page.locator("#speak-error")).to_have_text(
        "The microphone was refused. Allow it in the browser's site settings, or type your answer."
    )
    expect(page.locator("#record")).to_be_visible()

    page.check("#mode-type")
    page.fill("#question", QUESTION)
    page.fill("#answer", "I led the billing migration and we cut costs by a fifth.")
    page.click("#submit")
    expect(page.locator("#summary a")).to_be_visible(timeout=20_000)
    assert page.js_errors == []
    page.context.close()


def test_a_server_without_transcription_says_speaking_needs_a_transcription_service(
    microphone_browser, site_without_transcription
):
    page = open_page(microphone_browser, site_without_transcription.url)
    expect(page.locator("#speak-unavailable")).to_have_text(
        "Speaking needs a transcription service; this server has none. Type your answer."
    )
    expect(page.locator("#mode-speak")).to_be_disabled()
    expect(page.locator("#mode-type")).to_be_checked()
    expect(page.locator("#answer")).to_be_editable()
    page.context.close()


def test_offline_the_servers_own_recogniser_transcribes_and_the_page_says_so(
    microphone_browser, offline_site
):
    page = open_page(microphone_browser, offline_site.url)
    expect(page.locator("#transcribed-by")).to_be_hidden()
    speak_answer(page, seconds=6)
    expect(page.locator("#transcribed-by")).to_be_visible(timeout=60_000)
    expect(page.locator("#transcribed-by")).to_contain_text("small offline speech model")
    assert "billing" in page.input_value("#answer").lower()
    expect(page.locator("#spoken-delivery")).to_contain_text("words per minute")
    page.click("#record-again")
    expect(page.locator("#transcribed-by")).to_be_hidden()
    assert page.js_errors == []
    page.context.close()


def test_a_browser_without_recording_is_told_so(browser, site):
    page = open_page(browser, site.url)
    page.add_init_script("delete window.MediaRecorder")
    page.reload()
    expect(page.locator("#speak-unavailable")).to_contain_text("This browser cannot record audio")
    expect(page.locator("#mode-speak")).to_be_disabled()
    page.context.close()


def delivery(speaking_time_s: float, words_per_minute: int, pauses: list, fillers: dict) -> dict:
    return {
        "source": "word_timestamps",
        "duration_s": speaking_time_s + 1.0,
        "speaking_time_s": speaking_time_s,
        "word_count": round(words_per_minute * speaking_time_s / 60),
        "words_per_minute": words_per_minute,
        "long_pause_min_s": 2.0,
        "long_pauses": pauses,
        "long_pause_count": len(pauses),
        "longest_pause_s": max((p["duration_s"] for p in pauses), default=0.0),
        "filler_words": fillers,
        "filler_count": sum(fillers.values()),
    }


def test_the_attempt_page_compares_how_two_spoken_attempts_were_said(app, client):
    client.get("/")  # the browser's owner id
    with client.session_transaction() as session:
        owner = session["owner"]
    first = delivery(
        70.0, 165, [{"start_s": 20.0, "duration_s": 3.1, "after": "deadline"}], {"um": 4}
    )
    second = delivery(80.5, 128, [], {})
    with app.app_context():
        for day, spoken in ((1, first), (2, second)):
            db.session.add(
                feedback_record(
                    feedback_id=f"spoken-{day}",
                    owner=owner,
                    question=QUESTION,
                    answer=TRANSCRIPT,
                    metrics=compute_answer_metrics(QUESTION, TRANSCRIPT),
                    delivery=spoken,
                    created_at=datetime(2026, 12, day, tzinfo=UTC),
                )
            )
        db.session.commit()

    earlier = client.get("/feedback/spoken-1").get_data(as_text=True)
    later = client.get("/feedback/spoken-2").get_data(as_text=True)

    assert "165 words per minute" in earlier
    assert "1 of 2.0 s or more, the longest 3.1 s (after “deadline”)" in earlier
    assert "um ×4" in earlier
    assert "80.5 s of a 81.5 s recording" in later
    assert "none of 2.0 s or more" in later
    for row, cells in {
        "pace (words per minute)": '<td>165</td><td>128</td>\n<td class="change">-37</td>',
        "long pauses": '<td>1</td><td>0</td>\n<td class="change">-1</td>',
        "filler words spoken": '<td>4</td><td>0</td>\n<td class="change">-4</td>',
    }.items():
        assert f'data-row="{row}"' in later
        assert cells in later, row


def test_a_typed_attempt_shows_no_delivery(app, client):
    client.get("/")
    with client.session_transaction() as session:
        owner = session["owner"]
    with app.app_context():
        db.session.add(
            feedback_record(
                feedback_id="typed",
                owner=owner,
                question=QUESTION,
                answer=TRANSCRIPT,
                metrics=compute_answer_metrics(QUESTION, TRANSCRIPT),
            )
        )
        db.session.commit()

    page = client.get("/feedback/typed").get_data(as_text=True)

    assert "How you said it" not in page and 'id="delivery"' not in page


def test_the_question_is_read_aloud_by_the_browser(browser, site):
    page = open_page(browser, site.url, bypass_csp=True)
    page.add_init_script(
        "window.spoken = [];"
        "speechSynthesis.speak = (utterance) => window.spoken.push(utterance.text);"
    )
    page.reload()
    page.fill("#question", QUESTION)

    page.click("#read-question")

    assert page.evaluate("window.spoken") == [QUESTION]
    page.context.close()


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (
            {"INTERVIEW_TRANSCRIPTION_MAX_BYTES": "1024"},
            "The recording is too large to send. Record a shorter answer, or type it.",
        ),
        (
            {"INTERVIEW_TRANSCRIPTION_MAX_SECONDS": "1"},
            "The recording is longer than the limit of 1 seconds. Record again, or type your "
            "answer.",
        ),
    ],
)
def test_a_recording_past_the_limits_is_refused_in_plain_words(
    microphone_browser, server_factory, fake_openai, limit, message
):
    fake_openai.reset()
    limited = server_factory(**limit)
    page = open_page(microphone_browser, limited.url)
    speak_answer(page, seconds=2)

    expect(page.locator("#speak-error")).to_have_text(message, timeout=20_000)
    expect(page.locator("#send-again")).to_be_hidden()
    expect(page.locator("#record-again")).to_be_focused()
    assert uploads(fake_openai) == []
    page.context.close()
