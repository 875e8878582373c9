"""The transactions CSV: of one member request, or of the requests the list shows (same parameters)."""

from django.urls import reverse

from command_center.models import AuditEntry
from tests.factories import make_carrier, make_group
from tests.members.factories import make_employee, make_member_request, make_transaction
from tests.members.helpers import read_csv

URL = reverse("members:transaction_export")


def test_it_exports_one_requests_transactions(viewer_client):
    request = make_member_request(request_type="new_hire")
    make_transaction(request, carrier=make_carrier(name="Beam"), transaction_type="carrier_new_hire", status="completed",
                     lines_of_coverage="dental,vision")
    make_transaction(make_member_request())
    rows = read_csv(viewer_client.get(URL, {"member_request": request.pk}))
    assert [(r["Member request id"], r["Request type"], r["Transaction type"], r["Carrier"], r["Lines of coverage"], r["Status"])
            for r in rows] == [(request.pk, "new_hire", "carrier_new_hire", "Beam", "dental, vision", "completed")]


def test_the_request_lists_filters_select_the_transactions(viewer_client):
    group = make_group(name="Summit")
    failed = make_member_request(make_employee(group=group), status="failed")
    make_transaction(failed)
    make_transaction(make_member_request(make_employee(group=group), status="completed"))
    make_transaction(make_member_request(status="failed"))
    rows = read_csv(viewer_client.get(URL, {"group": group.pk, "status": "failed"}))
    assert [r["Member request id"] for r in rows] == [failed.pk]


def test_it_is_audited(viewer_client):
    read_csv(viewer_client.get(URL))
    assert AuditEntry.objects.filter(action="export", object_type="transactions").count() == 1
