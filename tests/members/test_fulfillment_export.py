"""The carrier fulfillments CSV: one row per snapshot and carrier, the snapshots list's filters applied."""

from django.urls import reverse

from command_center.models import AuditEntry
from tests.factories import make_carrier, make_group
from tests.members.factories import make_employee, make_fulfillment, make_snapshot
from tests.members.helpers import read_csv

URL = reverse("members:fulfillment_export")


def test_it_exports_each_invalid_fulfillment_with_its_errors(viewer_client):
    kaiser = make_carrier(name="Kaiser")
    snapshot = make_snapshot(status="processing")
    make_fulfillment(
        snapshot,
        kaiser,
        status="invalid",
        errors=[
            {"code": "ssn_invalid", "message": "Social security number is not valid.", "field": "employee.person.ssn"},
            {"code": "plan_not_found", "message": "No plan named 'Gold PPO 750'."},
        ],
    )
    make_fulfillment(snapshot, status="sent")
    rows = read_csv(viewer_client.get(URL, {"fulfillment_status": "invalid"}))
    assert [
        (r["Snapshot id"], r["Carrier"], r["Fulfillment status"], r["Snapshot status"], r["Errors"]) for r in rows
    ] == [
        (
            snapshot.pk,
            "Kaiser",
            "invalid",
            "processing",
            "ssn_invalid: Social security number is not valid. (employee.person.ssn); plan_not_found: No plan named 'Gold PPO 750'.",
        )
    ]


def test_the_snapshot_filters_apply_to_the_fulfillments(viewer_client):
    group = make_group(name="Summit")
    mine = make_snapshot(make_employee(group=group), status="completed")
    make_fulfillment(mine, status="sent")
    make_fulfillment(make_snapshot(make_employee(group=group), status="processing"), status="sent")
    make_fulfillment(make_snapshot(status="completed"), status="sent")
    rows = read_csv(viewer_client.get(URL, {"group": group.pk, "status": "completed"}))
    assert [r["Snapshot id"] for r in rows] == [mine.pk]


def test_it_is_audited(viewer_client):
    read_csv(viewer_client.get(URL))
    assert AuditEntry.objects.filter(action="export", object_type="fulfillments").count() == 1
