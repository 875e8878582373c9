"""The group connections list: columns, filters, search, sort, pagination, htmx partials, bounded queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import GroupConnection
from tests.factories import make_carrier, make_connection, make_group

URL = reverse("connections:connection_list")


def names(response):
    return [c.group_name for c in response.context["rows"]]


def test_it_shows_every_column_of_a_connection(viewer_client):
    carrier = make_carrier(name="Northwind Health")
    make_connection(
        group=make_group(name="Blue Harbor Bakery"),
        carrier=carrier,
        carrier_group_id="NW204518",
        status="unable_to_connect",
        request_type="incremental",
        setup_error="The carrier could not find an active group with number NW204518.",
    )
    html = viewer_client.get(URL).content.decode()
    for text in [
        "Blue Harbor Bakery",
        "Northwind Health",
        "NW204518",
        "Unable to connect",
        "Incremental",
        "could not find an active group",
        "In status for",
        "Last modified",
    ]:
        assert text in html


def test_it_filters_by_several_statuses_at_once(viewer_client):
    make_connection(group_name="A", status="unable_to_connect")
    make_connection(group_name="B", status="action_required")
    make_connection(group_name="C", status="completed")
    response = viewer_client.get(URL, {"status": ["unable_to_connect", "action_required"], "sort": "group"})
    assert names(response) == ["A", "B"]


def test_it_filters_by_carrier_organization_and_request_type(viewer_client):
    carrier = make_carrier()
    org = "7d0c4a4e-0000-4000-8000-000000000001"
    make_connection(group_name="Mine", carrier=carrier, organization_id=org, request_type="incremental")
    make_connection(group_name="Other carrier", organization_id=org, request_type="incremental")
    make_connection(group_name="Other type", carrier=carrier, organization_id=org, request_type="initial")
    response = viewer_client.get(URL, {"carrier": carrier.pk, "organization": org, "request_type": "incremental"})
    assert names(response) == ["Mine"]


def test_the_stuck_filter_keeps_in_flight_connections_older_than_the_setting(viewer_client, settings):
    settings.STUCK_AFTER_DAYS = 7
    old = timezone.now() - dt.timedelta(days=10)
    make_connection(group_name="Stuck", status="waiting_on_carrier", status_changed_at=old)
    make_connection(group_name="Fresh", status="waiting_on_carrier")
    make_connection(group_name="Old but done", status="completed", status_changed_at=old)
    assert names(viewer_client.get(URL, {"stuck": "on"})) == ["Stuck"]


def test_the_attention_filter_is_the_dashboard_queue(viewer_client):
    old = timezone.now() - dt.timedelta(days=30)
    make_connection(group_name="Needs us", status="action_required")
    make_connection(group_name="Stuck", status="processing", status_changed_at=old)
    make_connection(group_name="Fine", status="completed")
    assert sorted(names(viewer_client.get(URL, {"attention": "on"}))) == ["Needs us", "Stuck"]


@pytest.mark.parametrize(
    "query,expected",
    [("harbor", ["Blue Harbor Bakery"]), ("BHB Foods", ["Blue Harbor Bakery"]), ("NW2045", ["Blue Harbor Bakery"])],
)
def test_search_looks_in_group_name_dba_name_and_carrier_group_id(viewer_client, query, expected):
    make_connection(group=make_group(name="Blue Harbor Bakery", dba_name="BHB Foods"), carrier_group_id="NW204518")
    make_connection(group=make_group(name="Granite Logistics", dba_name="GL"), carrier_group_id="XY000001")
    assert names(viewer_client.get(URL, {"q": query})) == expected


def test_search_by_an_id_finds_the_connection_or_its_group(viewer_client):
    target = make_connection(group_name="Target")
    make_connection(group_name="Other")
    assert names(viewer_client.get(URL, {"q": target.pk.upper()})) == ["Target"]
    assert names(viewer_client.get(URL, {"q": target.group_id})) == ["Target"]


def test_an_id_pasted_from_a_ticket_finds_the_connection_as_on_every_list(viewer_client):
    target = make_connection(group_name="Target")
    make_connection(group_name="Other")
    assert names(viewer_client.get(URL, {"q": f'"{target.pk}".'})) == ["Target"]
    assert names(viewer_client.get(URL, {"q": f"({target.pk.replace('-', '')})"})) == ["Target"]


@pytest.mark.parametrize("sort", ["group", "carrier_group_id", "status", "request_type", "since", "modified"])
def test_it_sorts_by_any_column_both_ways(viewer_client, sort):
    for n in range(3):
        make_connection(group_name=f"G{n}", setup_error=f"E{n}")
    up = viewer_client.get(URL, {"sort": sort})
    down = viewer_client.get(URL, {"sort": f"-{sort}"})
    assert up.status_code == down.status_code == 200
    assert up.context["sort"] == sort and down.context["sort"] == f"-{sort}"
    assert len(names(up)) == 3


@pytest.mark.parametrize("sort", ["carrier", "-carrier", "error", "-error"])
def test_it_does_not_sort_by_carrier_or_setup_error_and_says_so(viewer_client, sort):
    # No index of the table can order by a carrier's name (another table) or by free text: at 1M rows
    # each took 2 s. The list falls back to its default sort and the page says what to do instead.
    make_connection(group_name="Only")
    response = viewer_client.get(URL, {"sort": sort})
    assert response.status_code == 200 and response.context["sort"] == "-modified"
    text = " ".join(response.content.decode().split())
    assert "Not sortable by carrier or setup error (filter by carrier, or search for an error&#x27;s words)." in text
    page = " ".join(viewer_client.get(URL).content.decode().split())
    assert not re.search(r"sort=-?(carrier|error)(?!_)", page)  # no header links to them (carrier_group_id stays)


def test_it_breaks_ties_of_status_and_type_newest_first(viewer_client):
    # The order its index (status, modified) gives, so a page deep in a status is read from the index.
    for _n, name in enumerate(["Old", "New", "Middle"]):
        make_connection(
            group_name=name,
            status="completed",
            modified=timezone.now() - dt.timedelta(days={"Old": 3, "New": 1, "Middle": 2}[name]),
        )
    assert names(viewer_client.get(URL, {"sort": "status"})) == ["New", "Middle", "Old"]
    assert names(viewer_client.get(URL, {"sort": "-status"})) == ["Old", "Middle", "New"]
    assert names(viewer_client.get(URL, {"sort": "request_type"})) == ["New", "Middle", "Old"]


def test_it_sorts_by_group_name(viewer_client):
    for name in ["Bravo", "Alpha", "Charlie"]:
        make_connection(group_name=name)
    assert names(viewer_client.get(URL, {"sort": "group"})) == ["Alpha", "Bravo", "Charlie"]
    assert names(viewer_client.get(URL, {"sort": "-group"})) == ["Charlie", "Bravo", "Alpha"]


def test_it_paginates_and_keeps_the_filters_in_the_page_links(viewer_client):
    carrier = make_carrier()
    for n in range(7):
        make_connection(group_name=f"G{n}", carrier=carrier)
    response = viewer_client.get(URL, {"carrier": carrier.pk, "per_page": 5, "sort": "group"})
    assert names(response) == ["G0", "G1", "G2", "G3", "G4"]
    html = response.content.decode()
    assert f"carrier={carrier.pk}" in html and "page=2" in html
    assert names(viewer_client.get(URL, {"carrier": carrier.pk, "per_page": 5, "sort": "group", "page": 2})) == [
        "G5",
        "G6",
    ]


@pytest.mark.parametrize(
    "query,field",
    [
        ({"status": "bogus"}, "status"),
        ({"organization": "not-an-id"}, "organization"),
        ({"carrier": "nope"}, "carrier"),
        ({"request_type": "sideways"}, "request_type"),
    ],
)
def test_a_bad_filter_value_is_explained_beside_the_field_not_a_500(viewer_client, query, field):
    make_connection()
    response = viewer_client.get(URL, query)
    assert response.status_code == 400
    assert response.context["filter_form"].errors[field]
    assert 'class="errorlist"' in response.content.decode()
    assert names(response) == []


@pytest.mark.parametrize("key", ["lists", "items", "keys", "values"])
def test_a_parameter_named_like_a_method_of_the_query_is_carried_not_a_500(viewer_client, key):
    # A template looks ``request.GET.lists`` up as a key first: ?lists=x made it unpack "x".
    make_connection()
    response = viewer_client.get(URL, {key: "x", "status": "processing"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<input type="hidden" name="{key}" value="x">' in html
    assert '<input type="hidden" name="status" value="processing">' in html


def test_an_htmx_request_gets_only_the_results_partial(viewer_client):
    make_connection(group_name="Partial Co")
    response = viewer_client.get(URL, {"q": "Partial"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Partial Co" in html
    assert "<html" not in html and 'class="filters"' not in html
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_an_htmx_request_with_a_bad_value_says_why_in_the_partial(viewer_client):
    response = viewer_client.get(URL, {"organization": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Organization:" in response.content.decode()


def test_a_viewer_sees_no_retry_control(viewer_client):
    make_connection(status="unable_to_connect")
    html = viewer_client.get(URL).content.decode()
    assert "Retry ticked" not in html and "Retry…" not in html


def test_an_operator_sees_retry_on_retryable_rows_only(operator_client):
    retryable = make_connection(status="unable_to_connect")
    done = make_connection(status="completed")
    html = operator_client.get(URL).content.decode()
    assert "Retry ticked" in html
    assert reverse("connections:connection_retry", args=[retryable.pk]) in html
    assert reverse("connections:connection_retry", args=[done.pk]) not in html


def test_connections_removed_at_noyo_still_list(viewer_client):
    make_connection(group_name="Gone", removed_upstream_at=timezone.now())
    assert names(viewer_client.get(URL)) == ["Gone"]


@pytest.mark.parametrize("rows", [5, 200])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    carriers = [make_carrier() for _ in range(3)]
    group = make_group()
    for n in range(rows):
        make_connection(group=group, carrier=carriers[n % 3], status="unable_to_connect")
    with django_assert_max_num_queries(12):  # + the nav's open attention items
        response = viewer_client.get(URL, {"per_page": 100})
    assert len(response.context["rows"]) == min(rows, 100)
    with django_assert_max_num_queries(12):  # + the nav's open attention items
        viewer_client.get(URL, {"q": "Group", "status": ["unable_to_connect"], "sort": "request_type", "stuck": "on"})


def test_the_count_is_bounded_on_a_big_list(viewer_client, monkeypatch):
    import command_center.lists as lists

    monkeypatch.setattr(lists, "COUNT_LIMIT", 10)
    group = make_group()
    carrier = make_carrier()
    GroupConnection.objects.bulk_create(
        [
            GroupConnection(id=f"00000000-0000-4000-8000-{n:012d}", group=group, carrier=carrier, status="completed")
            for n in range(25)
        ]
    )
    text = " ".join(viewer_client.get(URL, {"per_page": 5}).content.decode().split())
    assert "Showing 1–5 of 10+" in text
