"""The dashboard at /__mock__/ui, in a real browser (Chromium, driven by Playwright), against
real servers on loopback: what a developer sees while their application runs.

Every page is 800 px wide, and fails its test if it logs an error or throws. Nothing sleeps:
Playwright's `expect` waits until the page shows what is asserted (the page polls each second).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from krea_nano_banana_mock.core.lifecycle import STATUS_SEQUENCES, Outcome

import krea_nano_banana_spec as spec
from devtools.browser import ARGS, CANDIDATES, executable, unavailable
from devtools.servers import mock_server

pytestmark = pytest.mark.slow(seconds=5)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CREATE = spec.generation(spec.default_model()).path
UI = "/__mock__/ui"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed")
    path = executable()
    if path is None:
        unavailable(f"no Chromium on PATH (looked for {', '.join(CANDIDATES)})")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page, 800 px wide; the test fails if the page logs an error or throws."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    opened = context.new_page()
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert problems == [], problems


@pytest.fixture(scope="module")
def shared_server() -> Iterator[str]:
    """One server for the module's tests (each server costs a second to start)."""
    with mock_server("--progression", "manual") as url:
        yield url


@pytest.fixture
def url(shared_server: str, page: Page) -> Iterator[str]:
    """The shared server, as new: no job, no journal, manual progression at the default pace.
    The page leaves it after the test, before anything stops, as the page polls it."""
    httpx.post(f"{shared_server}/__mock__/reset").raise_for_status()
    pace = {"policy": "manual", "step_seconds": 0.6}
    httpx.post(f"{shared_server}/__mock__/progression", json=pace).raise_for_status()
    yield shared_server
    page.goto("about:blank")


@contextlib.contextmanager
def proxy_in_front(page: Page, upstream: str) -> Iterator[str]:
    with mock_server("--proxy", upstream) as proxy:
        try:
            yield proxy
        finally:
            page.goto("about:blank")


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def create(url: str, token: str, prompt: str, **headers: str) -> dict[str, Any]:
    response = httpx.post(
        url + CREATE,
        json={"prompt": prompt},
        headers={"Authorization": f"Bearer {token}", **headers},
    )
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def tenant_digest(token: str) -> str:
    """How the dashboard names a tenant: the start of the token's SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def job_row(page: Page, job_id: str) -> Any:
    return page.locator(f'#jobs-body tr[data-job="{job_id}"]')


def test_the_jobs_of_two_tenants_appear_by_digest_never_by_token(page: Page, url: str) -> None:
    first = create(url, "token-of-alice", "a lighthouse at dusk")
    second = create(url, "token-of-bob", "a snowy owl")
    page.goto(url + UI)
    for job, token in ((first, "token-of-alice"), (second, "token-of-bob")):
        row = job_row(page, job["job_id"])
        expect(row).to_contain_text(tenant_digest(token))
        expect(row).to_contain_text(spec.default_model())
    expect(job_row(page, first["job_id"])).to_contain_text("a lighthouse at dusk")
    expect(page.get_by_role("heading", name="Jobs")).to_contain_text("(2)")
    assert "token-of-" not in page.content()
    # Readable at 800 px: nothing makes the page itself scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 800


def test_a_job_completes_and_shows_its_thumbnail_without_a_reload(page: Page, url: str) -> None:
    graph = spec.lifecycle()
    page.goto(url + UI)
    expect(page.get_by_text("No jobs yet.")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    job = create(url, "token", "a red kite")
    row = job_row(page, job["job_id"])
    expect(row.locator(".status")).to_have_text(job["status"])
    httpx.post(f"{url}/__mock__/jobs/{job['job_id']}/advance", json={"steps": 10})
    expect(row.locator(".status")).to_have_text(graph.succeeded)
    thumbnail = row.get_by_role("img", name=re.compile(f"result of job {job['job_id'][:8]}"))
    expect(thumbnail).to_be_visible()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    # Each status the job went through is on its timeline, in order.
    timeline = row.get_by_role("list", name=re.compile("status changes"))
    statuses = [item.split()[0] for item in timeline.locator("li").all_inner_texts()]
    assert statuses[-1] == graph.succeeded
    assert graph.is_path(tuple(statuses))
    assert page.evaluate("window.sameDocument") is True
    # The page's own loads are not the application's requests: none is journaled.
    journaled = httpx.get(f"{url}/__mock__/journal").json()["entries"]
    assert [entry["method"] for entry in journaled] == ["POST"]


def test_a_refused_request_shows_the_mocks_error(page: Page, url: str) -> None:
    refused = httpx.post(url + CREATE, json={"prompt": 7}, headers={"Authorization": "Bearer t"})
    assert refused.status_code == 400
    page.goto(url + UI)
    row = page.locator("#journal-body tr.refused")
    expect(row).to_contain_text(refused.json()["error"])
    expect(row).to_contain_text("400")
    row.get_by_text("body", exact=True).click()  # what the application sent
    expect(row.locator("pre")).to_contain_text('"prompt": 7')


def test_the_journal_filters_by_status_and_pages(page: Page, url: str) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as client:
        for number in range(60):
            client.get(f"/jobs/00000000-0000-4000-8000-{number:012d}")
        client.post(CREATE, json={"prompt": "a heron"})
    page.goto(url + UI)
    expect(page.locator("#journal-page")).to_have_text("page 1 of 2")
    page.get_by_role("button", name="Older requests").click()
    expect(page.locator("#journal-page")).to_have_text("page 2 of 2")
    page.get_by_role("textbox", name="Status").fill("200")
    page.get_by_role("textbox", name="Status").press("Enter")
    expect(page.locator("#journal-body tr")).to_have_count(1)
    expect(page.locator("#journal-body")).to_contain_text("POST")


def test_a_proxy_violation_stands_out(page: Page, url: str) -> None:
    with proxy_in_front(page, url) as proxy:
        httpx.post(proxy + CREATE, json={"prompt": 7}, headers={"Authorization": "Bearer t"})
        page.goto(proxy + UI)
        expect(page.locator("#mode")).to_contain_text(f"proxy to {url}")
        violation = page.locator("#journal-body tr.violation").get_by_role("listitem")
        expect(violation.first).to_contain_text("violation: request: prompt")
        expect(page.locator("#jobs")).to_be_hidden()


def test_advancing_the_clock_moves_a_job_on(page: Page, url: str) -> None:
    graph = spec.lifecycle()
    # An hour a step: nothing moves until the dashboard moves the clock.
    pace = {"policy": "time", "step_seconds": 3600}
    httpx.post(f"{url}/__mock__/progression", json=pace).raise_for_status()
    job = create(url, "token", "a tide pool")
    page.goto(url + UI)
    row = job_row(page, job["job_id"])
    expect(row.locator(".status")).to_have_text(job["status"])
    page.get_by_label("Advance the clock by (seconds)").fill(str(3600 * 10))
    page.get_by_role("button", name="Advance clock").click()
    expect(row.locator(".status")).to_have_text(graph.succeeded)
    # The pace: a new step time, for the jobs created from then on.
    page.get_by_label("Progression").select_option("time")
    page.get_by_label("step (seconds, for new jobs)").fill("0.5")
    page.get_by_role("button", name="Set progression").click()
    expect(page.locator("#step")).to_have_text("0.5")


def test_a_job_under_manual_progression_moves_with_its_advance_button(page: Page, url: str) -> None:
    job = create(url, "token", "a quiet harbour")
    page.goto(url + UI)
    expect(page.locator("#progression")).to_have_text("manual")
    row = job_row(page, job["job_id"])
    expect(row.locator(".status")).to_have_text(job["status"])
    page.get_by_role("button", name=f"Advance job {job['job_id'][:8]}").click()
    expect(row.locator(".status")).to_have_text(STATUS_SEQUENCES[Outcome.COMPLETE][1])


def test_reset_asks_first_and_works_from_the_keyboard(page: Page, url: str) -> None:
    job = create(url, "token", "a lantern")
    page.goto(url + UI)
    expect(job_row(page, job["job_id"])).to_be_visible()
    reset = page.get_by_role("button", name="Reset the mock…")
    reset.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Reset the mock?")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # the focused default is to keep everything
    expect(dialog).to_be_hidden()
    expect(job_row(page, job["job_id"])).to_be_visible()
    reset.press("Enter")
    dialog.get_by_role("button", name="Reset", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("No jobs yet.")).to_be_visible()
    assert httpx.get(f"{url}/__mock__/state").json()["jobs"] == 0
