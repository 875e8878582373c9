"""In a real browser: an Operator filters to unable_to_connect, retries one connection with a new
carrier_group_id, sees the outcome and downloads the CSV. Screenshots of every page land in
test-artifacts/screenshots/."""

import csv
import io
import re

import pytest

from command_center.models import SyncRun
from command_center.noyo.sandbox.carriers import CARRIERS
from command_center.sync import runs
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import GroupConnection
from tests.browser import SCREENSHOTS, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def synced(noyo_settings, transactional_db):
    """The mirror as the real sync leaves it: groups and group connections from the sandbox."""
    seed_carriers(CARRIERS)
    for kind in ("groups", "group_connections"):
        run = runs.start_sync(kind, SyncRun.Trigger.COMMAND, enqueue=False)
        runs.execute(run.pk)
    assert GroupConnection.objects.filter(status="unable_to_connect").exists()


def new_number(carrier_group_id):
    # Same format, another number: bump the last digit.
    return re.sub(r"(\d)(\D*)$", lambda m: f"{(int(m.group(1)) + 1) % 10}{m.group(2)}", carrier_group_id)


def test_an_operator_filters_retries_with_a_new_number_sees_the_outcome_and_downloads_the_csv(
    live_server, page, screenshot, operator, synced, sandbox
):
    sign_in(page, live_server, operator.username, PASSWORD)
    screenshot("connections-dashboard")

    page.goto(f"{live_server.url}/connections/")
    page.click("#id_status_menu summary")
    page.get_by_label("Unable to connect").check()
    page.wait_for_url(re.compile(r"status=unable_to_connect"))
    page.wait_for_load_state("networkidle")
    badges = page.locator("#results tbody .badge:not(.warn)").all_inner_texts()
    assert badges and set(badges) == {"Unable to connect"}
    screenshot("connections-list-filtered")

    page.locator("#results tbody tr").first.get_by_role("link", name="Retry…").click()
    page.wait_for_load_state("networkidle")
    field = page.locator("#id_carrier_group_id")
    old = field.input_value()
    field.fill(new_number(old))
    page.fill("#id_note", "Carrier confirmed the group number by phone")
    screenshot("connections-retry-form")
    page.get_by_role("button", name="Send retry to Noyo").click()
    page.locator(".notice.ok").wait_for()
    assert "Retry sent." in page.locator("#retry-panel").inner_text()
    assert "Processing" in page.locator("#retry-panel").inner_text()
    assert len(sandbox.requests(method="PUT", path_contains="/retry")) == 1
    screenshot("connections-retry-outcome")

    page.get_by_role("link", name="View connection").click()
    page.wait_for_load_state("networkidle")
    assert "Retry history" in page.content() and new_number(old) in page.content()
    screenshot("connections-detail")

    page.go_back()
    page.go_back()
    page.goto(f"{live_server.url}/connections/?status=unable_to_connect")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Export CSV")).click()
    download = download_info.value
    assert re.match(r"connections_status-unable_to_connect_\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert rows and {row["Status"] for row in rows} == {"unable_to_connect"}


def test_an_operator_retries_ticked_rows_in_bulk_and_sees_an_outcome_per_row(
    live_server, page, screenshot, operator, synced, sandbox
):
    sign_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/?status=unable_to_connect&status=action_required&sort=group")
    retry_button = page.get_by_role("button", name="Retry ticked")
    assert retry_button.is_disabled()
    rows = page.locator("#results tbody tr")
    ticked = [rows.nth(n).locator("input[name=ids]") for n in (0, 1)]
    ticked_ids = [box.get_attribute("value") for box in ticked]
    for box in ticked:
        box.check()
    assert page.locator("[data-selection-count]").inner_text() == "2 ticked"
    page.once("dialog", lambda dialog: dialog.accept())
    retry_button.click()
    page.locator(".outcome-card").wait_for()
    outcome = page.locator(".outcome-card tbody tr")
    assert outcome.count() == 2
    assert set(outcome.locator("td:nth-child(3)").all_inner_texts()) == {"Succeeded"}
    assert len(sandbox.requests(method="PUT", path_contains="/retry")) == 2
    # The list reloads itself: the two rows left the filter (they are processing now).
    for connection_id in ticked_ids:
        page.locator(f"#results input[value='{connection_id}']").wait_for(state="detached")
    screenshot("connections-bulk-outcome")


def test_the_pages_look_right_on_a_laptop_and_on_a_phone(live_server, page, screenshot, operator, synced):
    from connections import retry

    connection = GroupConnection.objects.filter(status="unable_to_connect").first()
    group = connection.group
    # Something in the audit log and the retry history.
    attempt = retry.prepare_attempt(connection, operator)
    retry.perform_retry(
        attempt,
        operator,
        retry.RetryValues(carrier_group_id=new_number(connection.carrier_group_id), note="New number from the carrier"),
    )
    connection = GroupConnection.objects.filter(status="unable_to_connect").first() or connection
    sign_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/")
    with page.expect_download():
        page.get_by_role("link", name=re.compile("Export CSV")).click()
    pages = {
        "dashboard": "/",
        "list": "/connections/",
        "detail": f"/connections/{connection.pk}/",
        "retry": f"/connections/{connection.pk}/retry/",
        "groups": "/connections/groups/",
        "group": f"/connections/groups/{group.pk}/",
        "carriers": "/connections/carriers/",
        "carrier": f"/connections/carriers/{connection.carrier_id}/",
        "audit": "/audit/",
    }
    for width, suffix in ((1366, "laptop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page.locator("h1").count() == 1, name
            # Nothing spills out sideways except inside scrollable tables.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} is {overflow}px too wide at {width}px"
            if suffix == "laptop":
                screenshot(f"connections-{name}-{suffix}")
            else:  # what a phone shows first
                page.screenshot(path=str(SCREENSHOTS / f"connections-{name}-{suffix}.png"))


@pytest.mark.parametrize("width", [1280, 1024])
def test_every_navigation_item_is_in_sight_on_a_laptop(live_server, page, operator, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/members/differences/")
    links = page.locator("nav.nav a")
    assert links.count() >= 14
    for n in range(links.count()):
        box = links.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{links.nth(n).inner_text()} is off the screen"
