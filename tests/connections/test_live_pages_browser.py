"""In a real browser: the dashboard and the attention queue refresh themselves, but not while the tab is
hidden or someone is typing, and say when they last refreshed."""

import pytest

from tests.attention.factories import make_item
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_connection

pytestmark = pytest.mark.browser

# Long enough that an unwanted refresh (every second here) would surely come.
QUIET_MS = 3500


@pytest.fixture
def every_second(settings):
    settings.LIVE_REFRESH_SECONDS = 1


def connections_count(page):
    return page.locator(".stats .stat").first.locator(".value").inner_text()


def refreshes_during(page, milliseconds):
    seen = []
    page.on("request", lambda request: seen.append(request.url) if request.headers.get("hx-request") else None)
    page.wait_for_timeout(milliseconds)
    return seen


def test_the_dashboard_shows_new_records_without_a_reload(live_server, page, viewer, transactional_db, every_second):
    sign_in(page, live_server, viewer.username, PASSWORD)
    assert connections_count(page) == "0"
    assert "Refreshed" in page.locator(".live-note").inner_text()
    make_connection(status="unable_to_connect")
    page.wait_for_function("() => document.querySelector('.stats .stat .value').textContent.trim() === '1'")
    assert "refreshes itself every 1 seconds" in page.locator(".live-note").inner_text()


def test_a_hidden_tab_or_someone_typing_holds_the_refresh(live_server, page, viewer, transactional_db, every_second):
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.evaluate("Object.defineProperty(document, 'hidden', {configurable: true, get: () => true})")
    assert refreshes_during(page, QUIET_MS) == []
    page.evaluate("Object.defineProperty(document, 'hidden', {configurable: true, get: () => false})")
    page.get_by_role("searchbox", name="Search every record").focus()
    assert refreshes_during(page, QUIET_MS) == []
    page.locator("h1").click()  # done typing: refreshing goes on
    make_connection()
    page.wait_for_function("() => document.querySelector('.stats .stat .value').textContent.trim() === '1'")


def test_the_attention_queue_refreshes_with_its_filters_and_keeps_ticked_rows(
    live_server, page, viewer, transactional_db, every_second
):
    make_item()
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/attention/")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 1
    make_item()
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 2")
    rows.first.locator("input[name=ids]").check()
    make_item()
    assert refreshes_during(page, QUIET_MS) == []
    assert rows.first.locator("input[name=ids]").is_checked()
