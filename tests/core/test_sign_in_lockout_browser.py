"""In a real browser: after too many wrong passwords the sign-in page says, in plain words, that
signing in is paused and for how long, and the right password does not get in until then."""

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def try_password(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_sign_in_page_says_when_signing_in_is_paused(live_server, page, screenshot, viewer, transactional_db):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        try_password(page, live_server, viewer.username, "not the password")
        assert "didn't match" in page.locator(".notice.bad").inner_text()
    try_password(page, live_server, viewer.username, "not the password")
    try_password(page, live_server, viewer.username, PASSWORD)

    notice = page.get_by_role("alert")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert "Too many failed sign-ins" in notice.inner_text()
    assert f"Try again in {minutes} minutes" in notice.inner_text()
    assert page.url.endswith("/login/")  # still signing in, not let through
    assert page.locator("#id_username").input_value() == viewer.username
    screenshot("sign-in-locked-out")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
