"""The groups list: search by name or DBA name, filter by carrier and by connection status."""

import pytest
from django.urls import reverse

from tests.factories import make_carrier, make_connection, make_group

URL = reverse("connections:group_list")


def names(response):
    return [g.name for g in response.context["rows"]]


def test_it_searches_by_name_or_dba_name(viewer_client):
    make_group(name="Blue Harbor Bakery", dba_name="BHB")
    make_group(name="Granite Logistics", dba_name="Rock Haulers")
    assert names(viewer_client.get(URL, {"q": "harbor"})) == ["Blue Harbor Bakery"]
    assert names(viewer_client.get(URL, {"q": "haulers"})) == ["Granite Logistics"]


def test_it_filters_by_carrier_and_connection_status_on_the_same_connection(viewer_client):
    carrier, other = make_carrier(), make_carrier()
    a = make_group(name="A")
    make_connection(group=a, carrier=carrier, status="unable_to_connect")
    b = make_group(name="B")
    make_connection(group=b, carrier=carrier, status="completed")
    make_connection(group=b, carrier=other, status="unable_to_connect")
    assert names(viewer_client.get(URL, {"carrier": carrier.pk, "sort": "name"})) == ["A", "B"]
    assert names(viewer_client.get(URL, {"connection_status": "unable_to_connect", "sort": "name"})) == ["A", "B"]
    assert names(viewer_client.get(URL, {"carrier": carrier.pk, "connection_status": "unable_to_connect"})) == ["A"]


def test_each_row_shows_its_connections_by_status(viewer_client):
    group = make_group(name="Counted")
    make_connection(group=group, status="completed")
    make_connection(group=group, status="completed")
    make_connection(group=group, status="action_required")
    response = viewer_client.get(URL)
    assert response.context["rows"][0].connection_counts == [("action_required", 1), ("completed", 2)]
    assert "×2" in response.content.decode()


def test_a_bad_status_is_explained_not_a_500(viewer_client):
    response = viewer_client.get(URL, {"connection_status": "bogus"})
    assert response.status_code == 400
    assert response.context["filter_form"].errors["connection_status"]


@pytest.mark.parametrize("rows", [5, 200])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    carrier = make_carrier()
    for _n in range(rows):
        make_connection(group=make_group(), carrier=carrier)
    with django_assert_max_num_queries(12):  # + the nav's open attention items
        response = viewer_client.get(URL, {"per_page": 100})
    assert len(response.context["rows"]) == min(rows, 100)
