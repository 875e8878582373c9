"""The snapshot summary: counts by status and a carrier × fulfillment-status matrix, each a link, invalid first."""

import pytest
from django.urls import reverse

from tests.factories import make_carrier
from tests.members.factories import make_fulfillment, make_snapshot

URL = reverse("members:snapshot_summary")
LIST = reverse("members:snapshot_list")


def test_it_counts_snapshots_by_status_each_a_link_to_the_list(viewer_client):
    for status in ["completed", "completed", "processing", "failed"]:
        make_snapshot(status=status)
    response = viewer_client.get(URL)
    counts = {cell["status"]: cell["count"] for cell in response.context["status_counts"]}
    assert counts == {"failed": 1, "processing": 1, "submitted": 0, "completed": 2, "replaced": 0, "canceled": 0}
    assert f'href="{LIST}?status=completed"' in response.content.decode()


def test_the_matrix_puts_carriers_with_invalid_fulfillments_first_and_invalid_in_the_first_column(viewer_client):
    aetna, kaiser, beam = make_carrier(name="Aetna"), make_carrier(name="Kaiser"), make_carrier(name="Beam")
    make_carrier(name="Unused")
    for _ in range(3):
        make_fulfillment(make_snapshot(), aetna, status="sent")
    make_fulfillment(make_snapshot(), kaiser, status="invalid")
    make_fulfillment(make_snapshot(), kaiser, status="invalid")
    make_fulfillment(make_snapshot(), beam, status="invalid")
    make_fulfillment(make_snapshot(), beam, status="scheduled")
    response = viewer_client.get(URL)
    rows = response.context["rows"]
    assert [row["carrier"].name for row in rows] == ["Kaiser", "Beam", "Aetna"]
    assert response.context["fulfillment_statuses"][0] == "invalid"
    assert {cell["status"]: cell["count"] for cell in rows[1]["cells"]} == {
        "invalid": 1,
        "processing": 0,
        "scheduled": 1,
        "sent": 0,
        "no_changes": 0,
        "replaced": 0,
    }


def test_each_cell_links_to_the_list_filtered_by_carrier_and_fulfillment_status(viewer_client):
    kaiser = make_carrier(name="Kaiser")
    make_fulfillment(make_snapshot(), kaiser, status="invalid")
    html = viewer_client.get(URL).content.decode()
    assert f'href="{LIST}?carrier={kaiser.pk}&amp;fulfillment_status=invalid"' in html
    assert f'href="{LIST}?fulfillment_status=invalid"' in html


def test_counts_stop_at_the_limit_and_say_so(viewer_client, monkeypatch):
    monkeypatch.setattr("members.views.SUMMARY_COUNT_LIMIT", 2)
    carrier = make_carrier(name="Kaiser")
    for _ in range(4):
        make_fulfillment(make_snapshot(status="completed"), carrier, status="sent")
    response = viewer_client.get(URL)
    assert {cell["status"]: cell["count"] for cell in response.context["status_counts"]}["completed"] == 3
    assert "2+" in response.content.decode()


def test_removed_records_are_not_counted(viewer_client):
    from django.utils import timezone

    make_snapshot(status="failed", removed_upstream_at=timezone.now())
    counts = {cell["status"]: cell["count"] for cell in viewer_client.get(URL).context["status_counts"]}
    assert counts["failed"] == 0


@pytest.mark.parametrize("rows", [2, 40])
def test_the_number_of_queries_does_not_grow_with_the_rows(viewer_client, django_assert_max_num_queries, rows):
    carriers = [make_carrier() for _ in range(3)]
    for n in range(rows):
        make_fulfillment(make_snapshot(), carriers[n % 3], status=["sent", "invalid", "processing"][n % 3])
    # session, user, role (3), carriers, one query for every bounded count
    with django_assert_max_num_queries(9):  # + the nav's open attention items
        viewer_client.get(URL)
