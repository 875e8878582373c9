import datetime as dt

import pytest

from command_center.sync.records import synthetic_id
from members.models import (
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberSnapshot,
    mask_ssn,
)


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2023, 12, 31), "pending"),
        (dt.date(2024, 1, 1), "active"),
        (dt.date(2024, 6, 15), "active"),
        (dt.date(2024, 12, 31), "active"),
        (dt.date(2025, 1, 1), "terminated"),
    ],
)
def test_status_as_of_follows_noyos_temporal_model(day, expected):
    enrollment = IndividualEnrollment(
        status="active", effective_start_date=dt.date(2024, 1, 1), effective_end_date=dt.date(2024, 12, 31)
    )
    assert enrollment.status_as_of(day) == expected


def test_an_open_ended_enrollment_stays_active_far_ahead():
    enrollment = IndividualEnrollment(
        effective_start_date=dt.date(2024, 1, 1), effective_end_date=dt.date(9999, 12, 31)
    )
    assert enrollment.status_as_of(dt.date(2090, 1, 1)) == "active"
    assert IndividualEnrollment(effective_start_date=dt.date(2024, 1, 1)).status_as_of(dt.date(2090, 1, 1)) == "active"


def test_without_a_start_date_noyos_status_is_all_we_know():
    assert IndividualEnrollment(status="terminated").status_as_of(dt.date(2024, 1, 1)) == "terminated"


@pytest.mark.parametrize(
    "ssn, masked",
    [("123-45-6789", "•••-••-6789"), ("123456789", "•••-••-6789"), ("", ""), ("12", "•••-••-••••")],
)
def test_the_ssn_shows_only_its_last_four_digits(ssn, masked):
    assert mask_ssn(ssn) == masked
    assert Employee(ssn=ssn).ssn_masked == masked


@pytest.mark.django_db
def test_employee_search_is_partial_and_case_insensitive():
    Employee.objects.create(id=synthetic_id("e", 1), first_name="Maria", last_name="Gonzalez")
    Employee.objects.create(id=synthetic_id("e", 2), first_name="Tom", last_name="Marin")
    Employee.objects.create(id=synthetic_id("e", 3), first_name="Li", last_name="Wu")
    assert Employee.objects.search("MAR").count() == 2
    assert Employee.objects.search("zal").get().first_name == "Maria"
    assert Employee.objects.search("").count() == 3


@pytest.mark.django_db
def test_failed_and_invalid_querysets():
    MemberRequest.objects.create(id=synthetic_id("r", 1), status="failed")
    MemberRequest.objects.create(id=synthetic_id("r", 2), status="completed")
    FulfillmentSummary.objects.create(id=synthetic_id("f", 1), status="invalid")
    FulfillmentSummary.objects.create(id=synthetic_id("f", 2), status="sent")
    assert MemberRequest.objects.failed().get().pk == synthetic_id("r", 1)
    assert FulfillmentSummary.objects.invalid().get().pk == synthetic_id("f", 1)


@pytest.mark.django_db
def test_a_snapshot_chain_reads_oldest_first():
    third = MemberSnapshot.objects.create(id=synthetic_id("s", 3), status="completed")
    second = MemberSnapshot.objects.create(id=synthetic_id("s", 2), status="replaced", replaced_by=third)
    first = MemberSnapshot.objects.create(id=synthetic_id("s", 1), status="replaced", replaced_by=second)
    assert [s.pk for s in second.chain()] == [first.pk, second.pk, third.pk]
    assert [s.pk for s in first.chain()] == [first.pk, second.pk, third.pk]


def test_member_request_body_and_result_come_from_raw():
    request = MemberRequest(raw={"body": {"employee": {"id": "x"}}, "result": None})
    assert request.body == {"employee": {"id": "x"}}
    assert request.result == {}


def test_raw_payloads_show_ssns_masked():
    employee = Employee(raw={"person": {"ssn": "123-45-6789"}, "dependents": [{"person": {"ssn": "987654321"}}]})
    assert employee.raw_masked == {"person": {"ssn": "•••-••-6789"}, "dependents": [{"person": {"ssn": "•••-••-4321"}}]}
    assert employee.raw["person"]["ssn"] == "123-45-6789"
