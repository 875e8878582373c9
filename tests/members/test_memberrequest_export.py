"""The member requests CSV: the list's filters applied, no body (it may hold SSNs), audited."""

from django.urls import reverse

from command_center.models import AuditEntry
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_employee,
    make_member_request,
)
from tests.members.helpers import raw_csv, read_csv

URL = reverse("members:memberrequest_export")


def test_it_exports_the_requests_on_screen(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    failed = make_member_request(maria, status="failed", request_type="termination", transaction_ids=["a", "b"])
    make_member_request(status="completed")
    rows = read_csv(viewer_client.get(URL, {"status": "failed"}))
    assert [
        (r["Member request id"], r["Request type"], r["Status"], r["Employee last name"], r["Transactions"])
        for r in rows
    ] == [
        (failed.pk, "termination", "failed", "Gonzalez", "2"),
    ]


def test_a_date_no_range_can_end_on_is_refused_with_400_not_a_500(viewer_client):
    make_member_request()
    assert viewer_client.get(URL, {"created_to": "9999-12-31"}).status_code == 400


def test_it_carries_no_ssn_even_when_the_body_does(viewer_client):
    make_member_request(body={"member_changes": [{"person_change": {"ssn": FULL_SSN}}]})
    text = raw_csv(viewer_client.get(URL))
    assert FULL_SSN not in text and SSN_DIGITS not in text


def test_it_is_audited_with_its_filters(viewer_client, viewer):
    read_csv(viewer_client.get(URL, {"request_type": "new_hire"}))
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.object_type, entry.details["filters"]) == (
        viewer,
        "member_requests",
        {"request_type": ["new_hire"]},
    )


def test_times_are_iso_8601_in_utc_and_transactions_are_counted(viewer_client):
    import datetime as dt

    created = dt.datetime(2026, 1, 31, 9, 30, 15, 123456, tzinfo=dt.UTC)
    make_member_request(created=created, status_changed_at=None, transaction_ids=["a", "b", "c"])
    make_member_request(created=created - dt.timedelta(days=1), transaction_ids={"not": "a list"})
    first, second = read_csv(viewer_client.get(URL))
    assert (first["Created"], first["In status since"], first["Transactions"]) == ("2026-01-31T09:30:15Z", "", "3")
    assert second["Transactions"] == ""
