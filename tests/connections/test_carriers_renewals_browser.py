"""In a real browser: an Operator finds the carriers whose reference data is missing, sorts carriers by
their connections, opens one; then works the renewals queue (not ready first), filters it, opens a
renewal and downloads the CSV. Each page is photographed at laptop (1280 px) and phone (390 px) width
in test-artifacts/screenshots/."""

import csv
import io
import re

import pytest

from command_center.models import SyncRun
from command_center.sync import runs
from connections.management.commands.seed_carriers import load_sandbox_carriers, seed_carriers
from connections.models import Carrier, RenewalDecision
from tests.browser import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

UNNAMED = "5e6f7a8b-0000-4000-8000-000000000002"


@pytest.fixture
def synced(noyo_settings, transactional_db):
    """The mirror as the real sync leaves it, the demo carriers seeded, and one carrier only seen as an id."""
    seed_carriers(load_sandbox_carriers())
    for kind in ("groups", "group_connections"):
        runs.execute(runs.start_sync(kind, SyncRun.Trigger.COMMAND, enqueue=False).pk)
    Carrier.objects.ensure([UNNAMED])
    assert RenewalDecision.objects.filter(status="not_ready").exists()


def photograph(page, screenshot, name):
    """Full-page screenshots at 1280 and 390 px wide; the viewport is put back after."""
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(50)
        screenshot(f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_an_operator_finds_carriers_missing_reference_data_and_opens_one(
    live_server, page, screenshot, operator, synced
):
    sign_in(page, live_server, operator.username, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Carriers").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("navigation", name="Main").locator("a.active").inner_text() == "Carriers"
    assert page.locator("#results tbody tr").count() == Carrier.objects.count()
    photograph(page, screenshot, "carriers-list")

    page.get_by_label("Reference data missing").check()
    page.wait_for_url(re.compile(r"reference_missing=on"))
    page.wait_for_load_state("networkidle")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 1 and "Carrier 5e6f7a8b" in rows.first.inner_text()
    assert "missing: name, Sync or Send, id format" in rows.first.inner_text()
    photograph(page, screenshot, "carriers-list-missing")

    page.get_by_role("link", name="Clear", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.locator("#results thead").get_by_role("link", name="Connections").click()
    page.wait_for_url(re.compile(r"sort=connections"))
    page.locator("#results thead").get_by_role("link", name=re.compile("Connections")).click()
    page.wait_for_url(re.compile(r"sort=-connections"))
    page.wait_for_load_state("networkidle")
    counts = [int(t.replace(",", "")) for t in page.locator("#results tbody tr td:nth-child(7)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0

    page.locator("#results tbody tr").first.locator("td:nth-child(2) a").click()
    page.wait_for_load_state("networkidle")
    assert "Reference data" in page.content() and "Authorization steps" in page.content()
    assert page.get_by_role("navigation", name="Main").locator("a.active").inner_text() == "Carriers"
    photograph(page, screenshot, "carrier-detail")

    page.goto(f"{live_server.url}/connections/carriers/{UNNAMED}/")
    assert "We have no reference data for this carrier" in page.locator("#reference-missing").inner_text()
    photograph(page, screenshot, "carrier-detail-missing")


def test_an_operator_works_the_renewals_queue_opens_one_and_downloads_the_csv(
    live_server, page, screenshot, operator, synced
):
    sign_in(page, live_server, operator.username, PASSWORD)
    not_ready = RenewalDecision.objects.filter(status="not_ready").count()
    assert f"{not_ready}" in page.locator("a.stat", has_text="Renewals not ready").inner_text()
    page.locator("a.stat", has_text="Renewals not ready").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("navigation", name="Main").locator("a.active").inner_text() == "Renewals"
    badges = page.locator("#results tbody td:nth-child(4) .badge").all_inner_texts()
    assert badges and set(badges) == {"Not ready"}

    page.get_by_role("link", name="Clear", exact=True).click()
    page.wait_for_load_state("networkidle")
    badges = page.locator("#results tbody td:nth-child(4) .badge").all_inner_texts()
    assert badges[:not_ready] == ["Not ready"] * not_ready and "Not ready" not in badges[not_ready:]
    photograph(page, screenshot, "renewals-list")

    page.click("#id_status_menu summary")
    page.get_by_label("Ready", exact=True).check()
    page.wait_for_url(re.compile(r"status=ready"))
    page.wait_for_load_state("networkidle")
    assert set(page.locator("#results tbody td:nth-child(4) .badge").all_inner_texts()) == {"Ready"}
    page.goto(f"{live_server.url}/connections/renewals/?status=not_ready")

    page.locator("#results tbody tr").first.locator("td:nth-child(2) a").click()
    page.wait_for_load_state("networkidle")
    assert "Not ready:" in page.content()
    assert page.locator("#issues li").count() >= 1
    assert page.locator("#expectations .expectation").count() >= 1
    photograph(page, screenshot, "renewal-detail")

    page.go_back()
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Export CSV")).click()
    download = download_info.value
    assert re.match(r"renewals_status-not_ready_\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert len(rows) == not_ready and {row["Status"] for row in rows} == {"not_ready"}
    assert all(row["Issues"] for row in rows)
