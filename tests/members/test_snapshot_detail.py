"""The snapshot page: per-carrier fulfillment and what is invalid, tracking differences, timeline, replacement chain."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import StatusChange
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
    make_fulfillment(snapshot, make_carrier(name="Kaiser"), status="invalid", errors=[
        {"code": "missing_required_field", "message": "Dependent date of birth is required by the carrier.",
         "field": "dependents[0].person.date_of_birth"},
        "The carrier's file was rejected.",
    ])
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
    make_difference(snapshot, classification="field_mismatch", difference_type="dob", impact_score=5,
                    fields=[{"key": "date_of_birth", "platform_value": "2015-06-01", "carrier_value": "2015-01-06"}])
    make_difference(snapshot, classification="missing_from_carrier", difference_type="missing_ie", impact_score=3,
                    resolved=timezone.make_aware(dt.datetime(2026, 2, 3, 12, 0)), fields=[])
    make_difference(snapshot, classification="missing_from_platform", difference_type="ie_effective_end_date", impact_score=1,
                    discrepancy_time=timezone.make_aware(dt.datetime(2026, 2, 4, 12, 0)),
                    fields=[{"key": "effective_end_date", "platform_value": None, "carrier_value": "2026-01-31"}])
    response = viewer_client.get(url(snapshot))
    assert [d.difference_type for d in response.context["differences"]] == ["dob", "missing_ie", "ie_effective_end_date"]
    html = response.content.decode()
    for text in ["Field mismatch", "Missing from carrier", "Missing from platform", "Date of birth", "Missing individual enrollment",
                 "date_of_birth", "2015-06-01", "2015-01-06",
                 "Resolved Feb 3", "Discrepancy Feb 4", "Open", "impact 5"]:
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
    failed = make_snapshot(status="failed", errors=[{"message": "Employee not eligible on the effective date.", "carrier_id": "c"}])
    assert "Employee not eligible on the effective date." in viewer_client.get(url(failed)).content.decode()


def test_an_unknown_snapshot_is_404(viewer_client):
    assert viewer_client.get(reverse("members:snapshot_detail", args=["nope"])).status_code == 404
