"""The employee page: person and employment, family, coverage "as of" a date, premiums, snapshots, requests."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_carrier
from tests.members.factories import (
    FULL_SSN,
    SSN_DIGITS,
    make_dependent,
    make_employee,
    make_enrollment,
    make_member_request,
    make_plan,
    make_premium,
    make_snapshot,
)


def url(employee):
    return reverse("members:employee_detail", args=[employee.pk])


def statuses(response):
    return {e.line_of_coverage: e.status_on for e in response.context["enrollments"]}


@pytest.fixture
def family(db):
    """An employee with a dental enrollment for 2024 only and a medical one from 2024 on, open-ended."""
    employee = make_employee(first_name="Maria", last_name="Gonzalez", occupation="Office Manager")
    carrier = make_carrier(name="Beam Dental")
    make_enrollment(
        employee,
        line_of_coverage="dental",
        carrier=carrier,
        plan=make_plan(carrier, name="Dental PPO High", line_of_coverage="dental"),
        effective_start_date=dt.date(2024, 1, 1),
        effective_end_date=dt.date(2024, 12, 31),
        status="terminated",
    )
    make_enrollment(
        employee,
        line_of_coverage="medical",
        effective_start_date=dt.date(2024, 1, 1),
        effective_end_date=dt.date(9999, 12, 31),
        premium_amount="412.25",
    )
    return employee


@pytest.mark.parametrize(
    "as_of, expected",
    [
        ("2023-12-31", {"dental": "pending", "medical": "pending"}),
        ("2024-01-01", {"dental": "active", "medical": "active"}),
        ("2024-12-31", {"dental": "active", "medical": "active"}),
        ("2025-01-01", {"dental": "terminated", "medical": "active"}),
        ("2090-06-30", {"dental": "terminated", "medical": "active"}),
    ],
)
def test_each_enrollments_status_is_recomputed_as_of_the_date_asked(viewer_client, family, as_of, expected):
    response = viewer_client.get(url(family), {"as_of": as_of})
    assert response.status_code == 200
    assert statuses(response) == expected


def test_without_a_date_statuses_are_as_of_today(viewer_client, family):
    response = viewer_client.get(url(family))
    assert response.context["as_of"] == timezone.localdate()
    assert statuses(response) == {"dental": "terminated", "medical": "active"}


def test_an_as_of_change_through_htmx_answers_only_the_coverage(viewer_client, family):
    response = viewer_client.get(url(family), {"as_of": "2024-06-01"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="coverage">')
    assert "as of Jun 1, 2024" in html
    assert "Dependents" not in html


def test_a_date_that_is_not_a_date_gets_a_message_beside_the_field(viewer_client, family):
    response = viewer_client.get(url(family), {"as_of": "2024-02-30"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_a_date_out_of_range_gets_a_message_beside_the_field(viewer_client, family):
    response = viewer_client.get(url(family), {"as_of": "9999-12-31"})
    assert response.status_code == 400
    assert "Enter a date from 1 January 1900 to 31 December 9998." in response.content.decode()


def test_enrollments_show_line_member_carrier_plan_dates_and_premium(viewer_client, family):
    html = viewer_client.get(url(family), {"as_of": "2024-06-01"}).content.decode()
    for text in [
        "Dental",
        "Medical",
        "Maria Gonzalez",
        "Beam Dental",
        "Dental PPO High",
        "Jan 1, 2024",
        "Dec 31, 2024",
        "open-ended",
        "$412.25",
        "/ month",
    ]:
        assert text in html


def test_a_dependents_enrollment_is_named_after_the_dependent(viewer_client, family):
    child = make_dependent(family, first_name="Leo")
    make_enrollment(family, individual_type="dependent", individual_id=child.pk, line_of_coverage="vision")
    rows = viewer_client.get(url(family)).context["enrollments"]
    assert [e.member_name for e in rows if e.line_of_coverage == "vision"] == [f"Leo {family.last_name}"]


def test_it_shows_person_and_employment_with_the_ssn_masked(viewer_client, family):
    html = viewer_client.get(url(family)).content.decode()
    for text in ["Maria Gonzalez", "Office Manager", "Full time", "•••-••-6789", family.group.name]:
        assert text in html
    assert FULL_SSN not in html and SSN_DIGITS not in html


def test_dependents_are_listed_with_their_relationship_and_masked_ssn(viewer_client, family):
    make_dependent(family, first_name="Ana", relationship="spouse", ssn="111-22-3333")
    make_dependent(family, first_name="Leo", relationship="step-child", ssn="444556666")
    html = viewer_client.get(url(family)).content.decode()
    assert "Spouse" in html and "Step child" in html
    assert "•••-••-3333" in html and "•••-••-6666" in html
    assert "111-22-3333" not in html and "444556666" not in html


def test_premiums_show_whether_they_are_in_force_on_the_date(viewer_client, family):
    make_premium(
        family, amount="250.00", effective_start_date=dt.date(2024, 1, 1), effective_end_date=dt.date(2024, 12, 31)
    )
    in_2024 = viewer_client.get(url(family), {"as_of": "2024-03-01"})
    in_2025 = viewer_client.get(url(family), {"as_of": "2025-03-01"})
    assert [p.in_force for p in in_2024.context["premiums"]] == [True]
    assert [p.in_force for p in in_2025.context["premiums"]] == [False]
    assert "$250.00" in in_2024.content.decode()


def test_it_lists_the_employees_snapshots_and_member_requests_with_links_to_all(viewer_client, family):
    snapshot = make_snapshot(family, status="completed")
    request = make_member_request(family, request_type="termination", status="failed")
    html = viewer_client.get(url(family)).content.decode()
    assert reverse("members:snapshot_detail", args=[snapshot.pk]) in html
    assert reverse("members:memberrequest_detail", args=[request.pk]) in html
    assert f"{reverse('members:snapshot_list')}?employee={family.pk}" in html
    assert f"{reverse('members:memberrequest_list')}?employee={family.pk}" in html


def test_the_enrollment_export_link_carries_the_employee_and_the_date(viewer_client, family):
    html = viewer_client.get(url(family), {"as_of": "2024-06-01"}).content.decode()
    assert re.search(rf'href="/members/enrollments/export/\?employee={family.pk}&amp;as_of=2024-06-01"', html)


def test_an_unknown_employee_is_404(viewer_client):
    assert viewer_client.get(reverse("members:employee_detail", args=["nobody"])).status_code == 404


@pytest.mark.parametrize("size", [1, 12])
def test_the_number_of_queries_does_not_grow_with_the_family(viewer_client, django_assert_max_num_queries, size):
    employee = make_employee()
    for _ in range(size):
        child = make_dependent(employee)
        make_enrollment(employee, individual_type="dependent", individual_id=child.pk)
        make_premium(employee)
        make_member_request(employee)
    for _ in range(size):
        make_snapshot(employee)
    # session, user, role (3), employee, dependents, enrollments, premiums, snapshots, their fulfillments, requests
    with django_assert_max_num_queries(15):  # + the nav's open attention items + the notes
        viewer_client.get(url(employee))
