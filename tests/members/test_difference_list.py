"""The tracking differences queue: unresolved first and oldest first, filters, sorts, readable fields,
the dashboard's count, bad values, and queries that do not grow with the rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import TrackingDifference
from tests.factories import make_carrier, make_group
from tests.members.factories import (
    FULL_SSN,
    make_dependent,
    make_difference,
    make_employee,
    make_enrollment,
    make_snapshot,
)

URL = reverse("members:difference_list")
NOW = timezone.now()


def ids(response):
    return [row.pk for row in response.context["rows"]]


def days_ago(n):
    return NOW - dt.timedelta(days=n)


def difference(employee=None, **fields):
    snapshot = make_snapshot(employee or make_employee())
    return make_difference(snapshot, **fields)


def test_unresolved_come_first_oldest_first_then_the_rest(viewer_client):
    resolved_old = difference(created=days_ago(30), resolved=days_ago(20))
    open_new = difference(created=days_ago(1))
    dismissed = difference(created=days_ago(40), is_dismissed=True)
    open_old = difference(created=days_ago(9), discrepancy_time=days_ago(2))
    resolved_new = difference(created=days_ago(3), resolved=days_ago(2))
    assert ids(viewer_client.get(URL)) == [open_old.pk, open_new.pk, dismissed.pk, resolved_old.pk, resolved_new.pk]


def test_each_row_says_what_differs_where_for_whom_and_since_when(viewer_client):
    group = make_group(name="Blue Harbor Bakery")
    maria = make_employee(first_name="Maria", last_name="Gonzalez", group=group)
    leo = make_dependent(maria, first_name="Leo", last_name="Gonzalez")
    difference(
        maria,
        carrier=make_carrier(name="Kaiser Permanente"),
        classification="field_mismatch",
        difference_type="dob",
        object_type="dependent",
        object_id=leo.pk,
        created=days_ago(3),
        fields=[{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}],
    )
    html = viewer_client.get(URL).content.decode()
    for text in [
        "Field mismatch",
        "Date of birth",
        "Dependent Leo Gonzalez",
        "2016-08-02",
        "2016-02-08",
        "Kaiser Permanente",
        "Maria Gonzalez",
        "Blue Harbor Bakery",
        "Unresolved",
        "for 3\xa0days",
    ]:
        assert text in html, text
    assert reverse("members:employee_detail", args=[maria.pk]) in html


def test_a_missing_record_says_which_side_lacks_it_and_an_ssn_is_masked(viewer_client):
    enrollment = make_enrollment(make_employee(), line_of_coverage="dental")
    difference(
        classification="missing_from_carrier",
        difference_type="missing_ie",
        object_type="individual_enrollment",
        object_id=enrollment.pk,
        fields=[
            {"key": "individual_enrollment", "platform_value": "dental coverage from 2024-01-01", "carrier_value": None}
        ],
    )
    difference(
        classification="field_mismatch",
        difference_type="ssn",
        fields=[{"key": "ssn", "platform_value": FULL_SSN, "carrier_value": "123-45-0000"}],
    )
    difference(
        classification="field_mismatch",
        difference_type="ie_effective_end_date",
        fields=[{"key": "effective_end_date", "platform_value": "9999-12-31", "carrier_value": "2026-01-31"}],
    )
    html = viewer_client.get(URL).content.decode()
    assert "Not at the carrier" in html and "Dental enrollment" in html
    assert "•••-••-6789" in html and FULL_SSN not in html and "123456789" not in html
    assert "open-ended (9999-12-31)" in html


@pytest.mark.parametrize(
    "state, expected",
    [
        ("unresolved", ["open", "discrepancy"]),
        ("discrepancy", ["discrepancy"]),
        ("resolved", ["resolved"]),
        ("dismissed", ["dismissed", "suppressed"]),
        ("", ["open", "discrepancy", "resolved", "dismissed", "suppressed"]),
    ],
)
def test_it_filters_resolved_or_not(viewer_client, state, expected):
    made = {
        "open": difference(created=days_ago(5)),
        "discrepancy": difference(created=days_ago(4), discrepancy_time=days_ago(1)),
        "resolved": difference(created=days_ago(3), resolved=days_ago(1)),
        "dismissed": difference(created=days_ago(2), is_dismissed=True),
        "suppressed": difference(created=days_ago(1), is_suppressed=True),
    }
    assert set(ids(viewer_client.get(URL, {"state": state}))) == {made[name].pk for name in expected}


def test_it_filters_by_classification_carrier_and_group(viewer_client):
    kaiser = make_carrier(name="Kaiser")
    group = make_group(name="Summit Analytics")
    mismatch = difference(make_employee(group=group), classification="field_mismatch", carrier=kaiser)
    missing = difference(classification="missing_from_carrier")
    assert ids(viewer_client.get(URL, {"classification": "missing_from_carrier"})) == [missing.pk]
    assert ids(viewer_client.get(URL, {"carrier": kaiser.pk})) == [mismatch.pk]
    assert ids(viewer_client.get(URL, {"group": "summit"})) == [mismatch.pk]
    assert ids(viewer_client.get(URL, {"group": group.pk, "classification": "missing_from_carrier"})) == []


def test_search_finds_an_employee_by_name_or_id_a_field_or_a_value(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    hers = difference(
        maria,
        difference_type="dob",
        fields=[{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}],
    )
    end = difference(
        difference_type="ie_effective_end_date",
        fields=[{"key": "effective_end_date", "platform_value": "2026-03-31", "carrier_value": "2026-01-31"}],
    )
    assert ids(viewer_client.get(URL, {"q": "gonzalez"})) == [hers.pk]
    assert ids(viewer_client.get(URL, {"q": maria.pk})) == [hers.pk]
    assert ids(viewer_client.get(URL, {"q": "end date"})) == [end.pk]
    assert ids(viewer_client.get(URL, {"q": "date of birth"})) == [hers.pk]
    assert ids(viewer_client.get(URL, {"q": "2026-01-31"})) == [end.pk]
    assert ids(viewer_client.get(URL, {"q": hers.pk})) == [hers.pk]


def test_a_snapshots_differences_are_one_link_away(viewer_client):
    snapshot = make_snapshot()
    mine = make_difference(snapshot)
    difference()
    response = viewer_client.get(URL, {"snapshot": snapshot.pk})
    assert ids(response) == [mine.pk]
    assert reverse("members:snapshot_detail", args=[snapshot.pk]) in response.content.decode()


@pytest.mark.parametrize(
    "sort, field",
    [("created", "created"), ("-created", "created"), ("impact", "impact_score"), ("-impact", "impact_score")],
)
def test_it_sorts_by_a_column_both_ways(viewer_client, sort, field):
    made = [difference(created=days_ago(n), impact_score=n * 3 % 7) for n in range(6)]
    expected = sorted(made, key=lambda d: getattr(d, field), reverse=sort.startswith("-"))
    assert ids(viewer_client.get(URL, {"sort": sort})) == [d.pk for d in expected]


def test_sorting_by_resolved_puts_the_unresolved_first_descending(viewer_client):
    early = difference(resolved=days_ago(5))
    late = difference(resolved=days_ago(1))
    unresolved = difference()
    assert ids(viewer_client.get(URL, {"sort": "-resolved"})) == [unresolved.pk, late.pk, early.pk]
    assert ids(viewer_client.get(URL, {"sort": "resolved"})) == [early.pk, late.pk, unresolved.pk]


def test_differences_removed_at_noyo_are_not_listed(viewer_client):
    difference(removed_upstream_at=NOW)
    kept = difference()
    assert ids(viewer_client.get(URL)) == [kept.pk]


def test_the_dashboard_counts_the_unresolved_and_links_to_exactly_them(viewer_client):
    for n in range(3):
        difference(created=days_ago(n))
    difference(resolved=NOW)
    difference(is_dismissed=True)
    difference(removed_upstream_at=NOW)
    dashboard = viewer_client.get(reverse("dashboard"))
    assert dashboard.context["unresolved_differences"] == 3
    assert f"{URL}?state=unresolved" in dashboard.content.decode()
    assert (
        len(ids(viewer_client.get(URL, {"state": "unresolved"})))
        == 3
        == TrackingDifference.objects.unresolved().count()
    )


def test_the_dashboard_count_is_bounded(viewer_client, monkeypatch):
    monkeypatch.setattr("connections.views.COUNT_LIMIT", 3)
    for _ in range(5):
        difference()
    response = viewer_client.get(reverse("dashboard"))
    assert response.context["unresolved_differences"] == 4
    assert "3+" in response.content.decode()


def test_htmx_gets_only_the_results(viewer_client):
    difference()
    response = viewer_client.get(URL, {"state": "unresolved"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<table" in html and "<html" not in html
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"state": "maybe"}, "state", "Select a valid choice."),
        ({"classification": "different"}, "classification", "Select a valid choice."),
        ({"carrier": "not-a-carrier"}, "carrier", "Select a valid choice."),
        ({"snapshot": "a\x00b"}, "snapshot", "Null characters are not allowed."),
    ],
)
def test_a_bad_value_is_a_message_not_a_500(viewer_client, params, field, message):
    difference()
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert any(message in error for error in response.context["filter_form"].errors[field])
    assert ids(response) == []


def test_pages_past_the_first_and_counts_agree_with_few_and_many_rows(viewer_client):
    for n in range(7):
        difference(created=days_ago(n))
    first = viewer_client.get(URL, {"per_page": 5})
    second = viewer_client.get(URL, {"per_page": 5, "page": 2})
    assert len(ids(first)) == 5 and len(ids(second)) == 2 and not set(ids(first)) & set(ids(second))
    assert first.context["paginator"].count == 7


@pytest.mark.parametrize("rows", [3, 120])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    employee, carrier = make_employee(), make_carrier()
    snapshot = make_snapshot(employee)
    for n in range(rows):
        make_difference(
            snapshot, carrier=carrier, object_id=make_dependent(employee).pk if n % 2 else "", created=days_ago(n % 30)
        )
    with django_assert_max_num_queries(26):
        response = viewer_client.get(URL)
    assert len(ids(response)) == min(rows, 50)
    # session, user, role and permissions (3), freshness, carrier choices, employee names matched, the search's
    # matching ids, bounded count, page, its employees, groups, carriers, the dependents it names: 15, whatever the rows
    with django_assert_max_num_queries(17):  # + the open attention items in the navigation
        viewer_client.get(URL, {"q": "first", "state": "unresolved", "sort": "-created"})
    with django_assert_max_num_queries(26):
        viewer_client.get(URL, {"per_page": 200})
