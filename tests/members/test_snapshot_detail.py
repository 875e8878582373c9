"""The snapshot page: per-carrier fulfillment and what is invalid, tracking differences, timeline, replacement chain."""

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from command_center.models import StatusChange
from members.models import MemberSnapshot
from tests.factories import make_carrier
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_difference,
    make_employee,
    make_fulfillment,
    make_snapshot,
)


def url(snapshot):
    return reverse("members:snapshot_detail", args=[snapshot.pk])


@pytest.fixture
def snapshot(db):
    return make_snapshot(make_employee(first_name="Maria", last_name="Gonzalez"), status="processing")


def test_each_carriers_fulfillment_is_shown_invalid_first_with_what_is_wrong(viewer_client, snapshot):
    make_fulfillment(snapshot, make_carrier(name="Aetna"), status="sent")
    make_fulfillment(
        snapshot,
        make_carrier(name="Kaiser"),
        status="invalid",
        errors=[
            {
                "code": "missing_required_field",
                "message": "Dependent date of birth is required by the carrier.",
                "field": "dependents[0].person.date_of_birth",
            },
            "The carrier's file was rejected.",
        ],
    )
    make_fulfillment(snapshot, make_carrier(name="Beam"), status="scheduled")
    response = viewer_client.get(url(snapshot))
    assert [f.carrier.name for f in response.context["summaries"]] == ["Kaiser", "Beam", "Aetna"]
    html = response.content.decode()
    assert "Dependent date of birth is required by the carrier." in html
    assert "missing_required_field · <code>dependents[0].person.date_of_birth</code>" in html
    assert "The carrier&#x27;s file was rejected." in html
    assert "Changes are queued for the carrier&#x27;s next scheduled file." in html


def test_an_invalid_fulfillment_without_errors_says_noyo_gave_no_reason(viewer_client, snapshot):
    make_fulfillment(snapshot, status="invalid", errors=[])
    assert "Noyo gave no reason." in viewer_client.get(url(snapshot)).content.decode()


def test_tracking_differences_show_classification_fields_and_whether_resolved(viewer_client, snapshot):
    make_difference(
        snapshot,
        classification="field_mismatch",
        difference_type="dob",
        impact_score=5,
        fields=[{"key": "date_of_birth", "platform_value": "2015-06-01", "carrier_value": "2015-01-06"}],
    )
    make_difference(
        snapshot,
        classification="missing_from_carrier",
        difference_type="missing_ie",
        impact_score=3,
        resolved=timezone.make_aware(dt.datetime(2026, 2, 3, 12, 0)),
        fields=[],
    )
    make_difference(
        snapshot,
        classification="missing_from_platform",
        difference_type="ie_effective_end_date",
        impact_score=1,
        discrepancy_time=timezone.make_aware(dt.datetime(2026, 2, 4, 12, 0)),
        fields=[{"key": "effective_end_date", "platform_value": None, "carrier_value": "2026-01-31"}],
    )
    response = viewer_client.get(url(snapshot))
    assert [d.difference_type for d in response.context["differences"]] == [
        "dob",
        "missing_ie",
        "ie_effective_end_date",
    ]
    html = response.content.decode()
    for text in [
        "Field mismatch",
        "Missing from carrier",
        "Missing from platform",
        "Date of birth",
        "Missing individual enrollment",
        "date_of_birth",
        "2015-06-01",
        "2015-01-06",
        "Resolved Feb 3",
        "Discrepancy Feb 4",
        "Open",
        "impact 5",
    ]:
        assert text in html


def test_a_differing_ssn_is_shown_masked_on_both_sides(viewer_client, snapshot):
    make_difference(snapshot, fields=[{"key": "ssn", "platform_value": FULL_SSN, "carrier_value": "123-45-0000"}])
    html = viewer_client.get(url(snapshot)).content.decode()
    assert "•••-••-6789" in html and "•••-••-0000" in html
    assert FULL_SSN not in html and SSN_DIGITS not in html and "123-45-0000" not in html


def test_the_timeline_has_the_snapshots_and_each_carriers_status_changes(viewer_client, snapshot):
    summary = make_fulfillment(snapshot, make_carrier(name="Kaiser"), status="invalid")
    start = timezone.now() - dt.timedelta(hours=3)
    StatusChange.objects.record(snapshot, "", "submitted", observed_at=start)
    StatusChange.objects.record(snapshot, "submitted", "processing", observed_at=start + dt.timedelta(hours=1))
    StatusChange.objects.record(summary, "processing", "invalid", observed_at=start + dt.timedelta(hours=2))
    timeline = viewer_client.get(url(snapshot)).context["timeline"]
    assert [(getattr(c, "subject", ""), c.old_status, c.new_status) for c in timeline] == [
        ("", "", "submitted"),
        ("", "submitted", "processing"),
        ("Kaiser", "processing", "invalid"),
    ]


def test_a_replaced_snapshot_links_to_the_one_that_replaced_it_and_shows_the_chain(viewer_client):
    employee = make_employee()
    latest = make_snapshot(employee, status="completed")
    middle = make_snapshot(employee, status="replaced", replaced_by=latest)
    first = make_snapshot(employee, status="replaced", replaced_by=middle)
    response = viewer_client.get(url(middle))
    assert [s.pk for s in response.context["chain"]] == [first.pk, middle.pk, latest.pk]
    html = response.content.decode()
    assert "A later snapshot replaced this one" in html
    assert url(latest) in html and url(first) in html


def test_a_snapshot_never_replaced_shows_no_chain(viewer_client, snapshot):
    assert viewer_client.get(url(snapshot)).context["chain"] == []


def test_the_raw_payload_is_shown_with_ssns_masked(viewer_client, snapshot):
    html = viewer_client.get(url(snapshot)).content.decode()
    assert "•••-••-6789" in html
    assert FULL_SSN not in html and SSN_DIGITS not in html


def test_the_old_failed_status_shows_its_errors(viewer_client):
    failed = make_snapshot(
        status="failed", errors=[{"message": "Employee not eligible on the effective date.", "carrier_id": "c"}]
    )
    assert "Employee not eligible on the effective date." in viewer_client.get(url(failed)).content.decode()


def test_an_unknown_snapshot_is_404(viewer_client):
    assert viewer_client.get(reverse("members:snapshot_detail", args=["nope"])).status_code == 404


# --- What was sent: the submitted payload and the members it created --------------------------------

SUBMITTED = {
    "snapshot_mode": "current_open",
    "enable_member_auto_link": True,
    "employee": {
        "id": "",
        "custom_individual_id": "EMP-000042",
        "person": {
            "first_name": "Maria",
            "last_name": "Gonzalez",
            "date_of_birth": "1986-04-12",
            "ssn": FULL_SSN,
            "sex": "F",
            "contact": {"email_address": "maria@example.com"},
        },
        "employment": {"employment_status": "full-time", "occupation": "Office Manager"},
    },
    "dependents": [
        {
            "id": "",
            "relationship": "child",
            "person": {"first_name": "Leo", "last_name": "Gonzalez", "ssn": "987654321"},
        }
    ],
    "coverages": [
        {
            "carrier_id": "",
            "line_of_coverage": "dental",
            "plan_id": "",
            "signature_date": "2023-11-06",
            "enrolled_members": [
                {
                    "individual_type": "employee",
                    "individual_id": "",
                    "effective_start_date": "2024-01-01",
                    "effective_end_date": "9999-12-31",
                }
            ],
        }
    ],
    "events": [{"id": "e1", "type": "coverage", "reason": "new_hire", "date": "2023-11-06"}],
    "something_new": {"a": 1},
}


def submitted_for(employee, dependent, carrier, plan):
    payload = {
        **SUBMITTED,
        "employee": {**SUBMITTED["employee"], "id": employee.pk},
        "dependents": [{**SUBMITTED["dependents"][0], "id": dependent.pk}],
    }
    payload["coverages"] = [
        {
            **SUBMITTED["coverages"][0],
            "carrier_id": carrier.pk,
            "plan_id": plan.pk,
            "enrolled_members": [{**SUBMITTED["coverages"][0]["enrolled_members"][0], "individual_id": employee.pk}],
        }
    ]
    return payload


@pytest.fixture
def sent(db):
    from tests.members.factories import make_dependent, make_plan

    employee = make_employee(first_name="Maria", last_name="Gonzalez")
    leo = make_dependent(employee, first_name="Leo", last_name="Gonzalez")
    carrier = make_carrier(name="Beam Dental")
    plan = make_plan(carrier, name="Dental PPO High", line_of_coverage="dental")
    snapshot = make_snapshot(
        employee,
        raw={},
        submitted=submitted_for(employee, leo, carrier, plan),
        created_members=[
            {"id": employee.pk, "custom_individual_id": "EMP-000042", "type": "employee"},
            {"id": "6dc22bed-27fc-458c-b732-bdaf5b5a1031", "custom_individual_id": "DEP-7", "type": "dependent"},
        ],
    )
    MemberSnapshot.objects.filter(pk=snapshot.pk).update(details_version=F("version"))
    snapshot.refresh_from_db()
    return snapshot, employee, leo


def test_what_was_sent_reads_as_people_coverage_and_events(viewer_client, sent):
    snapshot, employee, leo = sent
    response = viewer_client.get(url(snapshot))
    submitted = response.context["submitted"]
    assert submitted.facts == [("Snapshot mode", "Current open"), ("Match existing members (auto-link)", "yes")]
    assert [(p.role, p.name, p.ssn, p.mirrored["kind"]) for p in submitted.people] == [
        ("Employee", "Maria Gonzalez", "•••-••-6789", "employee"),
        ("Child", "Leo Gonzalez", "•••-••-4321", "dependent"),
    ]
    (coverage,) = submitted.coverages
    assert (coverage.carrier, coverage.line, coverage.plan, coverage.signature_date) == (
        "Beam Dental",
        "Dental",
        "Dental PPO High",
        "2023-11-06",
    )
    assert [(m.name, m.start, m.end) for m in coverage.members] == [
        ("Maria Gonzalez", "2024-01-01", "open-ended (9999-12-31)")
    ]
    assert submitted.leftovers == ["something_new"]
    html = response.content.decode()
    assert "Office Manager" in html and "New hire" in html and "something_new" in html


def test_the_members_it_created_link_to_the_mirror_or_say_they_are_not_there_yet(viewer_client, sent):
    snapshot, employee, _ = sent
    response = viewer_client.get(url(snapshot))
    assert [(m["id"], m["custom_id"], bool(m["mirrored"])) for m in response.context["created_members"]] == [
        (employee.pk, "EMP-000042", True),
        ("6dc22bed-27fc-458c-b732-bdaf5b5a1031", "DEP-7", False),
    ]
    html = response.content.decode()
    section = html[html.index("Members this snapshot created") :]
    assert reverse("members:employee_detail", args=[employee.pk]) in section and "Not mirrored yet" in section


def test_the_submitted_json_masks_every_ssn(viewer_client, sent):
    snapshot, _, _ = sent
    response = viewer_client.get(url(snapshot))
    assert "•••-••-6789" in response.context["submitted_json"] and "•••-••-4321" in response.context["submitted_json"]
    html = response.content.decode()
    assert FULL_SSN not in html and SSN_DIGITS not in html and "987654321" not in html


def test_a_payload_a_webhook_brought_in_raw_is_shown_too(viewer_client):
    snapshot = make_snapshot(
        make_employee(first_name="Maria")
    )  # raw carries member_snapshot, as a single snapshot does
    response = viewer_client.get(url(snapshot))
    assert [p.name for p in response.context["submitted"].people] == ["Maria"]


def test_not_read_yet_and_read_without_a_payload_are_told_apart(viewer_client):
    waiting = make_snapshot(raw={})
    empty = make_snapshot(raw={})
    MemberSnapshot.objects.filter(pk=empty.pk).update(details_version=F("version"))
    assert "Not read yet." in viewer_client.get(url(waiting)).content.decode()
    assert "came without the submitted payload" in viewer_client.get(url(empty)).content.decode()


def test_a_payload_of_an_odd_shape_says_so_and_shows_the_json(viewer_client):
    snapshot = make_snapshot(raw={"member_snapshot": ["not", "an", "object"]})
    MemberSnapshot.objects.filter(pk=snapshot.pk).update(submitted={"employee": "Maria", "coverages": "all"})
    html = viewer_client.get(url(snapshot)).content.decode()
    assert "Also in the payload, shown only in the raw JSON: coverages, employee." in html


def test_the_snapshot_links_to_its_differences_in_the_queue_and_to_the_employees_transactions(viewer_client, snapshot):
    make_difference(snapshot)
    html = viewer_client.get(url(snapshot)).content.decode()
    assert f"/members/differences/?snapshot={snapshot.pk}" in html
    assert f"/members/transactions/?employee={snapshot.employee_id}" in html


def test_the_page_costs_the_same_queries_with_a_big_payload(viewer_client, sent, django_assert_max_num_queries):
    snapshot, employee, leo = sent
    payload = snapshot.submitted
    payload["coverages"] = payload["coverages"] * 30
    MemberSnapshot.objects.filter(pk=snapshot.pk).update(submitted=payload)
    for _ in range(20):
        make_difference(snapshot)
    with django_assert_max_num_queries(25):
        viewer_client.get(url(snapshot))
