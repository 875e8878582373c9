"""The carriers list reads the per-carrier counts the connections sync leaves, and still never shows a carrier
fewer failing connections than it has."""

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from command_center.models import SyncRun
from connections.models import ATTENTION_STATUSES, CarrierStatusCount, GroupConnection

URL = reverse("connections:carrier_list")


def live_counts():
    rows = GroupConnection.objects.present().order_by().values_list("carrier_id", "status").annotate(n=Count("pk"))
    return {(carrier_id, status): n for carrier_id, status, n in rows}


def summary():
    return {(row.carrier_id, row.status): row.count for row in CarrierStatusCount.objects.all()}


def listed(response):
    """Per carrier on the page: (connections, needing action, {status: n})."""
    return {
        c.pk: (c.connection_total, c.attention_total, dict(c.status_counts))
        for c in response.context["rows"]
        if c.connection_total or c.attention_total
    }


def expected(counts):
    by_carrier = {}
    for (carrier_id, status), n in counts.items():
        total, attention, statuses = by_carrier.get(carrier_id, (0, 0, {}))
        statuses[status] = n
        by_carrier[carrier_id] = (total + n, attention + n * (status in ATTENTION_STATUSES), statuses)
    return by_carrier


def test_the_connections_sync_leaves_the_counts_the_carriers_list_shows(sync_now, viewer_client):
    run = sync_now("group_connections")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert summary() == live_counts() and sum(summary().values()) == GroupConnection.objects.count() > 0
    with CaptureQueriesContext(connection) as captured:
        response = viewer_client.get(URL, {"per_page": 100})
    assert listed(response) == expected(live_counts())
    assert "Connections counted by the last connections sync" in response.content.decode()
    # The page counted only the connections needing action itself, never all of them.
    counting = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "groupconnection" in q["sql"]]
    assert counting and all("unable_to_connect" in sql for sql in counting)


def test_a_resync_keeps_the_carrier_counts_true(sync_now):
    sync_now("group_connections")
    GroupConnection.objects.update(status="completed")  # as if the mirror had drifted: the next sync puts it right
    sync_now("group_connections")
    assert summary() == live_counts()


def test_connections_that_failed_since_the_sync_show_against_their_carrier_at_once(sync_now, viewer_client):
    sync_now("group_connections")
    counted = {pk: total for pk, (total, _, _) in expected(live_counts()).items()}
    # Since the sync counted, a retry or a webhook moved every connection to "unable to connect".
    GroupConnection.objects.update(status="unable_to_connect")
    response = viewer_client.get(URL, {"per_page": 100})
    for pk, (total, attention, statuses) in listed(response).items():
        now = GroupConnection.objects.present().filter(carrier_id=pk).count()
        assert attention == statuses["unable_to_connect"] == now
        assert total == counted[pk]  # the total is the sync's, said on the page


def test_a_connection_that_recovered_since_the_sync_no_longer_shows_as_failing(sync_now, viewer_client):
    sync_now("group_connections")
    failing = GroupConnection.objects.present().filter(status__in=ATTENTION_STATUSES).first()
    assert failing is not None
    GroupConnection.objects.filter(pk=failing.pk).update(status="processing")  # retried
    response = viewer_client.get(URL, {"per_page": 100})
    carrier = next(c for c in response.context["rows"] if c.pk == failing.carrier_id)
    live = GroupConnection.objects.present().filter(carrier_id=failing.carrier_id, status__in=ATTENTION_STATUSES)
    assert carrier.attention_total == live.count()
    assert sum(n for status, n in carrier.status_counts if status in ATTENTION_STATUSES) == live.count()


def test_before_any_sync_the_carriers_list_counts_live(viewer_client):
    from tests.factories import make_connection

    first = make_connection(status="unable_to_connect")
    make_connection(status="completed", carrier=first.carrier)
    response = viewer_client.get(URL)
    assert listed(response) == {first.carrier_id: (2, 1, {"unable_to_connect": 1, "completed": 1})}
    assert response.context["counted_at"] is None


def test_a_carrier_first_seen_since_the_sync_is_counted_live(sync_now, viewer_client):
    from tests.factories import make_connection

    sync_now("group_connections")
    new = make_connection(status="completed")  # its carrier arrived by webhook after the sync counted
    response = viewer_client.get(URL, {"per_page": 100})
    assert listed(response)[new.carrier_id] == (1, 0, {"completed": 1})
