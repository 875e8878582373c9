"""The tracking differences CSV: the queue as on screen (one FilterSet, the same order), readable fields, no SSN."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry
from tests.factories import make_carrier, make_group
from tests.members.factories import FULL_SSN, make_difference, make_employee, make_snapshot
from tests.members.helpers import raw_csv, read_csv

URL = reverse("members:difference_export")
LIST = reverse("members:difference_list")
NOW = timezone.now()


def difference(employee=None, **fields):
    return make_difference(make_snapshot(employee or make_employee()), **fields)


def test_each_row_reads_without_the_page(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez", group=make_group(name="Summit"))
    made = difference(
        maria,
        carrier=make_carrier(name="Kaiser"),
        classification="field_mismatch",
        difference_type="dob",
        created=timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30)),
        fields=[
            {"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"},
            {"key": "ssn", "platform_value": FULL_SSN, "carrier_value": None},
        ],
    )
    (row,) = read_csv(viewer_client.get(URL))
    assert row["Difference id"] == made.pk
    assert (row["Classification"], row["Difference type"], row["Carrier"], row["Group"], row["Employee last name"]) == (
        "field_mismatch",
        "dob",
        "Kaiser",
        "Summit",
        "Gonzalez",
    )
    assert (
        row["Fields"]
        == "date_of_birth: 2016-08-02 (platform) / 2016-02-08 (carrier); ssn: •••-••-6789 (platform) / — (carrier)"
    )
    assert row["Detected"].startswith("2026-03-01T") and row["Resolved"] == "" and row["Dismissed"] == "no"
    assert FULL_SSN not in raw_csv(viewer_client.get(URL))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"state": "unresolved"},
        {"state": "resolved"},
        {"classification": "missing_from_carrier"},
        {"sort": "-created"},
        {"sort": "impact"},
        {"q": "end"},
        {"state": "unresolved", "sort": "created"},
    ],
)
@pytest.mark.parametrize("rows", [4, 60])
def test_it_has_the_queues_rows_in_the_queues_order(viewer_client, params, rows):
    for n in range(rows):
        difference(
            created=NOW - dt.timedelta(hours=n),
            impact_score=n % 5,
            resolved=NOW if n % 3 == 0 else None,
            classification=["field_mismatch", "missing_from_carrier"][n % 2],
            difference_type=["dob", "ie_effective_end_date"][n % 2],
        )
    on_screen = [d.pk for d in viewer_client.get(LIST, {**params, "per_page": 200}).context["rows"]]
    assert [r["Difference id"] for r in read_csv(viewer_client.get(URL, params))] == on_screen
    assert viewer_client.get(LIST, params).context["paginator"].count == len(on_screen)


def test_only_the_ticked_rows_when_some_are_ticked(viewer_client):
    first, _, third = difference(), difference(), difference()
    rows = read_csv(viewer_client.get(URL, {"ids": [first.pk, third.pk]}))
    assert {r["Difference id"] for r in rows} == {first.pk, third.pk}


def test_a_bad_filter_is_a_400_in_plain_words(viewer_client):
    response = viewer_client.get(URL, {"state": "maybe"})
    assert response.status_code == 400
    assert "Resolved?: Select a valid choice." in response.content.decode()


def test_it_is_audited(viewer_client):
    read_csv(viewer_client.get(URL, {"state": "unresolved"}))
    assert AuditEntry.objects.filter(action="export", object_type="tracking_differences").count() == 1
