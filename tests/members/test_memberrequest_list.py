"""The member requests list: filters (status, type, group, employee, created range), bad values, constant queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import MemberRequest
from tests.factories import make_group
from tests.members.factories import make_employee, make_member_request

URL = reverse("members:memberrequest_list")


def ids(response):
    return [row.pk for row in response.context["rows"]]


def test_it_lists_requests_newest_first_with_type_status_employee_and_group(viewer_client):
    employee = make_employee(first_name="Maria", last_name="Gonzalez", group=make_group(name="Summit Analytics"))
    old = make_member_request(
        employee,
        request_type="new_hire",
        status="completed",
        created=timezone.now() - dt.timedelta(days=3),
        transaction_ids=["t1", "t2"],
    )
    new = make_member_request(employee, request_type="qualifying_life_event", status="failed")
    response = viewer_client.get(URL)
    assert ids(response) == [new.pk, old.pk]
    html = response.content.decode()
    for text in ["New hire", "Qualifying life event", "Failed", "Completed", "Maria Gonzalez", "Summit Analytics"]:
        assert text in html


def test_the_dashboards_failed_link_lists_exactly_the_failed_requests(viewer_client):
    failed = make_member_request(status="failed")
    make_member_request(status="completed")
    make_member_request(status="failed", removed_upstream_at=timezone.now())
    response = viewer_client.get(URL, {"status": "failed"})
    assert ids(response) == [failed.pk]
    assert ids(response) == list(MemberRequest.objects.failed().values_list("pk", flat=True))


def test_it_filters_by_request_type_group_and_employee(viewer_client):
    group = make_group(name="Blue Harbor Bakery")
    maria = make_employee(first_name="Maria", last_name="Gonzalez", group=group)
    termination = make_member_request(maria, request_type="termination")
    other = make_member_request(request_type="cobra_enrollment")
    assert ids(viewer_client.get(URL, {"request_type": "termination"})) == [termination.pk]
    assert ids(viewer_client.get(URL, {"group": group.pk})) == [termination.pk]
    assert ids(viewer_client.get(URL, {"group": "harbor"})) == [termination.pk]
    assert ids(viewer_client.get(URL, {"employee": maria.pk})) == [termination.pk]
    assert ids(viewer_client.get(URL, {"employee": "MARIA"})) == [termination.pk]
    assert ids(viewer_client.get(URL, {"request_type": "cobra_enrollment"})) == [other.pk]


def test_an_employee_not_mirrored_yet_still_filters_by_id(viewer_client):
    ghost = "6dc22bed-27fc-458c-b732-bdaf5b5a1031"
    request = make_member_request(employee_id=ghost, employee=None)
    make_member_request()
    assert ids(viewer_client.get(URL, {"employee": ghost})) == [request.pk]


def test_it_filters_by_created_date_range(viewer_client):
    day = timezone.make_aware(dt.datetime(2026, 1, 20, 9, 0))
    inside = make_member_request(created=day)
    before = make_member_request(created=day - dt.timedelta(days=30))
    after = make_member_request(created=day + dt.timedelta(days=30))
    assert ids(viewer_client.get(URL, {"created_from": "2026-01-01", "created_to": "2026-01-31"})) == [inside.pk]
    assert ids(viewer_client.get(URL, {"created_from": "2026-01-20"})) == [after.pk, inside.pk]
    assert ids(viewer_client.get(URL, {"created_to": "2026-01-19"})) == [before.pk]


def test_filters_combine(viewer_client):
    group = make_group()
    wanted = make_member_request(make_employee(group=group), status="failed", request_type="demographic")
    make_member_request(make_employee(group=group), status="failed", request_type="termination")
    make_member_request(make_employee(group=group), status="completed", request_type="demographic")
    assert ids(viewer_client.get(URL, {"group": group.pk, "status": "failed", "request_type": "demographic"})) == [
        wanted.pk
    ]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"status": "exploded"}, "status", "Select a valid choice."),
        ({"request_type": "new hire"}, "request_type", "Select a valid choice."),
        ({"created_to": "2026-13-01"}, "created_to", "Enter a valid date."),
        (
            {"created_from": "2026-02-01", "created_to": "2026-01-01"},
            "created_to",
            "The end date is before the start date.",
        ),
        ({"page": "banana", "status": "nope"}, "status", "Select a valid choice."),
        # A day past 9999-12-31 does not exist: the range "to the end of that day" cannot be built.
        ({"created_to": "9999-12-31"}, "created_to", "Enter a date from 1 January 1900 to 31 December 9998."),
        ({"created_from": "0001-01-01"}, "created_from", "Enter a date from 1 January 1900 to 31 December 9998."),
    ],
)
def test_a_bad_value_is_a_message_beside_the_field_not_a_500(viewer_client, params, field, message):
    make_member_request()
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert any(message in error for error in response.context["filter_form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()


def test_an_employee_name_matching_too_many_employees_asks_for_more(viewer_client, monkeypatch):
    monkeypatch.setattr("members.filters.MATCH_LIMIT", 1)
    make_employee(first_name="Maria")
    make_employee(first_name="Mariana")
    response = viewer_client.get(URL, {"employee": "mari"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "More than 1 employees match “mari”" in response.content.decode()


def test_pages_past_the_first_work_and_a_page_out_of_range_shows_the_last(viewer_client, monkeypatch):
    for _ in range(7):
        make_member_request()
    first = viewer_client.get(URL, {"per_page": 5})
    second = viewer_client.get(URL, {"per_page": 5, "page": 2})
    assert len(ids(first)) == 5 and len(ids(second)) == 2
    assert not set(ids(first)) & set(ids(second))
    assert ids(viewer_client.get(URL, {"per_page": 5, "page": 99})) == ids(second)


@pytest.mark.parametrize("rows", [2, 60])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    for _ in range(rows):
        make_member_request(make_employee(), transaction_ids=["a", "b"])
    # session, user, role (3), bounded count, page, the page's employees, the page's groups
    with django_assert_max_num_queries(12):  # + the nav's open attention items
        response = viewer_client.get(URL)
    assert len(response.context["rows"]) == min(rows, 50)
    with django_assert_max_num_queries(13):  # + the employee name lookup; + the nav's open attention items
        viewer_client.get(URL, {"employee": "first", "status": "processing"})
