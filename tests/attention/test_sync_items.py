"""Attention items as real syncs leave them, against the sandbox over HTTP: opened by one sync, closed by
the next once the sandbox's clock moves the record on, reopened when the condition returns, never closed
by a sync that did not read the list to the end."""

import datetime as dt
import uuid

from django.db.models import Count
from django.urls import reverse

from command_center.models import AttentionItem, SyncRun
from connections.models import GroupConnection, GroupDisconnectionRequest, RenewalDecision
from members.models import FulfillmentSummary, MemberRequest

Kind = AttentionItem.Kind
DAY = dt.timedelta(days=1).total_seconds()


def open_items(kind):
    return AttentionItem.objects.open().filter(kind=kind)


def test_a_full_sync_opens_one_item_for_every_condition_it_finds(sync_now, sandbox):
    run = sync_now()

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.error == ""
    expected = {
        Kind.CONNECTION_NEEDS_ACTION: GroupConnection.objects.needs_action(),
        Kind.CONNECTION_STUCK: GroupConnection.objects.stuck(),
        Kind.MEMBER_REQUEST_FAILED: MemberRequest.objects.failed(),
        Kind.FULFILLMENT_INVALID: FulfillmentSummary.objects.invalid(),
        Kind.DISCONNECTION_REVIEW: GroupDisconnectionRequest.objects.needing_review(),
        Kind.RENEWAL_NOT_READY: RenewalDecision.objects.present().filter(status="not_ready"),
    }
    for kind, records in expected.items():
        assert records.exists(), f"the sandbox has no {kind}"
        assert set(open_items(kind).values_list("object_id", flat=True)) == set(records.values_list("pk", flat=True)), (
            kind
        )
    assert open_items(Kind.TRACKING_DIFFERENCE).exists()
    assert not open_items(Kind.SYNC_FAILING).exists()
    # Every item was opened by this run, once.
    counts = AttentionItem.objects.annotate(n=Count("events")).values_list("n", flat=True)
    assert set(counts) == {1}
    assert set(AttentionItem.objects.values_list("events__run", flat=True)) == {run.pk}


def test_a_second_sync_with_nothing_changed_keeps_every_item_open_and_opens_none(sync_now, sandbox):
    sync_now()
    before = set(AttentionItem.objects.values_list("pk", flat=True))

    sync_now()

    assert set(AttentionItem.objects.open().values_list("pk", flat=True)) == before
    assert AttentionItem.objects.filter(events__action="opened").count() == len(before)


def test_the_next_sync_closes_items_whose_record_the_sandbox_moved_on_and_opens_the_new_ones(
    sync_now, sandbox, settings
):
    settings.STUCK_AFTER_DAYS = 1
    sync_now("group_connections")
    waiting = GroupConnection.objects.stuck().filter(status="waiting_on_carrier")
    stuck_ids = set(waiting.values_list("pk", flat=True))
    assert stuck_ids, "the sandbox has no connection waiting on the carrier for more than a day"
    assert (
        set(open_items(Kind.CONNECTION_STUCK).filter(object_id__in=stuck_ids).values_list("object_id", flat=True))
        == stuck_ids
    )
    needing_action = set(open_items(Kind.CONNECTION_NEEDS_ACTION).values_list("object_id", flat=True))

    sandbox.advance(3 * DAY)  # the carriers answer: those connections complete, some in flight fail
    run = sync_now("group_connections")

    for item in AttentionItem.objects.filter(kind=Kind.CONNECTION_STUCK, object_id__in=stuck_ids):
        assert GroupConnection.objects.get(pk=item.object_id).status == "completed"
        assert item.closed_at is not None
        closed = item.events.get(action="closed")
        assert closed.run_id == run.pk and "no longer saw it" in closed.text
    newly_failed = set(open_items(Kind.CONNECTION_NEEDS_ACTION).values_list("object_id", flat=True)) - needing_action
    assert newly_failed, "no connection in flight ended unable to connect"
    for item in AttentionItem.objects.filter(object_id__in=newly_failed):
        assert item.events.get().run_id == run.pk


def retry(client, connection):
    """Retry one connection through the page an Operator uses: the form, then its POST."""
    url = reverse("connections:connection_retry", args=[connection.pk])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"token": token, "carrier_group_id": connection.carrier_group_id})
    assert response.status_code == 200, response.content.decode()[:500]


def test_an_item_closes_after_a_retry_and_reopens_with_its_history_when_the_connection_fails_again(
    sync_now, sandbox, operator_client
):
    sync_now("group_connections")
    item = open_items(Kind.CONNECTION_NEEDS_ACTION).filter(summary__startswith="Unable to connect").first()
    connection = GroupConnection.objects.get(pk=item.object_id)
    sandbox.set_faults(connection_outcome="unable_to_connect")

    retry(operator_client, connection)
    sync_now("group_connections")

    item.refresh_from_db()
    assert GroupConnection.objects.get(pk=connection.pk).status == "processing"
    assert not item.is_open

    sandbox.advance(30 * 60)  # the carrier refuses it again
    run = sync_now("group_connections")

    assert AttentionItem.objects.filter(kind=Kind.CONNECTION_NEEDS_ACTION, object_id=connection.pk).count() == 1
    reopened = AttentionItem.objects.get(pk=item.pk)
    assert reopened.is_open
    assert reopened.first_detected_at == item.first_detected_at and reopened.opened_at > item.first_detected_at
    assert list(reopened.events.values_list("action", flat=True)) == ["opened", "closed", "reopened"]
    assert reopened.events.get(action="reopened").run_id == run.pk


def ghost_failed_request():
    """A failed request the mirror has and Noyo no longer lists."""
    return MemberRequest.objects.create(
        id=str(uuid.uuid4()), version="gone-upstream", status="failed", request_type="new_hire"
    )


def test_a_sync_that_stops_partway_closes_nothing_and_the_next_complete_one_closes_what_is_gone(sync_now, sandbox):
    sync_now("member_requests")
    open_before = set(AttentionItem.objects.open().values_list("pk", flat=True))
    assert open_before
    ghost = ghost_failed_request()
    # The first page answers, then Noyo is down for good: the list is not read to the end.
    sandbox.set_faults(path_contains="/member_requests", fail_next=["ok"], rate_503=1.0, retry_after=0)

    partial = sync_now("member_requests")

    assert partial.status == SyncRun.Status.FAILED
    assert partial.resources["member_requests"]["complete"] is False
    # Nothing closed; what the mirror holds still opens (the ghost was not marked removed: the list stopped).
    assert set(AttentionItem.objects.open().values_list("pk", flat=True)) >= open_before
    item = AttentionItem.objects.get(object_id=ghost.pk)
    assert item.is_open

    sandbox.set_faults()
    complete = sync_now("member_requests")

    item.refresh_from_db()
    assert MemberRequest.objects.get(pk=ghost.pk).is_removed_upstream
    assert not item.is_open and item.events.get(action="closed").run_id == complete.pk
    assert set(AttentionItem.objects.open().values_list("pk", flat=True)) == open_before


def test_a_family_whose_sync_keeps_failing_gets_an_item_that_closes_when_it_syncs_again(sync_now, sandbox, settings):
    settings.ATTENTION_SYNC_FAILURES = 3
    sandbox.set_faults(path_contains="/member_requests", rate_503=1.0, retry_after=0)
    for _ in range(2):
        assert sync_now("member_requests").status == SyncRun.Status.FAILED
    assert not open_items(Kind.SYNC_FAILING).exists()

    failed = sync_now("member_requests")

    item = open_items(Kind.SYNC_FAILING).get()
    assert item.object_id == "member_requests"
    assert item.summary.startswith("The member requests sync failed its last 3 attempts: Noyo did not answer (503)")
    assert item.events.get().run_id == failed.pk

    sandbox.set_faults()
    sync_now("member_requests")

    item.refresh_from_db()
    assert not item.is_open
