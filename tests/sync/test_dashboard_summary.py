"""The dashboard's status chart reads the counts the connections sync leaves, and still never shows
fewer failing connections than there are."""

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from command_center.models import StatusCount, SyncRun
from connections.models import GroupConnection

URL = reverse("dashboard")


def live_counts():
    return dict(GroupConnection.objects.present().order_by().values_list("status").annotate(n=Count("pk")))


def bars(response):
    return {bar["status"]: bar["count"] for bar in response.context["chart"]["bars"] if bar["count"]}


def test_the_connections_sync_leaves_the_counts_the_chart_shows(sync_now, viewer_client):
    run = sync_now("group_connections")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    summary = {row.status: row.count for row in StatusCount.objects.for_resource(GroupConnection)}
    assert summary == live_counts() and sum(summary.values()) == GroupConnection.objects.count() > 0
    with CaptureQueriesContext(connection) as captured:
        response = viewer_client.get(URL)
    assert bars(response) == summary
    assert response.context["chart"]["counted_at"] == StatusCount.objects.first().counted_at
    assert "Counted by the last connections sync" in response.content.decode()
    # The page did not count the connections by status itself.
    assert not any('GROUP BY "connections_groupconnection"."status"' in q["sql"] for q in captured.captured_queries)


def test_a_resync_keeps_the_counts_true(sync_now, viewer_client):
    sync_now("group_connections")
    GroupConnection.objects.update(status="completed")  # as if the mirror had drifted: the next sync puts it right
    sync_now("group_connections")
    assert {row.status: row.count for row in StatusCount.objects.for_resource(GroupConnection)} == live_counts()


def test_connections_that_failed_since_the_sync_show_on_the_chart_at_once(sync_now, viewer_client):
    sync_now("group_connections")
    # Since the sync counted, a retry or a webhook moved every connection to "unable to connect".
    GroupConnection.objects.update(status="unable_to_connect")
    response = viewer_client.get(URL)
    assert bars(response)["unable_to_connect"] == GroupConnection.objects.present().count()
    assert response.context["attention_total"] == GroupConnection.objects.present().count()


def test_a_connection_that_failed_since_the_sync_is_not_counted_twice_in_the_total(sync_now, viewer_client):
    sync_now("group_connections")
    counted = GroupConnection.objects.present().count()
    moved = GroupConnection.objects.exclude(status="unable_to_connect").first()
    GroupConnection.objects.filter(pk=moved.pk).update(status="unable_to_connect")
    response = viewer_client.get(URL)
    # Its old bar still has it (counted by the sync), the live one too; the total is the connections there are.
    assert response.context["chart"]["total"] == counted


def test_before_any_sync_the_chart_counts_live(viewer_client):
    from tests.factories import make_connection

    make_connection(status="unable_to_connect")
    make_connection(status="completed")
    response = viewer_client.get(URL)
    assert bars(response) == {"unable_to_connect": 1, "completed": 1}
    assert response.context["chart"]["counted_at"] is None
