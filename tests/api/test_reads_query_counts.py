"""Each API list costs the same number of queries for a page of 3 rows as for a page of 45.

Rows come with their related names by select_related or prefetch, and what a page attaches
beside its columns (connection counts, fulfillments, links) is read once for the page.
``FIGURES`` is printed at the end of the run (``pytest -s``): the counts the README quotes.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.reads import LIST_IDS, LISTS, populate

# Queries a list may cost, sign-in (session, user) included.
MOST = 12
FIGURES = {}


def queries(client, api_list, population) -> tuple[int, int]:
    """(queries, rows) of the list's first page, 50 rows at most."""
    params = api_list.query(population, {"state": "all"} if api_list.basename == "attention-item" else {})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(api_list.url, params)
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("api_list", LISTS, ids=LIST_IDS)
def test_a_list_costs_the_same_queries_for_few_rows_and_many(viewer_client, viewer, operator, api_list):
    few = queries(viewer_client, api_list, populate(viewer, operator, n=3))
    many = queries(viewer_client, api_list, populate(viewer, operator, n=42))
    FIGURES[api_list.basename] = (few, many)
    assert many[1] > 3 * few[1], "the second page must hold many more rows"
    assert many[0] == few[0] <= MOST, (
        f"{api_list.basename}: {few[0]} queries for {few[1]} rows, {many[0]} for {many[1]}"
    )


def teardown_module():
    if FIGURES:
        print("\nAPI list queries (first page): few rows → many rows")
        for name, ((few, few_rows), (many, many_rows)) in FIGURES.items():
            print(f"  {name:24} {few} queries for {few_rows} rows, {many} for {many_rows}")
