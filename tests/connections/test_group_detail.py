"""The group page: the group and every record hanging off it."""

from django.urls import reverse
from django.utils.html import strip_tags

from tests.factories import (
    make_carrier,
    make_carrier_configuration,
    make_connection,
    make_contact,
    make_disconnection,
    make_group,
    make_group_enrollment,
    make_latest_audit,
    make_location,
    make_plan,
    make_renewal_decision,
)


def test_it_shows_the_group_and_all_its_related_records(viewer_client, django_assert_max_num_queries):
    carrier = make_carrier(name="Northwind Health")
    group = make_group(name="Blue Harbor Bakery", dba_name="BHB", federal_ein="12-3456789")
    make_connection(group=group, carrier=carrier, carrier_group_id="NW204518", status="unable_to_connect")
    make_disconnection(group, carrier=carrier)
    make_group_enrollment(group, carrier=carrier, line_of_coverage="dental")
    make_plan(group, carrier=carrier, name="Gold PPO 500", code="GPPO5")
    make_contact(group, first_name="Dana", last_name="Reyes", email="dana@example.com", primary_contact=True)
    make_location(group, display_name="Head office", city="Portland", state="OR")
    make_carrier_configuration(
        group, carrier, carrier_group_id="NW204518", configuration={"bill_groups": ["Alpha bill group"]}
    )
    make_renewal_decision(group)
    make_latest_audit(group, carrier_ids=[carrier.pk])
    with django_assert_max_num_queries(18):  # + the nav's open attention items + the notes
        response = viewer_client.get(reverse("connections:group_detail", args=[group.pk]))
    html = " ".join(strip_tags(response.content.decode()).split())
    for text in [
        "Blue Harbor Bakery",
        "DBA BHB",
        "12-3456789",
        "NW204518",
        "Unable to connect",
        "Disconnection requests",
        "Broker of record",
        "Needs review",
        "Group enrollments",
        "Dental",
        "Gold PPO 500",
        "GPPO5",
        "Dana Reyes",
        "dana@example.com",
        "primary",
        "Head office",
        "Portland OR",
        "Alpha bill group",
        "Renewal decisions",
        "Not ready",
        "No plans found at the carrier for the renewal date.",
        "Latest carrier audit",
    ]:
        assert text in html, text


def test_a_group_with_nothing_attached_still_renders(viewer_client):
    group = make_group()
    response = viewer_client.get(reverse("connections:group_detail", args=[group.pk]))
    assert response.status_code == 200
    assert "No connections." in response.content.decode()


def test_an_unknown_group_is_404(viewer_client):
    assert viewer_client.get(reverse("connections:group_detail", args=["nope"])).status_code == 404
