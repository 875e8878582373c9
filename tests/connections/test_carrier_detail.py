"""The carrier page: its details and its connections by status."""

from django.urls import reverse

from tests.factories import make_carrier, make_connection


def test_it_shows_the_carrier_and_its_connections_by_status_linking_to_the_list(viewer_client):
    carrier = make_carrier(
        name="Keystone Life",
        kind="sync",
        format_hint="KL, 5 digits and a plan letter",
        carrier_group_id_format=r"KL\d{5}[A-Z]",
    )
    make_connection(carrier=carrier, status="action_required", group_name="Needs Us Co")
    make_connection(carrier=carrier, status="completed")
    make_connection(status="completed")  # another carrier's
    response = viewer_client.get(reverse("connections:carrier_detail", args=[carrier.pk]))
    html = response.content.decode()
    assert "Keystone Life" in html and "Sync" in html and "KL, 5 digits and a plan letter" in html
    assert response.context["connection_total"] == 2
    assert [(s, n) for s, n, _url in response.context["status_counts"]] == [("action_required", 1), ("completed", 1)]
    assert f"?carrier={carrier.pk}&amp;status=completed" in html
    assert "Needs Us Co" in html


def test_an_unknown_carrier_is_404(viewer_client):
    assert viewer_client.get(reverse("connections:carrier_detail", args=["nope"])).status_code == 404
