"""One member transaction: what was sent to the carrier and what came back, readable and as JSON (SSNs
masked), its status history, and the links to its request, employee and carrier."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import StatusChange
from tests.factories import make_carrier
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_dependent,
    make_employee,
    make_member_request,
    make_plan,
    make_transaction,
)


def url(transaction):
    return reverse("members:transaction_detail", args=[transaction.pk])


@pytest.fixture
def family(db):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    leo = make_dependent(maria, first_name="Leo", last_name="Gonzalez")
    carrier = make_carrier(name="Beam Dental")
    return maria, leo, carrier, make_plan(carrier, name="Dental PPO High", line_of_coverage="dental")


def test_a_carriers_part_of_a_new_hire_reads_as_who_enrolls_in_what(viewer_client, family):
    maria, leo, carrier, plan = family
    # Seed 001's new hire transaction: one carrier's lines at the top level of the body.
    body = {
        "carrier_id": carrier.pk,
        "lines_of_coverage": {
            "dental": {
                "enrolling_members": [
                    {"id": maria.pk, "member_type": "employee", "plan_id": plan.pk},
                    {"id": leo.pk, "member_type": "dependent", "plan_id": plan.pk},
                ]
            }
        },
    }
    result = {
        "dental": [
            {
                "member_id": maria.pk,
                "member_type": "employee",
                "individual_enrollment_id": "4b1c0d6e-8f7a-4d2b-9a11-2c3d4e5f6a7b",
            }
        ]
    }
    transaction = make_transaction(
        make_member_request(maria), carrier=carrier, status="completed", raw={"body": body, "result": result}
    )
    response = viewer_client.get(url(transaction))
    (coverage,) = response.context["body"].coverages
    assert coverage.carrier == "Beam Dental"
    assert [(m.name, m.plan) for m in coverage.lines[0].actions[0].members] == [
        ("Maria Gonzalez", "Dental PPO High"),
        ("Leo Gonzalez", "Dental PPO High"),
    ]
    html = response.content.decode()
    assert "Enrolling" in html and "4b1c0d6e-8f7a-4d2b-9a11-2c3d4e5f6a7b" in html


def test_the_whole_requests_coverages_shape_reads_too(viewer_client, family):
    maria, _, carrier, plan = family
    # The reference's "Get Single Member Transaction": the request's coverages[] as the body.
    body = {
        "coverages": [
            {
                "carrier_id": carrier.pk,
                "carrier_config": {"bill_group": "1000001"},
                "lines_of_coverage": {
                    "dental": {
                        "enrolling_members": [{"id": maria.pk, "member_type": "employee", "plan_id": plan.pk}],
                        "waiving_members": [],
                    }
                },
            }
        ]
    }
    transaction = make_transaction(make_member_request(maria), carrier=carrier, raw={"body": body, "result": {}})
    response = viewer_client.get(url(transaction))
    assert [c.carrier for c in response.context["body"].coverages] == ["Beam Dental"]
    assert "No result yet: the transaction is still processing." in response.content.decode()


def test_a_failed_transaction_says_why_at_the_top(viewer_client, family):
    maria, _, carrier, _ = family
    transaction = make_transaction(
        make_member_request(maria),
        carrier=carrier,
        status="failed",
        raw={"body": {}, "result": {"errors": [{"carrier_id": carrier.pk, "message": "Member not on the roster."}]}},
    )
    html = viewer_client.get(url(transaction)).content.decode()
    assert '<div id="status-detail" class="notice bad">Member not on the roster.</div>' in html
    assert "Noyo could not fulfil this request" in html


def test_no_ssn_is_shown_in_full_anywhere_on_the_page(viewer_client, family):
    maria, _, carrier, _ = family
    body = {
        "member_changes": [{"member": {"id": maria.pk, "member_type": "employee"}, "ssn_change": {"ssn": FULL_SSN}}]
    }
    transaction = make_transaction(
        make_member_request(maria),
        carrier=carrier,
        transaction_type="carrier_demographic",
        raw={"body": body, "result": {"errors": [{"message": f"SSN {FULL_SSN} exists"}]}, "ssn": FULL_SSN},
    )
    html = viewer_client.get(url(transaction)).content.decode()
    assert FULL_SSN not in html and SSN_DIGITS not in html
    assert "•••-••-6789" in html


def test_the_status_history_and_verification_are_shown(viewer_client, family):
    maria, _, carrier, _ = family
    start = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))
    transaction = make_transaction(
        make_member_request(maria), carrier=carrier, status="completed", verified=start + dt.timedelta(days=20)
    )
    StatusChange.objects.record(transaction, "", "processing", observed_at=start)
    StatusChange.objects.record(transaction, "processing", "completed", observed_at=start + dt.timedelta(hours=3))
    response = viewer_client.get(url(transaction))
    assert [(c.old_status, c.new_status) for c in response.context["timeline"]] == [
        ("", "processing"),
        ("processing", "completed"),
    ]
    assert response.context["status_detail"] == "Completed and verified at the carrier on Jan 25, 2026."
    assert (
        f'Verified at the carrier <time datetime="{transaction.verified.isoformat()}" title="Jan 25, 2026 '
        in response.content.decode()
    )


def test_it_links_to_its_request_its_siblings_its_employee_and_its_carrier(viewer_client, family):
    maria, _, carrier, _ = family
    request = make_member_request(maria, request_type="termination")
    transaction = make_transaction(request, carrier=carrier)
    html = viewer_client.get(url(transaction)).content.decode()
    for link in [
        reverse("members:memberrequest_detail", args=[request.pk]),
        reverse("members:employee_detail", args=[maria.pk]),
        reverse("connections:carrier_detail", args=[carrier.pk]),
        f"/members/transactions/?member_request={request.pk}",
    ]:
        assert link in html, link


def test_a_request_not_mirrored_yet_is_named_by_its_id(viewer_client, family):
    maria, _, carrier, _ = family
    transaction = make_transaction(make_member_request(maria), carrier=carrier)
    type(transaction).objects.filter(pk=transaction.pk).update(member_request_id="4f57e463-f4d5-4255-83d4-806b0cabaac5")
    html = viewer_client.get(url(transaction)).content.decode()
    assert "4f57e463-f4d5-4255-83d4-806b0cabaac5" in html and "not mirrored yet" in html


def test_an_unknown_transaction_is_404(viewer_client):
    assert viewer_client.get(reverse("members:transaction_detail", args=["nope"])).status_code == 404


def test_the_number_of_queries_is_small_and_fixed(viewer_client, family, django_assert_max_num_queries):
    maria, leo, carrier, plan = family
    members = [
        {"id": maria.pk, "member_type": "employee", "plan_id": plan.pk},
        {"id": leo.pk, "member_type": "dependent", "plan_id": plan.pk},
    ]
    body = {
        "carrier_id": carrier.pk,
        "lines_of_coverage": {line: {"enrolling_members": members} for line in ("dental", "vision", "medical")},
    }
    transaction = make_transaction(make_member_request(maria), carrier=carrier, raw={"body": body, "result": {}})
    with django_assert_max_num_queries(25):
        viewer_client.get(url(transaction))
