"""In a real browser: an Operator opens API keys from the header, makes an operator key, copies it from
the page (shown once), a script uses it over HTTP, and the Operator revokes it (after a confirmation)
so the script is refused. Screenshots at laptop (1280 px) and phone (390 px) width land in
test-artifacts/screenshots/ (and SCREENSHOT_DIR when set)."""

import httpx
import pytest

from command_center.models import ApiKey, AuditEntry
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.connections.test_browser_writes import shoot

pytestmark = pytest.mark.browser


def call_api(live_server, key):
    return httpx.get(f"{live_server.url}/api/connections/", headers={"Authorization": f"Bearer {key}"}, timeout=10)


def test_an_operator_makes_a_key_a_script_uses_it_and_the_operator_revokes_it(
    transactional_db, live_server, page, operator
):
    sign_in(page, live_server, operator.username, PASSWORD)
    page.locator(".userbox").get_by_role("link", name="API keys").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "API keys"
    assert "No keys yet" in page.locator("table.api-keys").inner_text()
    shoot(page, "api-keys-empty")

    page.fill("#id_name", "nightly retries")
    page.get_by_label("Operator").check()
    page.get_by_role("button", name="Make key").click()
    page.wait_for_load_state("networkidle")
    key = page.locator("#new-key").input_value()
    assert "copy it now" in page.locator(".new-key h2").inner_text()
    assert "nightly retries" in page.locator("table.api-keys").inner_text()
    shoot(page, "api-keys-new")

    assert call_api(live_server, key).status_code == 200
    page.reload()  # sends the form again: no second key, and the key is not shown again
    page.get_by_text("This form was sent already").wait_for()
    assert page.locator("#new-key").count() == 0 and key not in page.content()
    assert ApiKey.objects.count() == 1

    row = page.locator("table.api-keys tbody tr", has_text="nightly retries")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state("networkidle")
    assert "Revoked “nightly retries”" in page.locator(".messages").inner_text()
    assert "Revoked" in page.locator("table.api-keys tbody tr", has_text="nightly retries").inner_text()
    shoot(page, "api-keys-revoked")

    refused = call_api(live_server, key)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert ApiKey.objects.get().revoked
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"create_key", "revoke_key"}


def test_dismissing_the_confirmation_keeps_the_key(transactional_db, live_server, page, operator):
    ApiKey.objects.create_key(user=operator, name="keep me", scope="read_only")
    sign_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/account/api-keys/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_timeout(200)
    assert not ApiKey.objects.get().revoked
