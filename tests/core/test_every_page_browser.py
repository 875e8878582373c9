"""In a real browser, over a console filled by a sync from the sandbox: every page type, at laptop (1366 px)
and phone (390 px) width, in the light and the dark scheme, has no serious or critical accessibility
violation (axe-core), fits the screen, and is photographed to test-artifacts/screenshots/every-*.png."""

import pytest

from command_center.models import AttentionItem, SyncRun
from command_center.sync import runs
from connections.models import Carrier, Group, GroupConnection, GroupDisconnectionRequest, RenewalDecision
from members.models import Employee, MemberRequest, MemberSnapshot, MemberTransaction
from tests.browser import axe_violations, policed_page, save_screenshot, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
WIDTHS = {"laptop": 1366, "phone": 390}
SCHEMES = ("light", "dark")

LISTS = {
    "dashboard": "/",
    "attention": "/attention/",
    "trends": "/trends/",
    "connections": "/connections/",
    "connections-filtered": "/connections/?status=unable_to_connect&status=action_required&sort=-status",
    "groups": "/connections/groups/",
    "carriers": "/connections/carriers/",
    "disconnections": "/connections/disconnections/",
    "renewals": "/connections/renewals/",
    "employees": "/members/employees/",
    "member-requests": "/members/requests/",
    "snapshots": "/members/snapshots/",
    "snapshot-summary": "/members/snapshots/summary/",
    "differences": "/members/differences/",
    "transactions": "/members/transactions/",
    "syncs": "/syncs/",
    "search": "/search/?q=a",
    "alerts": "/alerts/",
    "audit-log": "/audit/",
    "api-keys": "/account/api-keys/",
}
DETAILS = {
    # Page name -> the rows whose first one's page is shown, and its route.
    "group": (Group.objects, "/connections/groups/{pk}/"),
    "connection": (GroupConnection.objects, "/connections/{pk}/"),
    "connection-retry": (GroupConnection.objects.filter(status="unable_to_connect"), "/connections/{pk}/retry/"),
    "carrier": (Carrier.objects, "/connections/carriers/{pk}/"),
    "disconnection": (GroupDisconnectionRequest.objects, "/connections/disconnections/{pk}/"),
    "renewal": (RenewalDecision.objects, "/connections/renewals/{pk}/"),
    "employee": (Employee.objects, "/members/employees/{pk}/"),
    "member-request": (MemberRequest.objects, "/members/requests/{pk}/"),
    "snapshot": (MemberSnapshot.objects, "/members/snapshots/{pk}/"),
    "transaction": (MemberTransaction.objects, "/members/transactions/{pk}/"),
    "sync-run": (SyncRun.objects, "/syncs/{pk}/"),
    "attention-item": (AttentionItem.objects, "/attention/{pk}/"),
}


@pytest.fixture
def console(noyo_settings, transactional_db, django_user_model):
    """The console after a full sync of the sandbox: every page type has rows to show."""
    started = runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False)
    run = runs.execute(started.pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    pages = dict(LISTS)
    for name, (rows, route) in DETAILS.items():
        first = rows.order_by("pk").first()
        assert first is not None, f"the sandbox gave no row for the {name} page"
        pages[name] = route.format(pk=first.pk)
    django_user_model.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)
    return pages


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_is_accessible_and_fits(live_server, browser, console, width, scheme):
    found, too_wide = {}, {}
    with policed_page(browser, viewport={"width": WIDTHS[width], "height": 900}, color_scheme=scheme) as page:
        sign_in(page, live_server, "ada.admin", PASSWORD)
        for name, path in console.items():
            response = page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert response.status == 200, (name, path, response.status)
            save_screenshot(page, f"every-{name}-{width}-{scheme}")
            violations = axe_violations(page)
            if violations:
                found[name] = violations
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                too_wide[name] = overflow
    assert found == {}, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)
    assert too_wide == {}
