"""CSV export of the audit log (itself audited)."""

import csv
import io

from django.urls import reverse

from command_center.models import AuditEntry

URL = reverse("audit_export")


def read(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))


def test_it_exports_the_filtered_entries_with_their_details(viewer_client, operator):
    AuditEntry.objects.create(
        actor=operator,
        action="retry",
        outcome="failed",
        summary="Retry failed for connection of X",
        object_type="groupconnection",
        object_id="c1",
        details={"note": "=cmd|' /C calc'!A0"},
    )
    AuditEntry.objects.create(actor=operator, action="sync", outcome="succeeded", summary="Started a full sync")
    rows = read(viewer_client.get(URL, {"action": "retry"}))
    assert len(rows) == 1
    assert (rows[0]["Who"], rows[0]["Action"], rows[0]["Outcome"], rows[0]["Record id"]) == (
        "otto.operator",
        "retry",
        "failed",
        "c1",
    )
    assert "=cmd" in rows[0]["Details"]
    # The export is recorded too.
    assert AuditEntry.objects.filter(action="export", object_type="audit").count() == 1


def test_a_date_no_range_can_end_on_is_refused_with_400_not_a_500(viewer_client, operator):
    AuditEntry.objects.create(actor=operator, action="sync", outcome="succeeded", summary="Started a full sync")
    response = viewer_client.get(URL, {"until": "9999-12-31"})
    assert (
        response.status_code == 400
        and "Enter a date from 1 January 1900 to 31 December 9998." in response.content.decode()
    )


def test_ticked_ids_that_are_not_numbers_export_nothing_not_a_500(viewer_client, operator):
    entry = AuditEntry.objects.create(actor=operator, action="sync", outcome="succeeded", summary="Started a full sync")
    for ids in (["not-a-number"], [str(entry.pk), ""], [str(2**63)], ["1.5"]):
        response = viewer_client.get(URL, {"ids": ids})
        assert response.status_code == 400, ids
    assert [row["Summary"] for row in read(viewer_client.get(URL, {"ids": [str(entry.pk)]}))] == ["Started a full sync"]


def test_a_summary_starting_with_a_formula_character_is_neutralised(viewer_client, operator):
    AuditEntry.objects.create(actor=operator, action="export", outcome="succeeded", summary="=1+1")
    assert read(viewer_client.get(URL))[0]["Summary"] == "'=1+1"
