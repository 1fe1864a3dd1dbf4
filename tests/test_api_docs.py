"""The API reference page (/api/v1/docs) in a real browser, under the app's CSP.

The page must render the served document with no error, no CSP violation and
no request to another origin, and its "Try it out" calls must work.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from interview.api.openapi import build_openapi_document
from interview.security import CONTENT_SECURITY_POLICY

# Added before any page script runs; Playwright's init scripts are not subject to the CSP.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory()


@pytest.fixture
def watched_page(browser: Browser, server):
    """A page that records errors, console errors and warnings, and every request's URL."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    seen = {"errors": [], "console": [], "requests": []}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))

    def on_console(message) -> None:
        if message.type in ("error", "warning"):
            seen["console"].append((f"{message.type}: {message.text}", message.location["url"]))

    page.on("console", on_console)
    page.on("request", lambda request: seen["requests"].append(request.url))
    yield page, seen
    context.close()


def assert_clean(page, seen, origin: str, answered_4xx: tuple[str, ...] = ()) -> None:
    """No error, no CSP violation, no request to another origin.

    Chromium logs a 4xx answer as an error; `answered_4xx` are the URLs the test expects one from.
    """
    assert seen["errors"] == [], seen["errors"]
    unexpected = [
        text
        for text, url in seen["console"]
        if not (text.startswith("error: Failed to load resource") and url in answered_4xx)
    ]
    assert unexpected == [], unexpected
    assert page.evaluate("window.cspViolations") == []
    foreign = [
        url
        for url in seen["requests"]
        if urlsplit(url).scheme != "data" and not url.startswith(origin + "/")
    ]
    assert foreign == [], foreign


def test_the_docs_page_renders_every_operation_from_the_served_document(watched_page, server):
    page, seen = watched_page
    response = page.goto(f"{server.url}/api/v1/docs")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    post_feedback = page.locator(".opblock-post", has_text="Get feedback on an answer")
    expect(post_feedback).to_contain_text("/feedback")
    operations = sum(len(methods) for methods in build_openapi_document()["paths"].values())
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".info")).to_contain_text("OAS 3.1")
    assert f"{server.url}/api/v1/openapi.json" in seen["requests"]

    questions = page.locator(".opblock-get", has_text="The question bank")
    questions.locator(".opblock-summary-control").click()
    questions.get_by_role("button", name="Try it out").click()
    questions.get_by_role("button", name="Execute").click()
    expect(questions.locator(".live-responses-table tbody .response-col_status")).to_contain_text(
        "200"
    )
    assert f"{server.url}/api/v1/questions" in seen["requests"]
    assert_clean(page, seen, server.url)


def test_the_footer_leads_to_the_docs_whose_calls_carry_the_sessions_csrf_token(
    watched_page, server
):
    page, seen = watched_page
    page.goto(server.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="API").click()
    expect(page).to_have_url(f"{server.url}/api/v1/docs")

    delete = page.locator(".opblock-delete", has_text="Delete a record for good")
    delete.locator(".opblock-summary-control").click()
    delete.get_by_role("button", name="Try it out").click()
    delete.locator('input[placeholder="feedback_id"]').fill("no-such-record")
    delete.get_by_role("button", name="Execute").click()
    # 404, not the 403 of a session call without its CSRF token
    expect(delete.locator(".live-responses-table tbody .response-col_status")).to_contain_text(
        "404"
    )
    assert_clean(page, seen, server.url, (f"{server.url}/api/v1/feedback/no-such-record",))
