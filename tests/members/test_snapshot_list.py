"""The snapshots list: filters (status, group, employee, carrier, carrier fulfillment, created range), the
fulfillment view the dashboard links to, bad values, and a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_carrier, make_group
from tests.members.factories import make_employee, make_fulfillment, make_snapshot

URL = reverse("members:snapshot_list")


def ids(response):
    return {row.pk for row in response.context["rows"]}


def snapshot_ids(response):
    return {getattr(row, "snapshot_id", None) or row.pk for row in response.context["rows"]}


def test_it_lists_snapshots_newest_first_with_employee_group_status_and_carriers(viewer_client):
    employee = make_employee(first_name="Maria", last_name="Gonzalez")
    old = make_snapshot(employee, created=timezone.now() - dt.timedelta(days=2), status="replaced")
    new = make_snapshot(employee, status="processing")
    make_fulfillment(new, make_carrier(name="Beam Dental"), status="scheduled")
    response = viewer_client.get(URL)
    assert [s.pk for s in response.context["rows"]] == [new.pk, old.pk]
    html = response.content.decode()
    for text in ["Maria Gonzalez", employee.group.name, "Processing", "Replaced", "Beam Dental", "Scheduled"]:
        assert text in html


def test_it_filters_by_status_group_and_employee(viewer_client):
    group = make_group(name="Summit Analytics")
    maria = make_employee(first_name="Maria", last_name="Gonzalez", group=group)
    completed = make_snapshot(maria, status="completed")
    other = make_snapshot(status="processing")
    assert ids(viewer_client.get(URL, {"status": "completed"})) == {completed.pk}
    assert ids(viewer_client.get(URL, {"group": group.pk})) == {completed.pk}
    assert ids(viewer_client.get(URL, {"group": "SUMMIT"})) == {completed.pk}
    assert ids(viewer_client.get(URL, {"employee": maria.pk})) == {completed.pk}
    assert ids(viewer_client.get(URL, {"employee": "gonz"})) == {completed.pk}
    assert ids(viewer_client.get(URL, {"status": "processing"})) == {other.pk}


def test_an_employee_filter_by_id_names_the_employee(viewer_client):
    maria = make_employee(first_name="Maria", last_name="Gonzalez")
    make_snapshot(maria)
    html = viewer_client.get(URL, {"employee": maria.pk}).content.decode()
    assert "Employee: <a" in html and "Maria Gonzalez</a>" in html


def test_it_filters_by_created_date_range_inclusive(viewer_client):
    day = timezone.make_aware(dt.datetime(2026, 3, 10, 23, 30))
    inside = make_snapshot(created=day)
    make_snapshot(created=day + dt.timedelta(days=1))
    make_snapshot(created=day - dt.timedelta(days=2))
    assert ids(viewer_client.get(URL, {"created_from": "2026-03-10", "created_to": "2026-03-10"})) == {inside.pk}


def test_the_dashboards_invalid_link_lists_each_invalid_carrier_fulfillment_with_its_reason(viewer_client):
    carrier = make_carrier(name="Kaiser")
    broken = make_snapshot(status="processing")
    make_fulfillment(
        broken,
        carrier,
        status="invalid",
        errors=[
            {
                "code": "plan_not_found",
                "message": "No plan named 'Gold PPO 750' exists",
                "field": "coverages[0].plan_name",
            }
        ],
    )
    make_fulfillment(broken, status="sent")
    make_fulfillment(make_snapshot(), carrier, status="sent")
    response = viewer_client.get(URL, {"fulfillment_status": "invalid"})
    assert response.status_code == 200
    assert [(f.snapshot_id, f.carrier_id) for f in response.context["rows"]] == [(broken.pk, carrier.pk)]
    html = response.content.decode()
    assert "One row per snapshot and carrier" in html
    assert "No plan named &#x27;Gold PPO 750&#x27; exists" in html
    assert "plan_not_found · <code>coverages[0].plan_name</code>" in html
    assert reverse("members:snapshot_detail", args=[broken.pk]) in html


def test_carrier_and_fulfillment_status_apply_to_the_same_fulfillment(viewer_client):
    kaiser, beam = make_carrier(name="Kaiser"), make_carrier(name="Beam")
    both = make_snapshot()
    make_fulfillment(both, kaiser, status="sent")
    make_fulfillment(both, beam, status="invalid")
    kaiser_invalid = make_snapshot()
    make_fulfillment(kaiser_invalid, kaiser, status="invalid")
    response = viewer_client.get(URL, {"carrier": kaiser.pk, "fulfillment_status": "invalid"})
    assert snapshot_ids(response) == {kaiser_invalid.pk}
    assert snapshot_ids(viewer_client.get(URL, {"carrier": beam.pk})) == {both.pk}


def test_the_other_filters_still_apply_to_fulfillments(viewer_client):
    group = make_group(name="Summit")
    mine = make_snapshot(make_employee(group=group), status="completed")
    make_fulfillment(mine, status="invalid")
    make_fulfillment(make_snapshot(status="completed"), status="invalid")
    make_fulfillment(make_snapshot(make_employee(group=group), status="processing"), status="invalid")
    response = viewer_client.get(URL, {"fulfillment_status": "invalid", "group": group.pk, "status": "completed"})
    assert snapshot_ids(response) == {mine.pk}


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"status": "bogus"}, "status", "Select a valid choice."),
        ({"fulfillment_status": "exploded"}, "fulfillment_status", "Select a valid choice."),
        ({"carrier": "not-a-carrier"}, "carrier", "Select a valid choice."),
        ({"created_from": "yesterday"}, "created_from", "Enter a valid date."),
        ({"created_to": "9999-12-31"}, "created_to", "Enter a date from 1 January 1900 to 31 December 9998."),
        (
            {"created_from": "2026-03-10", "created_to": "2026-03-01"},
            "created_to",
            "The end date is before the start date.",
        ),
    ],
)
def test_a_bad_value_is_a_message_beside_the_field_not_a_500(viewer_client, params, field, message):
    make_snapshot()
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert any(message in error for error in response.context["filter_form"].errors[field])
    assert list(response.context["rows"]) == []


@pytest.mark.parametrize("rows", [2, 60])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    carriers = [make_carrier() for _ in range(2)]
    for n in range(rows):
        snapshot = make_snapshot(make_employee())
        make_fulfillment(snapshot, carriers[n % 2], status="invalid" if n % 2 else "sent")
    # session, user, role (3), bounded count, page, employees, groups, fulfillments with carriers, carrier choices, freshness
    with django_assert_max_num_queries(14):  # + the nav's open attention items
        assert viewer_client.get(URL).status_code == 200
    # the fulfillment view: session, user, role (3), the carrier asked for, bounded count, page,
    # its snapshots, employees, groups, carriers, carrier choices, freshness
    with django_assert_max_num_queries(16):  # + the nav's open attention items
        assert viewer_client.get(URL, {"fulfillment_status": "invalid", "carrier": carriers[1].pk}).status_code == 200
