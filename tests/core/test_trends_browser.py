"""In a real browser: the trends page draws its charts without a script at laptop and phone width."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_connection, make_status_change

pytestmark = pytest.mark.browser

STATUSES = ["processing", "noyo_review", "waiting_on_carrier", "completed", "unable_to_connect", "action_required"]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_charts_fit_the_screen_and_their_keys_open_the_lists(
    live_server, page, screenshot, viewer, transactional_db, width
):
    now = timezone.now()
    for n in range(60):
        status = STATUSES[n % len(STATUSES)]
        make_status_change(
            make_connection(status=status), "", status, observed_at=now - dt.timedelta(days=n % 30, hours=1)
        )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.goto(f"{live_server.url}/trends/")
    # On a phone the chart scrolls sideways inside the page rather than shrink its labels past reading.
    frame = page.locator(".chart-scroll").first.bounding_box()
    assert frame["x"] + frame["width"] <= width and page.locator("svg.chart-svg rect").count() > 30
    screenshot(f"trends-{width}")
    page.locator(".legend a", has_text="Unable to connect").first.click()
    page.wait_for_url("**/connections/?status=unable_to_connect")
