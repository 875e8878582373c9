"""Every API list holds what its page shows for the same query string: the same rows, in the same order.

Written once over every list (``tests.api.reads.LISTS``): the first page for a few filters and
sorts, then every sort key in both directions walked to the end, page by page, against the
page's whole list. The rows are full of NULLs and equal values in every sort column, where a
page and a cursor are most likely to part ways.
"""

import pytest
from django.urls import reverse

from command_center.api.urls import router
from tests.api.reads import LIST_IDS, LISTS, PAGE_SIZE, walk


def test_every_api_list_is_compared_with_its_page():
    registered = {basename for _, _, basename in router.registry}
    assert registered == set(LIST_IDS), "add the new list to tests.api.reads.LISTS, with its page"


def test_the_api_root_lists_every_resource(viewer_client):
    body = viewer_client.get(reverse("api:api-root")).json()
    assert set(body) == {prefix for prefix, _, _ in router.registry}
    assert {"member-requests", "sync-runs", "audit-log", "tracking-differences", "fulfillment-summaries"} <= set(body)


@pytest.mark.parametrize("api_list", LISTS, ids=LIST_IDS)
def test_the_first_page_holds_the_pages_rows_for_the_same_query_string(viewer_client, population, api_list):
    for params in api_list.queries:
        query = api_list.query(population, params)
        expected = api_list.page_ids(viewer_client, {**query, api_list.per_page: PAGE_SIZE})
        response = viewer_client.get(api_list.url, {**query, "page_size": PAGE_SIZE})
        assert response.status_code == 200, (query, response.content[:300])
        assert [str(row["id"]) for row in response.json()["results"]] == expected[:PAGE_SIZE], query
        assert expected, f"{api_list.basename} {query}: the comparison needs rows"


# Sorts the API keeps that its page no longer offers: no index of the connections table orders by a
# carrier's name or by free text, so the page (which pages by number, to its last page) dropped them.
API_ONLY_SORTS = {"connection": {"carrier", "error"}}


@pytest.mark.parametrize("api_list", LISTS, ids=LIST_IDS)
def test_walking_every_sort_yields_the_pages_whole_list_once_in_order(viewer_client, population, api_list):
    view = {basename: viewset for _, viewset, basename in router.registry}[api_list.basename]
    for key in sorted(view.sorts):
        if key in API_ONLY_SORTS.get(api_list.basename, ()):
            continue  # the page does not offer it (test_reads_pagination walks it)
        for sort in (key, f"-{key}"):
            query = api_list.query(
                population, {"sort": sort, **({"state": "all"} if api_list.basename == "attention-item" else {})}
            )
            expected = api_list.page_ids(viewer_client, {**query, api_list.per_page: 200})
            walked = walk(viewer_client, api_list.url, {**query, "page_size": PAGE_SIZE})
            assert walked == expected, sort
            assert len(expected) > 2 * PAGE_SIZE, f"{api_list.basename}: the walk should cross pages"


@pytest.mark.parametrize("api_list", LISTS, ids=LIST_IDS)
def test_a_records_own_url_shows_it_and_an_unknown_id_is_404(viewer_client, population, api_list):
    first = viewer_client.get(api_list.url, api_list.query(population, {})).json()["results"][0]
    detail = reverse(f"api:{api_list.basename}-detail", args=[first["id"]])
    response = viewer_client.get(detail)
    assert response.status_code == 200
    assert {key: value for key, value in response.json().items() if key in first} == first
    missing = reverse(f"api:{api_list.basename}-detail", args=["0" if isinstance(first["id"], int) else "no-such-id"])
    assert viewer_client.get(missing).status_code == 404


def test_a_closed_attention_item_is_found_by_its_url_though_the_list_hides_it(viewer_client, population):
    closed = next(item for item in population.items if item.closed_at)
    listed = [
        row["id"] for row in viewer_client.get(reverse("api:attention-item-list"), {"page_size": 200}).json()["results"]
    ]
    assert closed.pk not in listed
    assert viewer_client.get(reverse("api:attention-item-detail", args=[closed.pk])).status_code == 200
