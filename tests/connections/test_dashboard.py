"""The dashboard: status chart, needs-attention queue, latest changes, member counts (freshness: tests/core/test_freshness.py)."""

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from tests.factories import make_connection, make_status_change

URL = reverse("dashboard")


def text(response):
    return " ".join(response.content.decode().split())


def test_the_chart_has_a_bar_per_status_linking_to_the_filtered_list(viewer_client):
    for status in ["completed", "completed", "unable_to_connect"]:
        make_connection(status=status)
    response = viewer_client.get(URL)
    bars = {bar["status"]: bar for bar in response.context["chart"]["bars"]}
    assert bars["completed"]["count"] == 2 and bars["unable_to_connect"]["count"] == 1 and bars["created"]["count"] == 0
    assert bars["completed"]["percent"] == 100.0 and bars["unable_to_connect"]["percent"] == 50.0
    html = response.content.decode()
    assert "<svg" in html
    assert f'href="{reverse("connections:connection_list")}?status=unable_to_connect"' in html


def test_a_status_noyo_added_gets_its_own_bar(viewer_client):
    make_connection(status="on_hold")
    bars = {bar["status"] for bar in viewer_client.get(URL).context["chart"]["bars"]}
    assert "on_hold" in bars


def test_the_needs_attention_queue_is_oldest_first_and_includes_stuck_connections(viewer_client, settings):
    settings.STUCK_AFTER_DAYS = 7
    now = timezone.now()
    make_connection(group_name="Recent action", status="action_required", status_changed_at=now - dt.timedelta(hours=1))
    make_connection(group_name="Old failure", status="unable_to_connect", status_changed_at=now - dt.timedelta(days=3))
    make_connection(
        group_name="Stuck at carrier", status="waiting_on_carrier", status_changed_at=now - dt.timedelta(days=20)
    )
    make_connection(
        group_name="Waiting, but not long", status="waiting_on_carrier", status_changed_at=now - dt.timedelta(days=1)
    )
    make_connection(group_name="Done", status="completed", status_changed_at=now - dt.timedelta(days=90))
    response = viewer_client.get(URL)
    assert [c.group_name for c in response.context["attention"]] == ["Stuck at carrier", "Old failure", "Recent action"]
    assert response.context["attention_total"] == 3


def test_it_shows_the_latest_status_changes_newest_first(viewer_client):
    connection = make_connection(group_name="Changing Co", status="processing")
    make_status_change(connection, "", "created", timezone.now() - dt.timedelta(hours=2))
    make_status_change(connection, "created", "processing", timezone.now() - dt.timedelta(minutes=5))
    changes = viewer_client.get(URL).context["changes"]
    assert [(c.old_status, c.new_status) for c in changes] == [("created", "processing"), ("", "created")]
    assert changes[0].connection_known and changes[0].group_name == connection.group_name


def test_failed_member_requests_and_invalid_fulfillments_are_counted_and_linked(viewer_client):
    from members.models import FulfillmentSummary, MemberRequest

    now = timezone.now()
    MemberRequest.objects.create(id=str(uuid.uuid4()), status="failed", created=now, modified=now)
    MemberRequest.objects.create(id=str(uuid.uuid4()), status="completed", created=now, modified=now)
    FulfillmentSummary.objects.create(id=str(uuid.uuid4()), status="invalid")
    response = viewer_client.get(URL)
    assert response.context["failed_requests"] == 1 and response.context["invalid_fulfillments"] == 1
    html = response.content.decode()
    assert f"{reverse('members:memberrequest_list')}?status=failed" in html
    assert f"{reverse('members:snapshot_list')}?fulfillment_status=invalid" in html


def test_an_empty_mirror_says_so(viewer_client):
    page = text(viewer_client.get(URL))
    assert "Never synced" in page and "No connections mirrored yet." in page


def test_the_dashboard_costs_the_same_queries_at_any_size(viewer_client, django_assert_max_num_queries):
    for _n in range(40):
        connection = make_connection(status="unable_to_connect")
        make_status_change(connection, "processing", "unable_to_connect")
    # The bounded counts (attention, member, renewal, disconnection, difference, failing statuses) are one query.
    with django_assert_max_num_queries(12):
        viewer_client.get(URL)


def test_big_counts_are_bounded_not_counted_to_the_end(viewer_client, monkeypatch):
    import connections.views as views

    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    for _ in range(5):
        make_connection(status="unable_to_connect")
    response = viewer_client.get(URL)
    assert response.context["attention_total"] == 4
    assert "3+" in text(response)


def test_the_member_links_land_on_filtered_member_pages(viewer_client):
    assert viewer_client.get(reverse("members:memberrequest_list"), {"status": "failed"}).status_code == 200
    assert viewer_client.get(reverse("members:snapshot_list"), {"fulfillment_status": "invalid"}).status_code == 200
