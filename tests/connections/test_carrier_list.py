"""The carriers list: name, Sync or Send, format, cadence, connections by status."""

from django.urls import reverse

from tests.factories import make_carrier, make_connection

URL = reverse("connections:carrier_list")


def test_it_lists_carriers_with_their_kind_format_cadence_and_connections_by_status(viewer_client, django_assert_max_num_queries):
    carrier = make_carrier(name="Bluepeak Dental", kind="send", format_hint="BP- followed by 5 digits", file_cadence="Weekly file, Mondays")
    make_carrier(name="Idle Carrier")
    for status in ["completed", "completed", "unable_to_connect"]:
        make_connection(carrier=carrier, status=status)
    with django_assert_max_num_queries(9):  # + the nav's open attention items
        response = viewer_client.get(URL)
    html = response.content.decode()
    for text in ["Bluepeak Dental", "Send", "BP- followed by 5 digits", "Weekly file, Mondays", "Idle Carrier"]:
        assert text in html
    row = next(c for c in response.context["carriers"] if c.pk == carrier.pk)
    assert row.status_counts == [("unable_to_connect", 1), ("completed", 2)] and row.connection_total == 3
    assert f"?carrier={carrier.pk}&amp;status=unable_to_connect" in html
