"""The Syncs pages in headless Chromium: start a sync, watch it, read its failed records."""

import pytest
from django.utils import timezone

from command_center.models import SyncRun
from tests.browser import sign_in
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_an_operator_starts_a_sync_and_reads_its_outcome(
    page, live_server, operator, noyo_settings, sandbox, screenshot
):
    sandbox.set_faults(malformed_rate=0.1, malformed_mode="bad_date")
    sign_in(page, live_server, operator.username, PASSWORD)

    page.goto(f"{live_server.url}/syncs/")
    page.select_option("#id_sync_kind", "group_connections")
    page.click("text=Sync now")
    page.wait_for_load_state("networkidle")

    assert "/syncs/" in page.url and page.url.rstrip("/").split("/")[-1].isdigit()
    assert page.locator(".badge", has_text="Partly synced").first.is_visible()
    assert page.locator("text=Failed records").first.is_visible()
    page.locator("details summary").first.click()
    screenshot("sync-detail-partial")

    page.goto(f"{live_server.url}/syncs/")
    assert page.locator("table.data tbody tr").count() == 1
    screenshot("sync-list")


@pytest.mark.browser
def test_a_running_sync_shows_a_progress_bar_per_resource(page, live_server, viewer, screenshot):
    run = SyncRun.objects.create(
        kind="full",
        trigger="schedule",
        status="running",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        api_calls=412,
        resources={
            "groups": {
                "total": 20,
                "fetched": 20,
                "created": 20,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": True,
                "complete": True,
                "order": 0,
            },
            "contacts": {
                "total": None,
                "fetched": 21,
                "created": 21,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": False,
                "parents": 20,
                "parents_done": 12,
                "order": 1,
            },
            "group_connections": {
                "total": 45,
                "fetched": 0,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": False,
                "order": 2,
            },
        },
    )
    sign_in(page, live_server, viewer.username, PASSWORD)

    with page.expect_response(lambda response: f"/syncs/{run.pk}/progress" in response.url):  # one htmx poll
        page.goto(f"{live_server.url}/syncs/{run.pk}/")

    assert page.locator(".progress").count() == 3
    assert page.locator('progress[value="60"]').count() == 1
    assert page.locator("text=Sync now").count() == 0
    screenshot("sync-detail-running")


@pytest.mark.browser
def test_a_failing_sync_turns_the_header_red_and_its_page_says_what_happened(
    page, live_server, operator, noyo_settings, sandbox, screenshot
):
    from command_center.sync import runs

    sandbox.set_faults(
        not_offered={"/renewal_decisions": 404}, path_contains="/group_connections", rate_503=1.0, retry_after=0
    )
    run = runs.execute(runs.start_sync("full", SyncRun.Trigger.USER, enqueue=False).pk)
    sign_in(page, live_server, operator.username, PASSWORD)

    page.goto(f"{live_server.url}/")
    assert page.locator("#freshness.bad").is_visible()
    assert page.locator("[role=alert]", has_text="The group connections sync failed").is_visible()
    screenshot("dashboard-sync-failing")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("[role=alert]").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("dashboard-sync-failing-phone")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/syncs/{run.pk}/")
    assert page.locator(".badge", has_text="not offered").is_visible()
    assert page.locator("text=Noyo does not offer renewal decisions to this API key").first.is_visible()
    assert page.locator("text=Noyo had a server error (5xx)").is_visible()
    screenshot("sync-detail-families")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("sync-detail-families-phone")


@pytest.mark.browser
def test_the_run_page_says_how_its_lists_are_shared_out_at_laptop_and_phone_width(
    page, live_server, viewer, screenshot
):
    from command_center.models import SyncChunk

    now = timezone.now()
    run = SyncRun.objects.create(
        kind="employees", trigger="user", status="running", started_at=now, heartbeat_at=now, resources={}
    )
    statuses = [*["done"] * 96, *["running"] * 3, "queued"]
    for number, status in enumerate(statuses):
        SyncChunk.objects.create(
            run=run,
            step="employees.dependents",
            number=number,
            status=status,
            attempts=2 if number == 7 else 1,
            worker=f"worker-{number % 4}" if status != "queued" else "",
        )
    for number in range(40):
        SyncChunk.objects.create(
            run=run, step="employees.premiums", number=number, status="done", attempts=1, worker="worker-0"
        )
    sign_in(page, live_server, viewer.username, PASSWORD)

    page.goto(f"{live_server.url}/syncs/{run.pk}/")
    card = page.locator("section.card", has_text="Shared out among workers")
    assert card.is_visible()
    assert card.locator("li").all_inner_texts() == [
        "Employees, dependents: 96 of 100 chunks read, by 4 workers (3 being read, 1 read again after their worker stopped).",
        "Employees, premiums: 40 of 40 chunks read, by 1 worker.",
    ]
    screenshot("sync-detail-chunks")
    page.set_viewport_size({"width": 390, "height": 844})
    assert card.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("sync-detail-chunks-phone")
