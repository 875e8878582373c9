"""The list machinery every page shares: CSV safety and naming, bounded counts."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model

from command_center.lists import (
    COUNT_LIMIT,
    BoundedCountPaginator,
    neutralise,
    stream_csv,
)


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Acme", "", "a=b", 12, None, "12-34"])
def test_ordinary_cells_are_left_alone(value):
    assert neutralise(value) == value


def test_a_streamed_csv_is_utf8_with_a_header_row():
    response = stream_csv(iter([["Zoë", 1], ["'=1+1", 2]]), ["Name", "N"], "people_2026-11-21.csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff")))) == [["Name", "N"], ["Zoë", "1"], ["'=1+1", "2"]]
    assert response["Content-Disposition"] == 'attachment; filename="people_2026-11-21.csv"'


@pytest.mark.django_db
def test_the_paginator_counts_no_further_than_it_needs(django_assert_max_num_queries):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{i}") for i in range(30)])
    paginator = BoundedCountPaginator(User.objects.order_by("pk"), per_page=10, page_number=1)
    assert paginator.count == 30
    assert paginator.count_is_exact
    assert COUNT_LIMIT > 30
