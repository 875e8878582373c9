"""The snapshots CSV: the list's filters applied (carrier fulfillment ones too), audited."""

from django.urls import reverse

from command_center.models import AuditEntry
from tests.factories import make_carrier
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_employee,
    make_fulfillment,
    make_snapshot,
)
from tests.members.helpers import raw_csv, read_csv

URL = reverse("members:snapshot_export")


def test_it_exports_the_snapshots_on_screen(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    completed = make_snapshot(maria, status="completed")
    make_snapshot(status="processing")
    rows = read_csv(viewer_client.get(URL, {"status": "completed"}))
    assert [(r["Snapshot id"], r["Status"], r["Employee first name"], r["Group"]) for r in rows] == [
        (completed.pk, "completed", "Maria", maria.group.name),
    ]


def test_a_date_no_range_can_end_on_is_refused_with_400_not_a_500(viewer_client):
    make_snapshot()
    assert viewer_client.get(URL, {"created_to": "9999-12-31"}).status_code == 400


def test_a_fulfillment_filter_exports_each_matching_snapshot_once(viewer_client):
    kaiser = make_carrier(name="Kaiser")
    twice_invalid = make_snapshot()
    make_fulfillment(twice_invalid, kaiser, status="invalid")
    make_fulfillment(twice_invalid, status="invalid")
    make_fulfillment(make_snapshot(), kaiser, status="sent")
    assert [r["Snapshot id"] for r in read_csv(viewer_client.get(URL, {"fulfillment_status": "invalid"}))] == [
        twice_invalid.pk
    ]
    assert len(read_csv(viewer_client.get(URL, {"carrier": kaiser.pk}))) == 2


def test_it_is_audited_and_carries_no_ssn(viewer_client):
    make_snapshot(make_employee(ssn=FULL_SSN))
    text = raw_csv(viewer_client.get(URL))
    assert FULL_SSN not in text and SSN_DIGITS not in text
    assert AuditEntry.objects.filter(action="export", object_type="snapshots").count() == 1
