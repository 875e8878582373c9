"""API lists page by cursor over the page's own order: every row once, in order, whatever arrives meanwhile.

The order is ``command_center.lists.order_by_sort``'s (NULLs last ascending, first descending, the
primary key breaking ties); the rows here have NULLs and repeats in the sorted columns.
"""

import datetime as dt
import urllib.parse

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.api import pagination
from command_center.lists import order_by_sort
from command_center.models import AuditEntry
from connections.filters import connections_for_list
from connections.models import GroupConnection
from connections.views import API_CONNECTION_SORTS
from tests.api.reads import LIST_IDS, LISTS, cycle, walk
from tests.factories import make_carrier, make_connection

LIST = reverse("api:connection-list")


@pytest.fixture
def connections(db):
    """30 connections: a third without a carrier, half never changed status, carriers of one name."""
    now = timezone.now().replace(microsecond=0)
    carriers = [make_carrier(name="Acme"), make_carrier(name="Acme"), make_carrier(name="Beta")]
    rows = [
        make_connection(
            carrier=cycle(carriers, i),
            status_changed_at=cycle([None, now, None, now - dt.timedelta(days=1)], i),
            group_name=cycle(["Same", "Same", ""], i),
            modified=now,
        )
        for i in range(30)
    ]
    GroupConnection.objects.filter(pk__in=[row.pk for row in rows[::3]]).update(carrier=None)
    return rows


def page_order(sort):
    """The ids in the order the connections list has for ``sort`` (the API's sorts: the page's, and by carrier)."""
    return [
        str(pk) for pk in order_by_sort(connections_for_list(), sort, API_CONNECTION_SORTS).values_list("pk", flat=True)
    ]


def page(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def ids(body):
    return [row["id"] for row in body["results"]]


@pytest.mark.parametrize("sort", ["carrier", "-carrier", "since", "-since", "group", "-group", "modified", "-modified"])
def test_walking_a_list_full_of_nulls_and_ties_yields_each_row_once_in_the_pages_order(
    viewer_client, connections, sort
):
    walked = walk(viewer_client, LIST, {"sort": sort, "page_size": 4})
    assert walked == page_order(sort)
    assert len(set(walked)) == len(connections)


def test_the_walk_is_stable_when_rows_arrive_and_leave_between_fetches(viewer_client, connections):
    before = page_order("carrier")
    body, seen = page(viewer_client, LIST, {"sort": "carrier", "page_size": 5}), []
    carriers = [make_carrier(name="Aaa"), make_carrier(name="Acme"), make_carrier(name="Zzz")]
    while True:
        seen += ids(body)
        # Between two fetches: rows sorting before the cursor, beside it (the same carrier name), after it,
        # and among the NULLs; and the row the cursor stands on goes away.
        for carrier in carriers:
            make_connection(carrier=carrier)
        GroupConnection.objects.filter(pk=make_connection().pk).update(carrier=None)
        GroupConnection.objects.filter(pk=seen[-1]).delete()
        if not body["next"]:
            break
        body = page(viewer_client, body["next"])
    assert len(seen) == len(set(seen)), "a row came twice"
    original = [pk for pk in seen if pk in before]
    assert original == before, "every row present throughout, once, in the page's order"


def test_previous_links_walk_back_through_the_same_pages(viewer_client, connections):
    forward, body = [], page(viewer_client, LIST, {"sort": "-since", "page_size": 7})
    assert body["previous"] is None
    while True:
        forward.append(ids(body))
        if not body["next"]:
            break
        body = page(viewer_client, body["next"])
    backward = []
    while body["previous"]:
        body = page(viewer_client, body["previous"])
        backward.append(ids(body))
    assert backward == forward[-2::-1]


def test_a_page_whose_rows_are_gone_links_back_to_the_rows_before_it(viewer_client, connections):
    first = page(viewer_client, LIST, {"sort": "carrier", "page_size": 5})
    GroupConnection.objects.exclude(pk__in=ids(first)).delete()
    empty = page(viewer_client, first["next"])
    assert empty["results"] == [] and empty["next"] is None
    assert ids(page(viewer_client, empty["previous"])) == ids(first)


def test_page_size_is_50_unless_given_and_at_most_200(viewer_client, db):
    AuditEntry.objects.bulk_create(
        AuditEntry(action="export", outcome="succeeded", summary=f"Export {n}") for n in range(205)
    )
    url = reverse("api:audit-entry-list")
    assert len(page(viewer_client, url)["results"]) == 50
    assert len(page(viewer_client, url, {"page_size": 7})["results"]) == 7
    assert len(page(viewer_client, url, {"page_size": 5000})["results"]) == 200


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "9" * 5000, "\x00"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400_with_the_reason(viewer_client, db, value):
    response = viewer_client.get(LIST, {"page_size": value})
    assert response.status_code == 400
    assert response.json() == {"page_size": [pagination.BAD_PAGE_SIZE]}


def test_a_cursor_changed_or_made_up_is_a_400_with_the_reason(viewer_client, connections):
    cursor = cursor_of(page(viewer_client, LIST, {"page_size": 3})["next"])
    for bad in [
        "x",
        "eyJ2YWx1ZXMiOlsxXX0",
        cursor[:-2],
        cursor[:-1] + ("A" if cursor[-1] != "A" else "B"),
        "\x00",
        "😀" * 50,
    ]:
        response = viewer_client.get(LIST, {"page_size": 3, "cursor": bad})
        assert response.status_code == 400, bad
        assert response.json() == {"cursor": [pagination.BAD_CURSOR]}


def test_a_cursor_from_another_sort_is_a_400_with_the_reason(viewer_client, connections):
    cursor = cursor_of(page(viewer_client, LIST, {"sort": "carrier", "page_size": 3})["next"])
    response = viewer_client.get(LIST, {"sort": "-since", "cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"cursor": [pagination.OTHER_ORDER]}
    assert viewer_client.get(LIST, {"sort": "carrier", "cursor": cursor}).status_code == 200


@pytest.mark.parametrize("api_list", LISTS, ids=LIST_IDS)
def test_a_sort_the_page_does_not_offer_is_a_400_naming_the_sorts(viewer_client, db, api_list):
    response = viewer_client.get(api_list.url, {**api_list.base, "sort": "no_such_sort"})
    assert response.status_code == 400
    assert "no_such_sort" in response.json()["sort"][0]


@pytest.mark.parametrize(
    "params", [{"status": "bogus"}, {"carrier": "no-such-carrier"}, {"organization": "not-a-uuid"}]
)
def test_a_bad_filter_value_is_a_400_naming_the_filter(viewer_client, db, params):
    response = viewer_client.get(LIST, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_a_bad_date_on_a_members_list_is_a_400_with_the_pages_message(viewer_client, db):
    response = viewer_client.get(
        reverse("api:member-request-list"), {"created_from": "2026-02-01", "created_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert response.json() == {"created_to": ["The end date is before the start date."]}


def cursor_of(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["cursor"][0]
