"""In a real browser: an Operator opens the attention queue, opens an item, follows it to its connection,
retries it, and after the next sync sees the item closed by itself. Screenshots of the queue and the item
page at laptop and phone widths land in test-artifacts/screenshots/."""

import re

import pytest

from command_center.models import AttentionItem, SyncRun
from command_center.noyo.sandbox.carriers import CARRIERS
from command_center.sync import runs
from connections.management.commands.seed_carriers import seed_carriers
from tests.browser import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
WIDTHS = {"laptop": 1280, "phone": 390}


def sync(kind):
    run = runs.start_sync(kind, SyncRun.Trigger.COMMAND, enqueue=False)
    return runs.execute(run.pk)


@pytest.fixture
def synced(noyo_settings, transactional_db):
    """The mirror and its attention items as the real syncs leave them."""
    seed_carriers(CARRIERS)
    for kind in ("groups", "group_connections", "member_requests"):
        assert sync(kind).status == SyncRun.Status.SUCCEEDED
    assert AttentionItem.objects.open().filter(summary__startswith="Unable to connect").exists()


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_an_operator_opens_an_item_follows_it_to_the_connection_retries_and_sees_it_close_after_the_next_sync(
    live_server, page, screenshot, operator, synced, sandbox
):
    sign_in(page, live_server, operator.username, PASSWORD)
    nav = page.locator("nav.nav a").first
    assert nav.inner_text().startswith("Attention")
    open_now = AttentionItem.objects.awake().count()
    assert nav.locator(".nav-count").inner_text() == str(open_now)
    nav.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#results tbody tr").count() == open_now

    # Only the connections that need action, through the kind filter (htmx, the URL follows).
    page.click("#id_kind_menu summary")
    page.get_by_label("Connection needs action").check()
    page.wait_for_url(re.compile(r"kind=connection_needs_action"))
    page.wait_for_load_state("networkidle")
    row = page.locator("#results tbody tr", has_text="Unable to connect").first
    row.locator("a.item-link").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Connection needs action"
    item = AttentionItem.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))

    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Acknowledged: your teammates can see you have seen it.").wait_for()
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_text("Assigned to you.").wait_for()
    page.fill("#id_text", "Asked the carrier for the right group number; retrying.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note saved.").wait_for()
    assert "Asked the carrier for the right group number" in page.locator("#notes").inner_text()

    page.get_by_role("link", name="Open the connection →").first.click()
    page.wait_for_load_state("networkidle")
    assert f"/connections/{item.object_id}/" in page.url
    page.get_by_role("link", name="Retry…").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Send retry to Noyo").click()
    page.locator(".notice.ok").wait_for()
    assert "Retry sent." in page.locator("#retry-panel").inner_text()
    assert len(sandbox.requests(method="PUT", path_contains="/retry")) == 1

    # The item is still open until a sync sees the connection moved on.
    page.goto(f"{live_server.url}/attention/{item.pk}/")
    assert "Still open" in page.locator("#item").inner_text()
    sync("group_connections")
    page.reload()
    page.wait_for_load_state("networkidle")

    details = page.locator("#item").inner_text()
    assert "Closed" in details and "a sync no longer saw it" in details
    assert "Closed by itself: the group connections sync" in page.locator("ol.history").inner_text()
    page.goto(f"{live_server.url}/attention/?state=closed")
    assert page.locator(f"#results a[href='/attention/{item.pk}/']").count() == 1
    page.goto(f"{live_server.url}/attention/")
    assert page.locator(f"#results a[href='/attention/{item.pk}/']").count() == 0


def test_the_queue_and_the_item_page_look_right_on_a_laptop_and_on_a_phone(
    live_server, page, screenshot, operator, synced
):
    from command_center import attention

    item = AttentionItem.objects.open().filter(summary__startswith="Unable to connect").first()
    attention.acknowledge(item, operator)
    sign_in(page, live_server, operator.username, PASSWORD)
    pages = {
        "queue": "/attention/",
        "item": f"/attention/{item.pk}/",
        "queue-closed": "/attention/?state=all&sort=-opened",
    }
    for suffix, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page.locator("h1").count() == 1, name
            assert overflow(page) <= 1, f"{name} is {overflow(page)}px too wide at {width}px"
            screenshot(f"attention-{name}-{suffix}")
