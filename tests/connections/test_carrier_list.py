"""The carriers list: search, kind, reference data missing, connections in a status; sorts, counts, htmx."""

import pytest
from django.urls import reverse

from connections.models import Carrier
from tests.factories import make_carrier, make_connection

URL = reverse("connections:carrier_list")


def names(response):
    return [c.name for c in response.context["rows"]]


def test_it_lists_carriers_with_their_kind_format_cadence_and_connections_by_status(viewer_client):
    carrier = make_carrier(
        name="Bluepeak Dental",
        kind="send",
        format_hint="BP- followed by 5 digits",
        file_cadence="Weekly file, Mondays",
        carrier_group_id_label="Group number",
    )
    make_carrier(name="Idle Carrier")
    for status in ["completed", "completed", "unable_to_connect"]:
        make_connection(carrier=carrier, status=status)
    response = viewer_client.get(URL)
    html = response.content.decode()
    for text in [
        "Bluepeak Dental",
        "Send",
        "Group number",
        "BP- followed by 5 digits",
        "Weekly file, Mondays",
        "Idle Carrier",
    ]:
        assert text in html
    row = next(c for c in response.context["rows"] if c.pk == carrier.pk)
    assert row.status_counts == [("unable_to_connect", 1), ("completed", 2)]
    assert (row.connection_total, row.attention_total) == (3, 1)
    assert f"?carrier={carrier.pk}&amp;status=unable_to_connect" in html


def test_a_carrier_only_a_sync_has_seen_says_its_reference_data_is_missing(viewer_client):
    Carrier.objects.ensure(["5e6f7a8b-0000-4000-8000-000000000002"])
    make_carrier(name="Complete Co")
    html = viewer_client.get(URL).content.decode()
    assert "Carrier 5e6f7a8b" in html
    assert "missing: name, Sync or Send, id format" in html
    assert (
        "We have no reference data for this carrier: its kind and id format are unknown, so the id is not checked. Staff can add it in the admin."
        in html
    )
    assert "complete</span>" in html


def test_it_searches_by_name_or_id(viewer_client):
    acme = make_carrier(name="Acme Mutual")
    make_carrier(name="Beta Life")
    assert names(viewer_client.get(URL, {"q": "mutual"})) == ["Acme Mutual"]
    assert names(viewer_client.get(URL, {"q": acme.pk.upper()})) == ["Acme Mutual"]
    assert names(viewer_client.get(URL, {"q": acme.pk[:8]})) == ["Acme Mutual"]


def test_it_filters_by_kind_and_by_missing_reference_data(viewer_client):
    make_carrier(name="Sync Co", kind="sync")
    make_carrier(name="Send Co", kind="send")
    make_carrier(name="No Format Co", kind="send", carrier_group_id_format="")
    make_carrier(name="Unknown Co", kind="unknown")
    assert names(viewer_client.get(URL, {"kind": "send"})) == ["No Format Co", "Send Co"]
    assert names(viewer_client.get(URL, {"kind": ["sync", "unknown"]})) == ["Sync Co", "Unknown Co"]
    assert names(viewer_client.get(URL, {"reference_missing": "on"})) == ["No Format Co", "Unknown Co"]


def test_it_filters_carriers_having_connections_in_a_status(viewer_client):
    stuck, fine = make_carrier(name="Stuck Co"), make_carrier(name="Fine Co")
    make_carrier(name="Idle Co")
    make_connection(carrier=stuck, status="unable_to_connect")
    make_connection(carrier=fine, status="completed")
    assert names(viewer_client.get(URL, {"connection_status": "unable_to_connect"})) == ["Stuck Co"]
    assert names(viewer_client.get(URL, {"connection_status": ["completed", "unable_to_connect"]})) == [
        "Fine Co",
        "Stuck Co",
    ]


def test_it_sorts_by_name_kind_reference_and_connection_counts(viewer_client):
    a = make_carrier(name="A", kind="send")
    b = make_carrier(name="B", kind="sync", carrier_group_id_format="")
    c = make_carrier(name="C", kind="unknown")
    for _ in range(3):
        make_connection(carrier=b, status="action_required")
    make_connection(carrier=c, status="completed")
    assert names(viewer_client.get(URL, {"sort": "-name"})) == ["C", "B", "A"]
    assert names(viewer_client.get(URL, {"sort": "kind"})) == ["A", "B", "C"]
    assert names(viewer_client.get(URL, {"sort": "connections"})) == ["A", "C", "B"]
    assert names(viewer_client.get(URL, {"sort": "-connections"})) == ["B", "C", "A"]
    assert names(viewer_client.get(URL, {"sort": "-attention"}))[0] == "B"
    assert names(viewer_client.get(URL, {"sort": "-reference"})) == ["C", "B", "A"]
    assert a.pk  # every carrier listed whatever the sort


def test_htmx_gets_only_the_results_and_the_page_is_in_the_navigation(viewer_client):
    make_carrier(name="Acme")
    page = viewer_client.get(URL).content.decode()
    assert f'<a href="{URL}" class="active">Carriers</a>' in page
    partial = viewer_client.get(URL, {"q": "acme"}, headers={"HX-Request": "true"}).content.decode()
    assert "Acme" in partial and "<html" not in partial and 'id="selection"' in partial


def test_the_carrier_page_is_highlighted_in_the_navigation_too(viewer_client):
    carrier = make_carrier()
    page = viewer_client.get(reverse("connections:carrier_detail", args=[carrier.pk])).content.decode()
    assert f'<a href="{URL}" class="active">Carriers</a>' in page
    assert 'class="active">Connections</a>' not in page


def test_a_bad_filter_value_is_explained_not_a_500(viewer_client):
    response = viewer_client.get(URL, {"kind": "fax"})
    assert response.status_code == 400
    assert "fax" in str(response.context["filter_form"].errors["kind"])


@pytest.mark.parametrize("carriers", [3, 120])
def test_counts_are_the_same_on_the_page_and_in_its_total_and_queries_stay_bounded(
    viewer_client, django_assert_max_num_queries, carriers
):
    made = [make_carrier(name=f"Carrier {n:03d}", kind="send" if n % 2 else "sync") for n in range(carriers)]
    for carrier in made[:10]:
        make_connection(carrier=carrier, status="unable_to_connect")
        make_connection(carrier=carrier, status="completed")
    with django_assert_max_num_queries(25):
        response = viewer_client.get(URL, {"per_page": 50, "sort": "-connections"})
    assert response.context["paginator"].count == carriers
    assert len(response.context["rows"]) == min(carriers, 50)
    assert [c.connection_total for c in response.context["rows"][:10]] == [2] * min(carriers, 10)
    with django_assert_max_num_queries(25):
        sends = viewer_client.get(URL, {"kind": "send"})
    assert sends.context["paginator"].count == carriers // 2
