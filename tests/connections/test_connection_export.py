"""CSV export of the connections list: the filters on screen (or the ticked rows), streamed, safe, audited."""

import csv
import io

from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry
from tests.factories import make_carrier, make_connection, make_group

URL = reverse("connections:connection_export")


def read(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_it_exports_the_filtered_list_with_a_header_row_and_a_dated_file_name(viewer_client, viewer):
    carrier = make_carrier(name="Northwind Health")
    make_connection(
        group=make_group(name="Zoë's Bakery"),
        carrier=carrier,
        status="unable_to_connect",
        carrier_group_id="NW204518",
        setup_error="Carrier says no.",
    )
    make_connection(status="completed")
    response = viewer_client.get(URL, {"status": "unable_to_connect"})
    rows = read(response)
    assert len(rows) == 1
    row = rows[0]
    assert (row["Group name"], row["Carrier"], row["Carrier group id"], row["Status"], row["Setup error"]) == (
        "Zoë's Bakery",
        "Northwind Health",
        "NW204518",
        "unable_to_connect",
        "Carrier says no.",
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="connections_status-unable_to_connect_{today}.csv"'
    audit = AuditEntry.objects.get(action="export")
    assert audit.actor == viewer and audit.details["filters"] == {"status": ["unable_to_connect"]}


def test_the_file_name_reads_every_status_asked_for_and_says_when_only_ticked_rows_are_in_it(viewer_client):
    ticked = make_connection(status="action_required")
    today = timezone.localdate().isoformat()
    both = {"status": ["unable_to_connect", "action_required"]}
    assert viewer_client.get(URL, both)["Content-Disposition"] == (
        f'attachment; filename="connections_status-unable_to_connect+action_required_{today}.csv"'
    )
    assert viewer_client.get(URL, {**both, "ids": [ticked.pk]})["Content-Disposition"] == (
        f'attachment; filename="connections_status-unable_to_connect+action_required_ticked_{today}.csv"'
    )


def test_it_exports_only_the_ticked_rows(viewer_client):
    a, b, _c = make_connection(), make_connection(), make_connection()
    rows = read(viewer_client.get(URL, {"ids": [a.pk, b.pk]}))
    assert sorted(r["Connection id"] for r in rows) == sorted([a.pk, b.pk])


def test_ticked_ids_that_cannot_be_ids_export_nothing_not_a_500(viewer_client):
    make_connection()
    for ids in (["\x00"], ["a\x00b"], ["x" * 5000]):
        response = viewer_client.get(URL, {"ids": ids})
        assert response.status_code == 400
        assert "A ticked row is not one of this list's ids." in response.content.decode()


def test_a_nul_byte_in_the_query_is_recorded_in_the_audit_log_escaped(viewer_client):
    # Postgres refuses a NUL character in a jsonb value: recording the export was a 500.
    read(viewer_client.get(URL, {"q": "ab", "sort\x00": "x\x00y"}))  # not filters: the export is made, and recorded
    assert AuditEntry.objects.get(action="export").details["filters"] == {"q": ["ab"], "sort\\x00": ["x\\x00y"]}


def test_cells_that_a_spreadsheet_would_run_are_neutralised(viewer_client):
    make_connection(
        group=make_group(name='=HYPERLINK("http://evil")'), setup_error="+1 call", carrier_group_id="@SUM(1)"
    )
    row = read(viewer_client.get(URL))[0]
    assert row["Group name"] == '\'=HYPERLINK("http://evil")'
    assert row["Setup error"] == "'+1 call" and row["Carrier group id"] == "'@SUM(1)"


def test_it_keeps_the_sort_on_screen(viewer_client):
    for name in ["Bravo", "Alpha", "Charlie"]:
        make_connection(group_name=name)
    rows = read(viewer_client.get(URL, {"sort": "-group"}))
    assert [r["Group name"] for r in rows] == ["Charlie", "Bravo", "Alpha"]


def test_a_bad_filter_is_refused_in_plain_words_rather_than_exporting_everything(viewer_client):
    make_connection()
    response = viewer_client.get(URL, {"status": "bogus"})
    assert response.status_code == 400 and not response.streaming
    assert response.content.decode().startswith("This export was not made: a filter value is not valid.")
    assert "Status: " in response.content.decode()


def test_it_streams_in_chunks_with_a_constant_number_of_queries(viewer_client, django_assert_max_num_queries):
    group, carrier = make_group(), make_carrier()
    for _ in range(30):
        make_connection(group=group, carrier=carrier)
    with django_assert_max_num_queries(8):
        assert len(read(viewer_client.get(URL))) == 30
