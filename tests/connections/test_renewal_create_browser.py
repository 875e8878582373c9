"""In a real browser: an Operator opens "New renewal decision" from the renewals queue, finds the group,
picks a carrier (its lines come in by htmx), fills two lines (one added with "Add another line"), is
told what is missing, sends it and lands on the new decision's page. One POST reaches the sandbox.
Screenshots at laptop (1280 px) and phone (390 px) width land in test-artifacts/screenshots/ (and
SCREENSHOT_DIR when set)."""

import re

import pytest

from command_center.models import SyncRun
from command_center.noyo.sandbox.carriers import CARRIERS
from command_center.sync import runs
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import Plan, RenewalDecision
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.connections.test_browser_writes import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def synced(noyo_settings, transactional_db):
    """The mirror as the real sync leaves it: groups (their plans and renewal decisions) and connections."""
    seed_carriers(CARRIERS)
    for kind in ("groups", "group_connections"):
        runs.execute(runs.start_sync(kind, SyncRun.Trigger.COMMAND, enqueue=False).pk)


def a_group_with_two_carriers():
    """A group connected to two carriers or more, with plans on two lines or more with one of them."""
    in_force = Plan.objects.exclude(status="discontinued")
    for plan in in_force.select_related("group", "carrier").order_by("group__name", "carrier__name"):
        group = plan.group
        carriers = set(group.connections.values_list("carrier_id", flat=True))
        lines = set(in_force.filter(group=group, carrier=plan.carrier).values_list("line_of_coverage", flat=True))
        if len(carriers) >= 2 and len(lines) >= 2 and plan.carrier_id in carriers:
            return group, plan.carrier
    pytest.fail("the sandbox has no group with two carriers and two lines with one of them")


def test_an_operator_sends_a_renewal_decision_from_the_renewals_queue(live_server, page, operator, synced, sandbox):
    group, carrier = a_group_with_two_carriers()
    sign_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/connections/renewals/")
    page.get_by_role("link", name="New renewal decision…").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_find", group.name[:8])
    page.locator("#group-matches a", has_text=group.name).click()
    page.wait_for_load_state("networkidle")
    assert group.name in page.locator(".chosen-group").inner_text()

    # Another carrier: its lines replace the rows, by htmx; then back to the one with plans.
    other = next(c for c in group.connections.exclude(carrier=carrier).select_related("carrier")).carrier
    page.select_option("#id_carrier", other.pk)
    page.locator("#lines h2", has_text=f"with {other.name}").wait_for()
    page.select_option("#id_carrier", carrier.pk)
    page.locator("#lines h2", has_text=f"with {carrier.name}").wait_for()
    shoot(page, "renewal-create")

    first = page.locator("fieldset.line-row").first
    line = first.locator("legend").inner_text()
    first.locator("input[type=date]").first.fill("2030-11-01")
    first.locator("input[type=checkbox]").first.check()
    rows = page.locator("fieldset.line-row").count()
    page.get_by_role("button", name="Add another line").click()
    page.locator("fieldset.line-row").nth(rows).wait_for()
    assert first.locator("input[type=checkbox]").first.is_checked()  # kept while the rows changed
    added = page.locator("fieldset.line-row").nth(rows)
    # The blank row before it took the first line the group has no plans for: this one takes the next.
    offered = [v for v in added.locator("select option").evaluate_all("options => options.map(o => o.value)") if v]
    added.locator("select").select_option(offered[-1])
    added.locator("input[name$=plan_name]").fill("Accident Advantage")

    page.get_by_role("button", name="Send to Noyo").click()
    page.wait_for_load_state("networkidle")
    # Refused beside the fields, nothing sent, everything kept.
    assert "This field is required." in page.locator(".field-error", has=page.locator("#id_renewal_date")).inner_text()
    assert "Give the day open enrollment ends for this line." in page.locator("fieldset.line-row").first.inner_text()
    assert "Nothing was sent" in page.locator(".notice.bad").inner_text()
    assert page.locator("fieldset.line-row").first.locator("input[type=checkbox]").first.is_checked()
    assert page.locator("input[name$=plan_name][value='Accident Advantage']").count() == 1
    assert sandbox.requests(method="POST", path_contains="renewal_decisions") == []
    shoot(page, "renewal-create-refused")

    page.fill("#id_renewal_date", "2031-01-01")
    page.locator("fieldset.line-row").first.locator("input[type=date]").nth(1).fill("2030-11-30")
    for row in page.locator("fieldset.line-row").all():
        if row.locator("input[name$=plan_name][value='Accident Advantage']").count():
            row.locator("input[type=date]").first.fill("2030-11-01")
            row.locator("input[type=date]").nth(1).fill("2030-11-30")
    page.get_by_role("button", name="Send to Noyo").click()
    page.wait_for_url(re.compile(r"/connections/renewals/[0-9a-f-]{36}/$"))
    assert "Noyo accepted the renewal decision: it is “Submitted”." in page.locator(".messages").inner_text()
    assert "Accident Advantage" in page.content() and line in page.content()
    assert len(sandbox.requests(method="POST", path_contains="renewal_decisions")) == 1
    made = RenewalDecision.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[1])
    assert made.status == "submitted" and made.carrier_id_list == [carrier.pk]
    shoot(page, "renewal-created")

    # Back (a browser resend): the same form finds its decision sent and sends nothing more.
    page.go_back()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Send to Noyo").click()
    page.wait_for_load_state("networkidle")
    assert len(sandbox.requests(method="POST", path_contains="renewal_decisions")) == 1

    # From the group's page, the form comes with the group chosen.
    page.goto(f"{live_server.url}/connections/groups/{group.pk}/")
    page.get_by_role("link", name="New decision…").click()
    page.wait_for_load_state("networkidle")
    assert group.name in page.locator(".chosen-group").inner_text()
    assert page.locator("a", has_text="Jan 1, 2031").count() == 1  # the decision just made, beside the form
