"""The enrollments CSV: the employees list's filters (or one employee), each status recomputed as of a date."""

import datetime as dt

import pytest
from django.urls import reverse

from members.filters import status_on
from members.models import IndividualEnrollment
from tests.factories import make_group
from tests.members.factories import FULL_SSN, make_employee, make_enrollment
from tests.members.helpers import raw_csv, read_csv

URL = reverse("members:enrollment_export")


def test_it_exports_one_employees_enrollments_with_their_status_as_of_the_date(viewer_client):
    maria = make_employee(first_name="Maria")
    make_enrollment(
        maria,
        line_of_coverage="dental",
        effective_start_date=dt.date(2024, 1, 1),
        effective_end_date=dt.date(2024, 12, 31),
    )
    make_enrollment(make_employee(), line_of_coverage="vision")
    rows = read_csv(viewer_client.get(URL, {"employee": maria.pk, "as_of": "2025-02-01"}))
    assert [(r["Line of coverage"], r["Effective end date"], r["Status as of 2025-02-01"]) for r in rows] == [
        ("dental", "2024-12-31", "terminated"),
    ]


def test_it_applies_the_employees_list_filters(viewer_client):
    group = make_group(name="Summit")
    make_enrollment(make_employee(first_name="Maria", group=group), line_of_coverage="medical")
    make_enrollment(make_employee(first_name="Tom"), line_of_coverage="dental")
    assert [r["Line of coverage"] for r in read_csv(viewer_client.get(URL, {"group": "summit"}))] == ["medical"]
    assert [r["Employee first name"] for r in read_csv(viewer_client.get(URL, {"q": "TOM"}))] == ["Tom"]


@pytest.mark.parametrize(
    "day", [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 6, 1), dt.date(2024, 12, 31), dt.date(2025, 1, 1)]
)
def test_the_status_in_sql_agrees_with_status_as_of_in_every_case(db, day):
    employee = make_employee()
    cases = [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), "active"),
        (dt.date(2024, 1, 1), dt.date(9999, 12, 31), "active"),
        (dt.date(2024, 1, 1), None, "active"),
        (None, None, "terminated"),
        (None, dt.date(2024, 3, 1), "pending"),
    ]
    for start, end, status in cases:
        make_enrollment(employee, effective_start_date=start, effective_end_date=end, status=status)
    for enrollment in IndividualEnrollment.objects.annotate(on=status_on(day)):
        assert enrollment.on == enrollment.status_as_of(day), (
            enrollment.effective_start_date,
            enrollment.effective_end_date,
        )


def test_without_a_date_it_is_as_of_today_and_no_ssn_is_in_it(viewer_client):
    make_enrollment(make_employee(ssn=FULL_SSN))
    text = raw_csv(viewer_client.get(URL))
    assert "Status as of " in text
    assert FULL_SSN not in text
