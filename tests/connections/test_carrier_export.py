"""CSV export of the carriers list: the reference data, whether it is missing, and connection counts."""

import csv
import io

import pytest
from django.urls import reverse

from connections.models import Carrier
from tests.factories import make_carrier, make_connection

URL = reverse("connections:carrier_export")


def read(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))


def test_it_exports_the_filtered_carriers_with_their_reference_data_and_counts(viewer_client):
    carrier = make_carrier(
        name="Evergreen",
        kind="send",
        carrier_group_id_label="Policy number",
        carrier_group_id_format=r"\d{10}",
        format_hint="10-digit policy number, e.g. 0071234455",
        format_example="0071234455",
        file_cadence="Monthly",
    )
    make_connection(carrier=carrier, status="unable_to_connect")
    make_connection(carrier=carrier, status="completed")
    make_carrier(name="Other", kind="sync")
    response = viewer_client.get(URL, {"kind": "send"})
    [row] = read(response)
    assert row["Name"] == "Evergreen" and row["Carrier id"] == carrier.pk
    assert (row["Name for the carrier group id"], row["Format example"], row["File cadence"]) == (
        "Policy number",
        "0071234455",
        "Monthly",
    )
    assert (row["Reference data missing"], row["Connections"], row["Needing action"]) == ("no", "2", "1")
    assert "carriers_" in response["Content-Disposition"] and "kind-send" in response["Content-Disposition"]


def test_placeholders_export_as_missing_reference_data_and_ticked_rows_alone(viewer_client):
    Carrier.objects.ensure(["5e6f7a8b-0000-4000-8000-000000000002"])
    named = make_carrier(name="Named")
    rows = read(viewer_client.get(URL, {"reference_missing": "on"}))
    assert [(r["Name"], r["Reference data missing"]) for r in rows] == [("Carrier 5e6f7a8b", "yes")]
    assert [r["Name"] for r in read(viewer_client.get(URL, {"ids": [named.pk]}))] == ["Named"]


def test_a_bad_filter_refuses_the_export_in_plain_words(viewer_client):
    response = viewer_client.get(URL, {"connection_status": "bogus"})
    assert response.status_code == 400 and "This export was not made" in response.content.decode()


@pytest.mark.parametrize("carriers", [3, 120])
def test_the_export_has_every_row_the_list_counts_in_the_list_order(
    viewer_client, django_assert_max_num_queries, carriers
):
    for n in range(carriers):
        carrier = make_carrier(name=f"Carrier {n:03d}")
        if n % 3 == 0:
            make_connection(carrier=carrier)
    listed = viewer_client.get(reverse("connections:carrier_list"), {"sort": "-connections", "per_page": 200})
    with django_assert_max_num_queries(25):
        rows = read(viewer_client.get(URL, {"sort": "-connections"}))
    assert len(rows) == listed.context["paginator"].count == carriers
    assert [r["Carrier id"] for r in rows] == [c.pk for c in listed.context["rows"]]
