"""Playwright driving Debian's Chromium (never a downloaded browser).

Browser tests take the ``page`` fixture and a ``live_server``; they are skipped,
with the reason shown, where /usr/bin/chromium is not installed.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's ORM calls made by the
    # test itself (creating users) are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Refusals of the Content-Security-Policy a page is expected to meet: Redoc's bundle asks for its logo at
# cdn.redoc.ly whatever its settings, and the policy refusing it is the policy working.
EXPECTED_CSP_REFUSALS = ("cdn.redoc.ly",)


@contextmanager
def policed_page(browser, **options):
    """A page in a new browser context (``options``: viewport, color_scheme …) that fails its test if the
    Content-Security-Policy blocked anything the page did (an inline script or style, a handler, an eval, a
    request elsewhere)."""
    context = browser.new_context(**{"viewport": {"width": 1366, "height": 900}, **options})
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = []

    def heard(message):
        if "Content Security Policy" in message.text and not any(
            host in message.text for host in EXPECTED_CSP_REFUSALS
        ):
            refused.append(f"{page.url}: {message.text}")

    page.on("console", heard)
    yield page
    context.close()
    assert refused == [], "The Content-Security-Policy blocked something:\n" + "\n".join(refused)


@pytest.fixture
def page(browser):
    """A policed page: every browser test checks the policy."""
    with policed_page(browser, accept_downloads=True) as page:
        yield page


def save_screenshot(page, name):
    """Save test-artifacts/screenshots/name.png (the full page) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret makes Playwright inject a <style>, which the page's policy refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves test-artifacts/screenshots/name.png (full page) and returns the path."""
    return lambda name, target=None: save_screenshot(target or page, name)


# axe-core, from npm (package.json; `make node` installs it). Never served: the tests hand it to the page.
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of the page as drawn, of the given impacts, one line each: rule, impact, where."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make node); the accessibility checks need it")
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


def go_to(page, name):
    """Follow the main navigation's link ``name``, opening the Menu first where the screen is a phone's."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
