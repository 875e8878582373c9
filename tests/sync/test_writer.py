"""The bulk writer: rows known new inserted, changed rows upserted, columns of rows updated."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from command_center.sync.writer import dump_json, writer_for
from members.models import Employee

pytestmark = pytest.mark.django_db


def employee(**fields):
    return {"id": str(uuid.uuid4()), "version": "1", "raw": {"id": "x"}, "first_name": "Ada", **fields}


def test_insert_writes_new_rows_and_refuses_one_already_there():
    row = employee()
    writer_for(Employee).insert([row])

    assert Employee.objects.get(pk=row["id"]).first_name == "Ada"
    with pytest.raises(IntegrityError), transaction.atomic():
        writer_for(Employee).insert([{**row, "first_name": "Grace"}])
    assert Employee.objects.get(pk=row["id"]).first_name == "Ada"


def test_update_sets_only_the_columns_given():
    rows = [employee(lines_of_coverage="dental"), employee(lines_of_coverage="")]
    writer_for(Employee).insert(rows)

    writer_for(Employee).update(
        [
            {"id": rows[0]["id"], "lines_of_coverage": "medical,vision"},
            {"id": rows[1]["id"], "lines_of_coverage": "dental"},
        ]
    )

    values = dict(Employee.objects.values_list("pk", "lines_of_coverage"))
    assert values == {rows[0]["id"]: "medical,vision", rows[1]["id"]: "dental"}
    assert set(Employee.objects.values_list("first_name", flat=True)) == {"Ada"}


def test_update_of_no_row_that_exists_changes_nothing():
    writer_for(Employee).update([{"id": str(uuid.uuid4()), "lines_of_coverage": "dental"}])
    assert not Employee.objects.exists()


def test_json_is_dumped_exactly_even_beyond_what_orjson_takes():
    assert dump_json({"a": [1, "é", None]}) == '{"a":[1,"é",null]}'
    assert dump_json({"big": 2**70}) == '{"big": 1180591620717411303424}'
