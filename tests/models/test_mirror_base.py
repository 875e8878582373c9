import datetime as dt
from decimal import Decimal

import pytest

from command_center.sync.records import (
    from_epoch,
    join_lines,
    normalize_noyo_id,
    parse_date,
    parse_decimal,
    payload_version,
    synthetic_id,
)
from connections.models import GroupConnection
from members.models import Employee, MemberTransaction

ID = "0b6a1e3c-7f1e-4d5a-9c1b-3f2e4d5c6b7a"


def test_it_converts_epoch_seconds_to_aware_utc():
    assert from_epoch(1700000000) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert from_epoch("1700000000") == from_epoch(1700000000)
    assert from_epoch(None) is None
    assert from_epoch("soon") is None


def test_it_parses_dates_and_keeps_open_ended_ones():
    assert parse_date("2024-01-31") == dt.date(2024, 1, 31)
    assert parse_date("9999-12-31") == dt.date(9999, 12, 31)
    assert parse_date("31/01/2024") is None
    assert parse_date(None) is None


def test_it_parses_money_strings():
    assert parse_decimal("50.00") == Decimal("50.00")
    assert parse_decimal("NaN") is None
    assert parse_decimal("") is None


def test_it_normalizes_ids_and_rejects_malformed_ones():
    assert normalize_noyo_id(ID.upper()) == ID
    assert normalize_noyo_id("not-a-uuid") is None
    assert normalize_noyo_id(None) is None


def test_synthetic_ids_are_stable_per_natural_key():
    assert synthetic_id("fulfillment_summary", ID, "c1") == synthetic_id("fulfillment_summary", ID, "c1")
    assert synthetic_id("fulfillment_summary", ID, "c1") != synthetic_id("fulfillment_summary", ID, "c2")
    assert normalize_noyo_id(synthetic_id("x")) is not None


def test_payload_version_ignores_key_order():
    assert payload_version({"a": 1, "b": [1, 2]}) == payload_version({"b": [1, 2], "a": 1})
    assert payload_version({"a": 1}) != payload_version({"a": 2})


@pytest.mark.django_db
def test_it_stores_an_unknown_status_and_shows_it_as_itself():
    GroupConnection.objects.create(id=ID, status="on_hold_by_carrier", raw={"status": "on_hold_by_carrier"})
    connection = GroupConnection.objects.get(pk=ID)
    assert connection.status == "on_hold_by_carrier"
    assert connection.status_label == "on_hold_by_carrier"
    assert connection.get_status_display() == "on_hold_by_carrier"
    assert connection.status_is_known is False


def test_it_labels_known_statuses():
    connection = GroupConnection(status="noyo_review", request_type="initial")
    assert connection.status_label == "Noyo review"
    assert connection.status_is_known is True
    assert connection.label_of("request_type") == "Initial"
    assert GroupConnection(status="").status_is_known is True


def test_it_tells_unknown_values_of_other_enums():
    employee = Employee(employment_status="seasonal")
    assert employee.is_known("employment_status") is False
    assert employee.label_of("employment_status") == "seasonal"


@pytest.mark.django_db
def test_it_filters_lines_of_coverage_exactly():
    Employee.objects.create(id=synthetic_id("e", 1), lines_of_coverage=join_lines(["medical", "dental"]))
    Employee.objects.create(id=synthetic_id("e", 2), lines_of_coverage=join_lines(["vision"]))
    Employee.objects.create(id=synthetic_id("e", 3), lines_of_coverage=join_lines(["add", "life", "std"]))
    MemberTransaction.objects.create(id=synthetic_id("t", 1), lines_of_coverage="life")

    assert Employee.objects.get(pk=synthetic_id("e", 1)).lines_of_coverage == "dental,medical"
    assert set(Employee.objects.with_line("dental").values_list("pk", flat=True)) == {synthetic_id("e", 1)}
    assert Employee.objects.with_line("life").count() == 1
    assert Employee.objects.with_line("ad").count() == 0
    assert MemberTransaction.objects.with_line("life").count() == 1


@pytest.mark.django_db
def test_it_marks_rather_than_deletes_and_reads_versions():
    GroupConnection.objects.create(id=ID, version="v1")
    GroupConnection.objects.create(id=synthetic_id("gone"), version="v2", removed_upstream_at=from_epoch(1))
    assert GroupConnection.objects.versions() == {ID: "v1", synthetic_id("gone"): "v2"}
    assert list(GroupConnection.objects.present().values_list("pk", flat=True)) == [ID]
    assert GroupConnection.objects.removed().get().is_removed_upstream
