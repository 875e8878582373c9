"""CSV export of the renewal decisions list: the filtered rows, issues and carriers in words."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from tests.connections.renewals import issue, mirror_renewal
from tests.factories import make_carrier, make_group

URL = reverse("connections:renewal_export")


def read(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))


def test_it_exports_the_filtered_renewals_with_issues_and_carriers_in_words(viewer_client):
    cascade, bluepeak = make_carrier(name="Cascade Mutual"), make_carrier(name="Bluepeak Dental")
    group = make_group(name="Acme Tools")
    renewal = mirror_renewal(
        group,
        renewal_date=dt.date(2027, 1, 1),
        issues=[
            issue(cascade),
            issue(bluepeak, "Carrier has not yet published renewal rates.", level="warning", line="dental"),
        ],
        carriers=[(cascade, {"medical": []}), (bluepeak, {"dental": []})],
    )
    mirror_renewal(group, status="ready")
    response = viewer_client.get(URL, {"status": "not_ready"})
    [row] = read(response)
    assert (row["Renewal decision id"], row["Group id"], row["Group name"]) == (renewal.pk, group.pk, "Acme Tools")
    assert (row["Renewal date"], row["Status"]) == ("2027-01-01", "not_ready")
    assert row["Issues"].splitlines() == [
        "Error: No plans found at the carrier for the renewal date. (Cascade Mutual, Medical)",
        "Warning: Carrier has not yet published renewal rates. (Bluepeak Dental, Dental)",
    ]
    assert set(row["Carriers"].split("; ")) == {"Cascade Mutual", "Bluepeak Dental"}
    assert set(row["Carrier ids"].split()) == {cascade.pk, bluepeak.pk}
    assert "renewals_" in response["Content-Disposition"] and "status-not_ready" in response["Content-Disposition"]


def test_it_exports_only_the_ticked_renewals_and_refuses_bad_filters_in_words(viewer_client):
    group = make_group()
    a = mirror_renewal(group)
    mirror_renewal(group)
    assert [r["Renewal decision id"] for r in read(viewer_client.get(URL, {"ids": [a.pk]}))] == [a.pk]
    refused = viewer_client.get(URL, {"renewal_from": "not a date"})
    assert refused.status_code == 400 and "This export was not made" in refused.content.decode()


@pytest.mark.parametrize("renewals", [4, 150])
def test_the_export_has_every_row_the_list_counts_in_the_list_order(
    viewer_client, django_assert_max_num_queries, renewals
):
    carrier = make_carrier()
    for n in range(renewals):
        mirror_renewal(
            make_group(),
            renewal_date=dt.date(2027, 1, 1) + dt.timedelta(days=n % 40),
            status="not_ready" if n % 2 else "ready",
            issues=[issue(carrier)] if n % 2 else [],
        )
    listed = viewer_client.get(reverse("connections:renewal_list"), {"per_page": 200})
    with django_assert_max_num_queries(25):
        rows = read(viewer_client.get(URL))
    assert len(rows) == listed.context["paginator"].count == renewals
    assert [r["Renewal decision id"] for r in rows] == [r.pk for r in listed.context["rows"]]
