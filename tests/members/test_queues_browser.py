"""In a real browser: the tracking differences queue, the member transactions list and one transaction,
and a snapshot's submitted payload, at laptop and phone width. Screenshots land in test-artifacts/screenshots/."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from command_center.models import StatusChange
from members.models import MemberSnapshot
from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.factories import make_carrier, make_group
from tests.members.factories import (
    FULL_SSN,
    make_dependent,
    make_difference,
    make_employee,
    make_member_request,
    make_plan,
    make_snapshot,
    make_transaction,
)

WIDTHS = {"laptop": 1280, "phone": 390}


def build_queues():
    """Two groups' worth of differences and transactions around Maria Gonzalez's family."""
    now = timezone.now()
    group = make_group(name="Blue Harbor Bakery LLC")
    other = make_group(name="Summit Analytics Inc.")
    kaiser = make_carrier(name="Kaiser Permanente", kind="sync")
    beam = make_carrier(name="Beam Dental", kind="send")
    maria = make_employee(first_name="Maria", last_name="Gonzalez", group=group, ssn=FULL_SSN)
    leo = make_dependent(maria, first_name="Leo", last_name="Gonzalez", date_of_birth=dt.date(2016, 8, 2))
    omar = make_employee(first_name="Omar", last_name="Haddad", group=other)
    plan = make_plan(beam, name="Dental PPO High", line_of_coverage="dental")

    snapshot = make_snapshot(
        maria,
        status="processing",
        created=now - dt.timedelta(days=8),
        raw={},
        submitted={
            "snapshot_mode": "current_open",
            "enable_member_auto_link": True,
            "employee": {
                "id": maria.pk,
                "custom_individual_id": "EMP-000042",
                "person": {
                    "first_name": "Maria",
                    "last_name": "Gonzalez",
                    "date_of_birth": "1986-04-12",
                    "ssn": FULL_SSN,
                    "sex": "F",
                    "contact": {"email_address": "maria.gonzalez@example.com"},
                },
                "employment": {"employment_status": "full-time"},
            },
            "dependents": [
                {
                    "id": leo.pk,
                    "relationship": "child",
                    "person": {
                        "first_name": "Leo",
                        "last_name": "Gonzalez",
                        "date_of_birth": "2016-08-02",
                        "ssn": "987-65-4321",
                    },
                }
            ],
            "coverages": [
                {
                    "carrier_id": beam.pk,
                    "line_of_coverage": "dental",
                    "plan_id": plan.pk,
                    "signature_date": "2023-11-06",
                    "enrolled_members": [
                        {
                            "individual_type": t,
                            "individual_id": i,
                            "effective_start_date": "2024-01-01",
                            "effective_end_date": "9999-12-31",
                        }
                        for t, i in (("employee", maria.pk), ("dependent", leo.pk))
                    ],
                }
            ],
            "events": [{"id": "e1", "type": "coverage", "reason": "new_hire", "date": "2023-11-06"}],
        },
        created_members=[{"id": maria.pk, "custom_individual_id": "EMP-000042", "type": "employee"}],
    )
    MemberSnapshot.objects.filter(pk=snapshot.pk).update(details_version=F("version"))
    make_difference(
        snapshot,
        carrier=kaiser,
        classification="field_mismatch",
        difference_type="dob",
        impact_score=5,
        object_type="dependent",
        object_id=leo.pk,
        created=now - dt.timedelta(days=6),
        fields=[{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}],
    )
    make_difference(
        snapshot,
        carrier=beam,
        classification="missing_from_carrier",
        difference_type="missing_ie",
        impact_score=3,
        object_type="individual_enrollment",
        created=now - dt.timedelta(days=2),
        discrepancy_time=now - dt.timedelta(days=1),
        fields=[
            {"key": "individual_enrollment", "platform_value": "dental coverage from 2024-01-01", "carrier_value": None}
        ],
    )
    make_difference(
        make_snapshot(omar),
        carrier=kaiser,
        classification="missing_from_platform",
        difference_type="ie_effective_end_date",
        created=now - dt.timedelta(days=12),
        resolved=now - dt.timedelta(days=3),
        fields=[{"key": "effective_end_date", "platform_value": None, "carrier_value": "2026-01-31"}],
    )

    new_hire = make_member_request(
        maria, request_type="new_hire", status="completed", created=now - dt.timedelta(days=30)
    )
    body = {
        "carrier_id": beam.pk,
        "lines_of_coverage": {
            "dental": {
                "enrolling_members": [
                    {"id": maria.pk, "member_type": "employee", "plan_id": plan.pk},
                    {"id": leo.pk, "member_type": "dependent", "plan_id": plan.pk},
                ]
            }
        },
    }
    done = make_transaction(
        new_hire,
        carrier=beam,
        transaction_type="carrier_new_hire",
        status="completed",
        lines_of_coverage="dental",
        verified=now - dt.timedelta(days=20),
        created=now - dt.timedelta(days=30),
        raw={
            "body": body,
            "result": {
                "dental": [
                    {
                        "member_id": maria.pk,
                        "member_type": "employee",
                        "individual_enrollment_id": "4b1c0d6e-8f7a-4d2b-9a11-2c3d4e5f6a7b",
                    }
                ]
            },
        },
    )
    StatusChange.objects.record(done, "", "processing", observed_at=now - dt.timedelta(days=30))
    StatusChange.objects.record(done, "processing", "completed", observed_at=now - dt.timedelta(days=29))
    make_transaction(
        new_hire,
        carrier=kaiser,
        transaction_type="carrier_new_hire",
        status="processing",
        lines_of_coverage="medical,vision",
        created=now - dt.timedelta(days=30, seconds=-5),
    )
    failed = make_transaction(
        make_member_request(omar, request_type="demographic", status="failed"),
        carrier=kaiser,
        transaction_type="carrier_demographic",
        status="failed",
        lines_of_coverage="medical",
        raw={
            "body": {},
            "result": {
                "errors": [
                    {
                        "carrier_id": kaiser.pk,
                        "message": "The carrier rejected the change: member not found on its roster.",
                    }
                ]
            },
        },
    )
    return maria, snapshot, done, failed


@pytest.mark.browser
def test_an_operator_works_the_differences_queue(live_server, page, screenshot, viewer):
    maria, snapshot, _, _ = build_queues()
    sign_in(page, live_server, viewer.username, PASSWORD)

    # From the dashboard's count to the queue of exactly the unresolved.
    page.goto(f"{live_server.url}/")
    page.click("text=Unresolved tracking differences")
    page.wait_for_selector("h1:has-text('Tracking differences')")
    assert "state=unresolved" in page.url
    rows = page.locator("#results tbody tr")
    assert rows.count() == 2
    assert "Date of birth" in rows.first.inner_text() and "Dependent Leo Gonzalez" in rows.first.inner_text()

    # Every difference, unresolved first; then only one carrier's (htmx, the address bar follows).
    page.select_option("#id_state", "")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 3")
    assert "Resolved" in page.locator("#results tbody tr").last.inner_text()
    page.select_option("#id_carrier", label="Beam Dental")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")
    assert "Not at the carrier" in page.locator("#results tbody tr").first.inner_text()
    assert "carrier=" in page.url
    page.select_option("#id_carrier", label="All carriers")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 3")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if name == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(f"members-difference-list-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Follow a row to the employee.
    page.locator("#results tbody tr", has_text="Dependent Leo Gonzalez").locator("a", has_text="Maria Gonzalez").click()
    page.wait_for_selector("h1:has-text('Maria Gonzalez')")


@pytest.mark.browser
def test_an_operator_finds_a_failed_transaction_and_reads_it(live_server, page, screenshot, viewer):
    maria, _, done, failed = build_queues()
    sign_in(page, live_server, viewer.username, PASSWORD)

    page.goto(f"{live_server.url}/members/transactions/")
    assert page.locator("#results tbody tr").count() == 3
    page.select_option("#id_status", "failed")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")
    assert "status=failed" in page.url
    assert "member not found on its roster" in page.locator("#results tbody tr").inner_text()
    page.select_option("#id_status", "")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 3")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if name == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(f"members-transaction-list-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # One transaction: who enrolls in what at the carrier, what came back, its history.
    page.locator("#results tbody tr", has_text="Beam Dental").locator("td a").first.click()
    page.wait_for_selector("h1:has-text('Carrier new hire')")
    assert "Leo Gonzalez" in page.locator(".coverage-table").inner_text()
    assert "Dental PPO High" in page.locator(".coverage-table").inner_text()
    assert "Completed and verified at the carrier" in page.locator("#status-detail").inner_text()
    assert page.locator("ol.timeline li").count() == 2
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if name == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(f"members-transaction-detail-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Back up to its member request, whose transactions link to their pages.
    page.click(".page-head .actions >> text=Member request")
    page.wait_for_selector("#transactions")
    assert page.locator("#transactions tbody tr a").count() == 2
    page.goto(f"{live_server.url}/members/transactions/{failed.pk}/")
    assert "member not found on its roster" in page.locator("#status-detail").inner_text()


@pytest.mark.browser
def test_a_snapshot_shows_what_was_sent(live_server, page, screenshot, viewer):
    maria, snapshot, _, _ = build_queues()
    sign_in(page, live_server, viewer.username, PASSWORD)

    page.goto(f"{live_server.url}/members/snapshots/{snapshot.pk}/")
    sent = page.locator("#submitted")
    assert "Maria Gonzalez" in sent.inner_text() and "•••-••-6789" in sent.inner_text()
    assert FULL_SSN not in page.content()
    assert "Dental PPO High" in sent.inner_text()
    sent.locator("summary", has_text="Submitted payload as JSON").click()
    assert "•••-••-4321" in sent.locator("pre").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if name == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        screenshot(f"members-snapshot-submitted-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The created member links to the mirrored employee.
    sent.locator("tr", has_text="EMP-000042").locator("a").last.click()
    page.wait_for_selector("h1:has-text('Maria Gonzalez')")
