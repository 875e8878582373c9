"""In a real browser, at laptop and phone widths: someone subscribes, the form showing only the fields of the
topic they pick, and sees the subscription listed in words. Screenshots land in test-artifacts/screenshots/."""

import pytest

from command_center.alerts.models import Subscription
from tests.browser import go_to, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
WIDTHS = {"laptop": 1280, "phone": 390}


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_someone_subscribes_to_a_family_going_stale_and_sees_it_listed(
    live_server, page, screenshot, operator, email_channel, width
):
    operator.email = "otto@example.com"
    operator.save()
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server, operator.username, PASSWORD)
    go_to(page, "Alerts")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Alerts"

    # New attention items is picked: its kind and carrier show, the family's fields do not.
    assert page.locator("#id_attention_kind").is_visible() and page.locator("#id_carrier").is_visible()
    assert not page.locator("#id_stale_minutes").is_visible()
    page.get_by_label("A sync family without a successful sync").check()
    assert page.locator("#id_stale_minutes").is_visible() and not page.locator("#id_attention_kind").is_visible()
    assert page.locator("#id_carrier").is_hidden()
    page.select_option("#id_family", "group_connections")
    page.fill("#id_stale_minutes", "45")
    # Leave the field first: headless Chromium scrolls the page when the focused field loses focus to the
    # press on the button, and the click then lands where the button was.
    page.press("#id_stale_minutes", "Tab")
    page.select_option("#id_channel", label="E-mail: my address (otto@example.com)")
    assert overflow(page) <= 0, "the page scrolls sideways"
    screenshot(f"alerts-subscribe-{width}")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state("networkidle")

    page.get_by_text("Subscribed: No successful group connections sync for 45 minutes, by E-mail.").wait_for()
    assert (
        "No successful group connections sync for 45 minutes, by E-mail"
        in page.locator("ul.subscriptions").inner_text()
    )
    subscription = Subscription.objects.get(user=operator)
    assert (subscription.topic, subscription.family, subscription.stale_minutes) == (
        "family_stale",
        "group_connections",
        45,
    )
    assert overflow(page) <= 0, "the page scrolls sideways"
    screenshot(f"alerts-subscribed-{width}")
