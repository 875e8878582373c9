"""In a real browser: search an employee, look at an enrollment as of a past date, a snapshot's
carrier fulfillment and a member request's transactions. Screenshots land in test-artifacts/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone

from command_center.models import StatusChange
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_carrier, make_group
from tests.members.factories import (
    make_dependent,
    make_difference,
    make_employee,
    make_enrollment,
    make_fulfillment,
    make_member_request,
    make_plan,
    make_premium,
    make_snapshot,
    make_transaction,
)

FIRST_NAMES = ["Olivia", "Liam", "Priya", "Noah", "Mei", "Omar", "Keiko", "Diego", "Ruth", "Kwame", "Ava", "Hiroshi"]
LAST_NAMES = [
    "Smith",
    "Okafor",
    "Tanaka",
    "Kowalski",
    "Haddad",
    "Nguyen",
    "Rivera",
    "Schmidt",
    "Patel",
    "Chen",
    "Brown",
    "Lee",
]


def build_story():
    """A group with a dozen employees; Maria Gonzalez has a family, coverage, a snapshot and a new hire request."""
    now = timezone.now()
    group = make_group(name="Blue Harbor Bakery LLC", dba_name="Blue Harbor")
    other = make_group(name="Summit Analytics Inc.")
    kaiser = make_carrier(name="Kaiser Permanente", kind="sync")
    beam = make_carrier(name="Beam Dental", kind="send")
    vsp = make_carrier(name="VSP Vision", kind="sync")
    for n, (first, last) in enumerate(zip(FIRST_NAMES, LAST_NAMES)):
        make_employee(
            first_name=first,
            last_name=last,
            group=group if n % 3 else other,
            lines_of_coverage=["dental,medical,vision", "medical", "dental,medical"][n % 3],
            employment_status=["full-time", "full-time", "part-time", "terminated"][n % 4],
        )
    maria = make_employee(
        first_name="Maria",
        middle_name="Elena",
        last_name="Gonzalez",
        group=group,
        occupation="Office Manager",
        hire_date=dt.date(2023, 11, 6),
        date_of_birth=dt.date(1986, 4, 12),
        email="maria.gonzalez@example.com",
        lines_of_coverage="dental,medical,vision",
    )
    leo = make_dependent(maria, first_name="Leo", relationship="child", date_of_birth=dt.date(2016, 8, 2), sex="M")
    make_dependent(
        maria,
        first_name="Daniel",
        last_name="Reyes",
        relationship="spouse",
        date_of_birth=dt.date(1984, 2, 20),
        ssn="555-12-3344",
        sex="M",
    )
    gold = make_plan(kaiser, name="Gold PPO 500", line_of_coverage="medical")
    dental = make_plan(beam, name="Dental PPO High", line_of_coverage="dental")
    vision = make_plan(vsp, name="Vision Plus 130", line_of_coverage="vision")
    for person, kind in ((maria, "employee"), (leo, "dependent")):
        make_enrollment(
            maria,
            individual_type=kind,
            individual_id=person.pk,
            line_of_coverage="medical",
            carrier=kaiser,
            plan=gold,
            effective_start_date=dt.date(2024, 1, 1),
            premium_amount="412.25",
        )
    make_enrollment(
        maria,
        line_of_coverage="dental",
        carrier=beam,
        plan=dental,
        effective_start_date=dt.date(2024, 1, 1),
        effective_end_date=dt.date(2025, 12, 31),
        premium_amount="38.10",
    )
    make_enrollment(
        maria,
        line_of_coverage="vision",
        carrier=vsp,
        plan=vision,
        effective_start_date=dt.date(2025, 7, 1),
        premium_amount="9.75",
    )
    make_premium(maria, carrier=kaiser, amount="824.50", premium_type="employer_amount")
    make_premium(
        maria,
        carrier=beam,
        amount="38.10",
        effective_end_date=dt.date(2025, 12, 31),
        billed_members=[{"member_id": maria.pk, "member_type": "employee", "line_of_coverage": "dental"}],
    )

    earlier = make_snapshot(maria, status="replaced", created=now - dt.timedelta(days=9))
    snapshot = make_snapshot(maria, status="processing", created=now - dt.timedelta(days=8))
    earlier.replaced_by = snapshot
    earlier.save()
    make_fulfillment(snapshot, kaiser, status="sent")
    make_fulfillment(
        snapshot,
        beam,
        status="invalid",
        errors=[
            {
                "code": "missing_required_field",
                "message": "Dependent date of birth is required by the carrier.",
                "field": "dependents[0].person.date_of_birth",
            }
        ],
    )
    make_fulfillment(snapshot, vsp, status="scheduled")
    make_difference(
        snapshot,
        carrier=kaiser,
        classification="field_mismatch",
        difference_type="dob",
        impact_score=5,
        fields=[{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}],
    )
    make_difference(
        snapshot,
        carrier=vsp,
        classification="missing_from_carrier",
        difference_type="missing_ie",
        impact_score=3,
        object_type="individual_enrollment",
        fields=[],
        resolved=now - dt.timedelta(days=2),
    )
    StatusChange.objects.record(snapshot, "", "submitted", observed_at=now - dt.timedelta(days=8))
    StatusChange.objects.record(snapshot, "submitted", "processing", observed_at=now - dt.timedelta(days=8, hours=-1))

    body = {
        "coverages": [
            {
                "carrier_id": kaiser.pk,
                "carrier_config": {"bill_group": "0100", "member_group": "48213"},
                "signature_date": "2023-11-06",
                "lines_of_coverage": {
                    "medical": {
                        "enrolling_members": [
                            {"id": maria.pk, "member_type": "employee", "plan_id": gold.pk},
                            {"id": leo.pk, "member_type": "dependent", "plan_id": gold.pk},
                        ],
                        "waiving_members": [],
                    }
                },
            },
            {
                "carrier_id": beam.pk,
                "carrier_config": {},
                "signature_date": "2023-11-06",
                "lines_of_coverage": {
                    "dental": {
                        "enrolling_members": [{"id": maria.pk, "member_type": "employee", "plan_id": dental.pk}],
                        "waiving_members": [{"id": leo.pk, "member_type": "dependent", "reason": "other-parent-group"}],
                    }
                },
            },
        ]
    }
    result = {
        "medical": [
            {
                "member_id": maria.pk,
                "member_type": "employee",
                "individual_enrollment_id": "4b1c0d6e-8f7a-4d2b-9a11-2c3d4e5f6a7b",
            }
        ]
    }
    request = make_member_request(
        maria,
        request_type="new_hire",
        status="completed",
        body=body,
        result=result,
        created=now - dt.timedelta(days=700),
        transaction_ids=[],
    )
    transactions = [
        make_transaction(
            request,
            carrier=kaiser,
            transaction_type="carrier_new_hire",
            status="completed",
            lines_of_coverage="medical",
            verified=now - dt.timedelta(days=690),
            created=now - dt.timedelta(days=700),
        ),
        make_transaction(
            request,
            carrier=beam,
            transaction_type="carrier_new_hire",
            status="completed",
            lines_of_coverage="dental",
            created=now - dt.timedelta(days=700, seconds=-5),
        ),
    ]
    request.transaction_ids = [t.pk for t in transactions]
    request.save()
    StatusChange.objects.record(request, "", "processing", observed_at=now - dt.timedelta(days=700))
    StatusChange.objects.record(request, "processing", "completed", observed_at=now - dt.timedelta(days=699))
    make_member_request(
        maria,
        request_type="demographic",
        status="failed",
        created=now - dt.timedelta(days=30),
        body={
            "change_date": "2025-10-01",
            "member_changes": [
                {"member": {"id": maria.pk, "member_type": "employee"}, "name_change": {"last_name": "Gonzalez-Reyes"}}
            ],
        },
        result={
            "errors": [
                {
                    "carrier_id": beam.pk,
                    "message": "The carrier rejected the change: member not found on the carrier's roster.",
                }
            ]
        },
    )
    return maria


@pytest.mark.browser
def test_search_employee_enrollment_as_of_snapshot_and_request(live_server, page, screenshot, viewer):
    maria = build_story()
    sign_in(page, live_server, viewer.username, PASSWORD)

    # 1. Search the employees list (htmx updates the table and the address bar).
    page.goto(f"{live_server.url}/members/employees/")
    screenshot("members-employee-list")
    page.locator("#id_q").press_sequentially("gonz")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")
    assert "q=gonz" in page.url
    page.click("text=Gonzalez, Maria E.")

    # 2. The employee page, then an "as of" date before the vision coverage started.
    page.wait_for_selector("h1:has-text('Maria Elena Gonzalez')")
    vision = page.locator("#enrollments tr", has_text="Vision Plus 130")
    assert vision.locator(".badge").inner_text() == "Active"
    screenshot("members-employee-detail")
    page.fill("#id_as_of", "2025-03-01")
    page.locator("#id_as_of").dispatch_event("change")
    page.wait_for_selector("#coverage h2:has-text('as of Mar 1, 2025')")
    assert page.locator("#enrollments tr", has_text="Vision Plus 130").locator(".badge").first.inner_text() == "Pending"
    assert page.locator("#enrollments tr", has_text="Dental PPO High").locator(".badge").first.inner_text() == "Active"
    assert "as_of=2025-03-01" in page.url
    screenshot("members-employee-as-of")

    # 3. The latest snapshot: what is invalid at which carrier, and why.
    page.locator("section.card", has_text="Snapshots").locator("tbody tr").first.locator("a").click()
    page.wait_for_selector("#fulfillment")
    invalid = page.locator("#fulfillment tr", has_text="Beam Dental")
    assert invalid.locator(".badge").first.inner_text() == "Invalid"
    assert "Dependent date of birth is required by the carrier." in invalid.inner_text()
    screenshot("members-snapshot-detail")

    # 4. Back to the employee, then the new hire request and its transactions.
    page.go_back()
    page.wait_for_selector("h1:has-text('Maria Elena Gonzalez')")
    page.locator("section.card", has_text="Member requests").locator("tr", has_text="New hire").locator("a").click()
    page.wait_for_selector("#transactions")
    rows = page.locator("#transactions tbody tr")
    assert rows.count() == 2
    kaiser_row = page.locator("#transactions tbody tr", has_text="Kaiser Permanente")
    assert "Medical" in kaiser_row.inner_text() and "Completed" in kaiser_row.inner_text()
    assert "Not verified" not in kaiser_row.inner_text()
    assert "Leo Gonzalez" in page.locator(".coverage-table").first.inner_text()
    screenshot("members-request-detail")

    # The lists and the summary the dashboard leads to.
    page.goto(f"{live_server.url}/members/snapshots/?fulfillment_status=invalid")
    assert page.locator("#results tbody tr").count() == 1
    screenshot("members-snapshots-invalid")
    page.goto(f"{live_server.url}/members/snapshots/summary/")
    screenshot("members-snapshot-summary")
    page.goto(f"{live_server.url}/members/requests/")
    screenshot("members-request-list")
    page.goto(f"{live_server.url}/members/snapshots/")
    screenshot("members-snapshot-list")
    page.goto(f"{live_server.url}/members/requests/{maria.member_requests.get(status='failed').pk}/")
    assert "member not found on the carrier" in page.locator(".notice.bad").inner_text()
    screenshot("members-request-failed")


@pytest.mark.browser
def test_the_members_pages_stay_usable_on_a_narrow_screen(live_server, page, screenshot, viewer):
    maria = build_story()
    sign_in(page, live_server, viewer.username, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("employee-list", "/members/employees/"),
        ("employee-detail", f"/members/employees/{maria.pk}/?as_of=2025-03-01"),
        ("request-detail", f"/members/requests/{maria.member_requests.get(request_type='new_hire').pk}/"),
        ("snapshot-summary", "/members/snapshots/summary/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        # Nothing but the tables (which scroll inside their frame) is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        screenshot(f"members-narrow-{name}")
