"""In a real browser: an Operator connects a group to a carrier from the group's page, and confirms a
disconnection request from the review queue. Each sends exactly one write to the sandbox.
Screenshots of the new pages at laptop (1280 px) and phone (390 px) width land in
test-artifacts/screenshots/ (and SCREENSHOT_DIR when set)."""

import os
import re
from pathlib import Path

import pytest

from command_center.models import SyncRun
from command_center.noyo.sandbox.carriers import CARRIERS
from command_center.sync import runs
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import GroupConnection, GroupDisconnectionRequest
from tests.browser import SCREENSHOTS, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": 1280, "phone": 390}


@pytest.fixture
def synced(noyo_settings, transactional_db):
    """The mirror as the real sync leaves it: groups (with their disconnection requests) and connections."""
    seed_carriers(CARRIERS)
    for kind in ("groups", "group_connections"):
        run = runs.start_sync(kind, SyncRun.Trigger.COMMAND, enqueue=False)
        runs.execute(run.pk)
    assert GroupDisconnectionRequest.objects.filter(status="needs_review").exists()


def shoot(page, name):
    """Full-page screenshots at both widths (the page as it is: no reload, so a form keeps what it shows),
    after checking nothing spills out sideways."""
    folders = [SCREENSHOTS] + ([Path(os.environ["SCREENSHOT_DIR"])] if os.environ.get("SCREENSHOT_DIR") else [])
    for suffix, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)  # let the layout settle at the new width
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} is {overflow}px too wide at {width}px"
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}-{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_operator_connects_a_group_to_a_carrier_from_its_page(live_server, page, operator, synced, sandbox):
    group = GroupConnection.objects.exclude(group=None).select_related("group").first().group
    sign_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/groups/{group.pk}/")
    page.get_by_role("link", name="Connect to a carrier…").click()
    page.wait_for_load_state("networkidle")
    assert group.name in page.locator("h1 + .sub").inner_text()

    page.select_option("#id_carrier", label="Bluepeak Dental")
    page.locator("#carrier-hint", has_text="BP- followed by 5 digits").wait_for()
    page.fill("#id_carrier_group_id", "12345")
    page.get_by_role("button", name="Send to Noyo").click()
    page.wait_for_load_state("networkidle")
    # Refused beside the field before anything is sent; the rest kept.
    assert "Bluepeak Dental expects a carrier group id in this format" in page.locator(".field-error").inner_text()
    assert page.locator("#id_carrier").input_value() == CARRIERS[2]["id"]
    shoot(page, "connection-create-refused")

    page.fill("#id_carrier_group_id", "BP-55501")
    page.fill("#id_broker_federal_ein", "45-1234567")
    page.get_by_role("button", name="Send to Noyo").click()
    page.wait_for_url(re.compile(r"/connections/[0-9a-f-]{36}/$"))
    assert "Noyo accepted the request: the connection is “Created”." in page.locator(".messages").inner_text()
    assert "BP-55501" in page.content()
    assert len(sandbox.requests(method="POST", path_contains="/group_connections")) == 1
    assert GroupConnection.objects.get(carrier_group_id="BP-55501").group_id == group.pk

    page.goto(f"{live_server.url}/connections/new/?group={group.pk}")
    shoot(page, "connection-create")

    # Without a group: find one (htmx), or fill in a new one.
    page.goto(f"{live_server.url}/connections/new/")
    page.fill("#id_find", group.name[:8])
    page.locator("#group-matches a", has_text=group.name).first.wait_for()
    shoot(page, "connection-create-new-group")


def test_an_operator_confirms_a_disconnection_from_the_review_queue(live_server, page, operator, synced, sandbox):
    waiting = GroupDisconnectionRequest.objects.filter(status="needs_review").first()
    sign_in(page, live_server, operator.username, PASSWORD)
    page.get_by_role("link", name="Disconnections waiting for review").click()
    page.wait_for_url(re.compile(r"/connections/disconnections/\?status=needs_review"))
    page.wait_for_load_state("networkidle")
    assert (
        page.locator("#results tbody tr").count()
        == GroupDisconnectionRequest.objects.filter(status="needs_review").count()
    )
    shoot(page, "disconnection-list-waiting")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Disconnections").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#results tbody tr .badge").first.inner_text() == "Needs review"  # waiting ones first
    shoot(page, "disconnection-list")

    page.locator("#results tbody tr").first.get_by_role("link", name="Review…").click()
    page.wait_for_load_state("networkidle")
    assert "Waiting for your review." in page.content()
    shoot(page, "disconnection-detail-waiting")

    page.get_by_role("link", name="Confirm disconnection…").click()
    page.wait_for_load_state("networkidle")
    assert "Are you sure?" in page.content()
    page.fill("#id_note", "The broker confirmed the group left")
    shoot(page, "disconnection-confirm")
    page.get_by_role("button", name="Yes, confirm the disconnection").click()
    page.wait_for_url(re.compile(rf"/connections/disconnections/{waiting.pk}/$"))
    assert "Noyo recorded the confirmation" in page.locator(".messages").inner_text()
    assert "Processing" in page.locator("h1 + .sub").inner_text()
    assert "The broker confirmed the group left" in page.locator("#review-history").inner_text()
    assert len([r for r in sandbox.requests(method="PUT") if r["path"].endswith("/confirm")]) == 1
    waiting.refresh_from_db()
    assert waiting.status == "processing"
    shoot(page, "disconnection-detail-confirmed")
