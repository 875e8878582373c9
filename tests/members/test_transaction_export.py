"""The transactions CSV: the transactions list as on screen (one FilterSet), of one member request,
or of the requests the requests list shows (its parameters, through the older address)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry
from tests.factories import make_carrier, make_group
from tests.members.factories import FULL_SSN, make_employee, make_member_request, make_transaction
from tests.members.helpers import raw_csv, read_csv

URL = reverse("members:transaction_export")
LIST = reverse("members:transaction_list")
FROM_REQUESTS = reverse("members:memberrequest_transaction_export")


def test_it_exports_one_requests_transactions(viewer_client):
    request = make_member_request(request_type="new_hire")
    make_transaction(
        request,
        carrier=make_carrier(name="Beam"),
        transaction_type="carrier_new_hire",
        status="completed",
        lines_of_coverage="dental,vision",
    )
    make_transaction(make_member_request())
    rows = read_csv(viewer_client.get(URL, {"member_request": request.pk}))
    assert [
        (
            r["Member request id"],
            r["Request type"],
            r["Transaction type"],
            r["Carrier"],
            r["Lines of coverage"],
            r["Status"],
        )
        for r in rows
    ] == [(request.pk, "new_hire", "carrier_new_hire", "Beam", "dental, vision", "completed")]


def test_it_has_the_lists_rows_in_the_lists_order_for_the_same_filters(viewer_client):
    carrier = make_carrier(name="Kaiser")
    now = timezone.now()
    for n in range(7):
        make_transaction(
            make_member_request(),
            carrier=carrier if n % 2 else make_carrier(),
            status="failed" if n % 3 else "completed",
            created=now - dt.timedelta(hours=n),
            verified=now if n % 4 == 0 else None,
        )
    for params in (
        {},
        {"status": "failed"},
        {"carrier": carrier.pk},
        {"verified": "no"},
        {"sort": "created"},
        {"carrier": carrier.pk, "status": "failed", "sort": "-verified"},
    ):
        on_screen = [t.pk for t in viewer_client.get(LIST, {**params, "per_page": 200}).context["rows"]]
        assert [r["Transaction id"] for r in read_csv(viewer_client.get(URL, params))] == on_screen, params


def test_it_says_what_went_wrong_without_an_ssn(viewer_client):
    transaction = make_transaction(
        make_member_request(),
        status="failed",
        raw={"result": {"errors": [{"message": f"The carrier has another member with SSN {FULL_SSN}."}]}},
    )
    rows = read_csv(viewer_client.get(URL))
    assert [(r["Transaction id"], r["Error"]) for r in rows] == [
        (transaction.pk, "The carrier has another member with SSN •••-••-6789.")
    ]
    assert FULL_SSN not in raw_csv(viewer_client.get(URL))


def test_the_requests_lists_export_keeps_its_meaning_the_requests_status(viewer_client):
    group = make_group(name="Summit")
    failed = make_member_request(make_employee(group=group), status="failed")
    make_transaction(failed, status="completed")
    make_transaction(make_member_request(make_employee(group=group), status="completed"), status="failed")
    make_transaction(make_member_request(status="failed"))
    response = viewer_client.get(FROM_REQUESTS, {"group": group.pk, "status": "failed", "page": "3"})
    assert response.status_code == 302
    assert response["Location"].startswith(URL)
    rows = read_csv(viewer_client.get(response["Location"]))
    assert [r["Member request id"] for r in rows] == [failed.pk]


def test_the_requests_list_links_its_transactions_export_with_its_filters(viewer_client):
    html = viewer_client.get(reverse("members:memberrequest_list"), {"status": "failed"}).content.decode()
    assert f"{FROM_REQUESTS}?status=failed" in html


def test_a_bad_filter_is_a_400_in_plain_words_not_an_empty_file(viewer_client):
    response = viewer_client.get(URL, {"status": "exploded"})
    assert response.status_code == 400
    assert "Status: Select a valid choice." in response.content.decode()


def test_it_is_audited(viewer_client):
    read_csv(viewer_client.get(URL))
    assert AuditEntry.objects.filter(action="export", object_type="transactions").count() == 1
