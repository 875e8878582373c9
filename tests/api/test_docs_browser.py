"""In a real browser: a signed-in user reads the API in Swagger UI and in Redoc, and neither page
sends anything beyond this machine: a request that would leave localhost is recorded and refused."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import yaml

from tests.browser import SCREENSHOTS, sign_in
from tests.conftest import PASSWORD
from tests.core.test_openapi import CHECKED_IN

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Redoc's bundle asks for its logo whatever its settings; the page's Content-Security-Policy refuses it.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@dataclass
class Outside:
    left: list = field(default_factory=list)  # reached the network (then aborted by the test)
    refused_by_policy: list = field(default_factory=list)  # stopped by the browser, never sent


@pytest.fixture
def outside(page):
    """What the page asked of hosts other than this one."""
    seen = Outside()

    def stay_local(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            seen.left.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", stay_local)
    page.on("requestfailed", lambda request: request.failure == "csp" and seen.refused_by_policy.append(request.url))
    return seen


def documented_paths():
    return sorted(yaml.safe_load(CHECKED_IN.read_text())["paths"])


def test_swagger_ui_shows_every_operation_and_asks_nothing_of_the_internet(
    live_server, page, outside, screenshot, viewer
):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    page.wait_for_load_state("networkidle")
    # Swagger UI breaks a path's words with zero-width spaces.
    shown = {path.replace("\u200b", "") for path in page.locator(".opblock-summary-path").all_inner_texts()}
    assert shown == set(documented_paths())
    screenshot("api-docs-swagger")
    assert outside.left == [] and outside.refused_by_policy == []


def test_redoc_shows_every_operation_and_sends_nothing_to_the_internet(live_server, page, outside, viewer):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/api/redoc/")
    page.locator("[data-section-id]").first.wait_for()
    page.wait_for_load_state("networkidle")
    text = page.locator("body").inner_text()
    for path in documented_paths():
        assert path in text, path
    page.screenshot(path=str(SCREENSHOTS / "api-docs-redoc.png"))  # the first screen: the whole page is very long
    assert outside.left == []
    assert set(outside.refused_by_policy) <= {REDOC_LOGO}
