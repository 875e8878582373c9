"""The list machinery every page shares: CSV safety and naming, bounded counts."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model

from command_center.lists import (
    COUNT_LIMIT,
    MAX_PER_PAGE,
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


# --- Page numbers: bounded, whatever the query string says ----------------------------------

# The lists that page through Listing, each with a row to show.
PAGED_LISTS = [
    "connections:connection_list",
    "connections:group_list",
    "members:employee_list",
    "members:snapshot_list",
    "members:memberrequest_list",
    "sync_list",
    "audit_list",
    "attention_list",
]


@pytest.fixture
def one_of_each(operator):
    from command_center.audit import record_sync
    from tests.factories import make_connection, make_sync_run
    from tests.members.factories import make_member_request, make_snapshot

    make_connection()
    make_snapshot()
    make_member_request()
    record_sync(operator, make_sync_run())
    from tests.attention.factories import make_item

    make_item()


@pytest.mark.parametrize("name", PAGED_LISTS)
@pytest.mark.parametrize("page", [str(2**63), str(2**64), "9" * 30, "9" * 5000, "-1", "1e309", "\x00"])
def test_a_page_number_too_big_for_the_database_shows_a_page_not_a_500(viewer_client, one_of_each, name, page):
    from django.urls import reverse

    response = viewer_client.get(reverse(name), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert len(response.context["rows"]) >= 1


@pytest.mark.parametrize("per_page", [str(2**63), "-5", "0", "banana"])
def test_per_page_stays_between_one_and_the_maximum(viewer_client, one_of_each, per_page):
    from django.urls import reverse

    response = viewer_client.get(reverse("connections:connection_list"), {"per_page": per_page})
    assert response.status_code == 200
    assert 1 <= response.context["paginator"].per_page <= MAX_PER_PAGE


@pytest.mark.django_db
def test_paging_stops_at_the_deepest_page_it_reaches(monkeypatch):
    import command_center.lists as lists

    monkeypatch.setattr(lists, "MAX_PAGED_ROWS", 20)
    monkeypatch.setattr(lists, "COUNT_LIMIT", 5)
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{i}") for i in range(45)])
    paginator = BoundedCountPaginator(User.objects.order_by("pk"), per_page=10, page_number=10**18)
    assert paginator.num_pages == 2
    assert paginator.get_page(10**18).number == 2
    assert paginator.has_rows_past_paging
    # The count reads no further than the deepest page needs.
    assert paginator.count == 21


def test_a_page_past_where_paging_stops_is_the_deepest_page_with_a_message(viewer_client, monkeypatch):
    from django.urls import reverse

    import command_center.lists as lists
    from tests.factories import make_connection

    monkeypatch.setattr(lists, "MAX_PAGED_ROWS", 4)
    rows = [make_connection() for _ in range(6)]
    response = viewer_client.get(reverse("connections:connection_list"), {"per_page": 2, "page": 50})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert not response.context["page_obj"].has_next()
    text = " ".join(response.content.decode().split())
    assert "Paging stops after the first 4 results. Narrow the filters to see the rest." in text
    # A list that ends before paging stops says nothing of it.
    response = viewer_client.get(reverse("connections:connection_list"), {"per_page": 5, "q": rows[0].group_name})
    assert response.context["paging_stops"] == ""
