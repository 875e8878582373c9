"""Deriving attention items in bulk: each kind opens from its condition, refreshes while it lasts, closes when a
complete read no longer sees it, reopens with its history, and the statements do not grow with the rows."""

import datetime as dt

import pytest
from django.utils import timezone

from command_center import attention
from command_center.models import AttentionEvent, AttentionItem, SyncFamily
from command_center.sync.engine import Counts
from connections.models import Carrier, GroupConnection
from tests.factories import (
    make_carrier,
    make_connection,
    make_disconnection,
    make_group,
    make_renewal_decision,
    make_sync_run,
)
from tests.members.factories import make_difference, make_employee, make_fulfillment, make_member_request, make_snapshot

Kind = AttentionItem.Kind
pytestmark = pytest.mark.django_db


def an_old_time(days=30):
    return timezone.now() - dt.timedelta(days=days)


# Each kind: a record in the condition, and what the item must say about it.
def needs_action():
    return make_connection(
        status="unable_to_connect", setup_error="Group number not found at the carrier."
    ), "Unable to connect: Group number not found"


def stuck():
    return make_connection(
        status="waiting_on_carrier", status_changed_at=an_old_time()
    ), "Stuck in “Waiting on carrier” for more than 7 days"


def failed_request():
    return make_member_request(status="failed", request_type="new_hire"), "New hire request failed"


def invalid_fulfillment():
    snapshot = make_snapshot(status="processing")
    errors = [{"code": "invalid_ssn", "message": "Social security number is not valid.", "field": "ssn"}]
    return make_fulfillment(
        snapshot, status="invalid", errors=errors
    ), "Fulfillment invalid at the carrier: Social security number is not valid."


def difference():
    return make_difference(make_snapshot(status="completed")), "Field mismatch: dob"


def disconnection():
    return make_disconnection(
        make_group(), carrier=make_carrier(), effective_end_date=dt.date(2027, 3, 31)
    ), "Disconnection waiting for review (Broker of record); last day through Noyo 2027-03-31"


def renewal():
    return make_renewal_decision(
        make_group()
    ), "Renewal on 2027-01-01 is not ready: No plans found at the carrier for the renewal date."


KINDS = {
    Kind.CONNECTION_NEEDS_ACTION: needs_action,
    Kind.CONNECTION_STUCK: stuck,
    Kind.MEMBER_REQUEST_FAILED: failed_request,
    Kind.FULFILLMENT_INVALID: invalid_fulfillment,
    Kind.TRACKING_DIFFERENCE: difference,
    Kind.DISCONNECTION_REVIEW: disconnection,
    Kind.RENEWAL_NOT_READY: renewal,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_opens_one_item_about_its_record_with_its_carrier_group_and_employee(derive, kind):
    record, says = KINDS[kind]()

    derive(kind)

    item = AttentionItem.objects.get(kind=kind)
    assert (item.resource, item.object_id) == (record._meta.label_lower, record.pk)
    assert item.carrier_id == getattr(record, "carrier_id", None)
    assert item.group_id == getattr(record, "group_id", None)
    assert item.employee_id == getattr(record, "employee_id", None)
    assert item.summary.startswith(says)
    assert item.is_open and item.first_detected_at == item.last_detected_at == item.opened_at
    assert list(item.events.values_list("action", flat=True)) == ["opened"]


def test_an_invalid_fulfillment_without_errors_still_says_what_is_wrong(derive):
    make_fulfillment(make_snapshot(), status="invalid", errors=[])
    derive(Kind.FULFILLMENT_INVALID)
    assert (
        AttentionItem.objects.get().summary
        == "Fulfillment invalid at the carrier: a data problem stopped this carrier's part of the snapshot"
    )


def test_a_connection_without_a_setup_error_says_what_its_status_means_for_its_kind_of_carrier(derive):
    make_connection(status="carrier_authorization", setup_error="", carrier=make_carrier(kind="sync"))
    make_connection(status="carrier_authorization", setup_error="", carrier=make_carrier(kind="unknown"))
    derive(Kind.CONNECTION_NEEDS_ACTION)
    sync_item, unknown_item = _by_carrier_kind()
    assert sync_item.summary.startswith("Carrier authorization: Noyo cannot pull the group's data from the carrier")
    assert unknown_item.summary.startswith(
        "Carrier authorization: Noyo is getting the group's information from the carrier. If the carrier is a Sync carrier"
    )


def _by_carrier_kind():
    kinds = dict(Carrier.objects.values_list("pk", "kind"))
    items = {kinds[item.carrier_id]: item for item in AttentionItem.objects.all()}
    return items["sync"], items["unknown"]


def test_records_outside_the_condition_get_no_item(derive):
    make_connection(status="completed")
    make_connection(status="processing")  # in flight, but not for long
    make_connection(status="unable_to_connect", removed_upstream_at=timezone.now())  # gone at Noyo
    make_member_request(status="completed")
    make_difference(make_snapshot(), resolved=timezone.now())
    make_difference(make_snapshot(), is_dismissed=True)
    make_renewal_decision(make_group(), status="ready")

    derive()

    assert not AttentionItem.objects.exists()


def test_a_later_pass_refreshes_the_item_and_its_summary_without_a_second_item_or_event(derive):
    connection, _ = needs_action()
    first = timezone.now()
    derive(Kind.CONNECTION_NEEDS_ACTION, now=first)
    GroupConnection.objects.filter(pk=connection.pk).update(
        status="action_required", setup_error="Sign the carrier's form."
    )

    derive(Kind.CONNECTION_NEEDS_ACTION, now=first + dt.timedelta(minutes=5))

    item = AttentionItem.objects.get()
    assert item.first_detected_at == first
    assert item.last_detected_at == first + dt.timedelta(minutes=5)
    assert item.summary == "Action required: Sign the carrier's form."
    assert item.events.count() == 1


def test_a_group_or_employee_mirrored_after_the_item_opened_reaches_it_on_the_next_pass(derive):
    request = make_member_request(status="failed")
    group_id = request.group_id
    type(request).objects.filter(pk=request.pk).update(group=None)
    derive(Kind.MEMBER_REQUEST_FAILED)
    assert AttentionItem.objects.get().group_id is None
    type(request).objects.filter(pk=request.pk).update(group=group_id)

    derive(Kind.MEMBER_REQUEST_FAILED)

    assert AttentionItem.objects.get().group_id == group_id


def test_a_complete_pass_that_no_longer_sees_the_condition_closes_the_item_with_a_line_of_history(derive):
    connection, _ = needs_action()
    derive(Kind.CONNECTION_NEEDS_ACTION)
    GroupConnection.objects.filter(pk=connection.pk).update(status="processing")
    run = make_sync_run(kind="group_connections", status="running")
    later = timezone.now()

    derived = derive(Kind.CONNECTION_NEEDS_ACTION, now=later, run=run)

    item = AttentionItem.objects.get()
    assert item.closed_at == later and not item.is_open
    assert derived[Kind.CONNECTION_NEEDS_ACTION].closed == 1
    closed = item.events.get(action="closed")
    assert closed.run == run and closed.at == later
    assert closed.text == f"Closed by itself: the group connections sync (#{run.pk}) no longer saw it."


def test_an_incomplete_pass_closes_nothing_but_still_opens_what_it_sees(derive):
    gone, _ = needs_action()
    derive(Kind.CONNECTION_NEEDS_ACTION)
    GroupConnection.objects.filter(pk=gone.pk).update(status="completed")
    new, _ = needs_action()

    derive(Kind.CONNECTION_NEEDS_ACTION, complete=False)

    assert AttentionItem.objects.get(object_id=gone.pk).is_open
    assert AttentionItem.objects.get(object_id=new.pk).is_open


def test_a_condition_that_returns_reopens_the_same_item_with_its_history(derive, operator):
    connection, _ = needs_action()
    t0 = timezone.now()
    derive(Kind.CONNECTION_NEEDS_ACTION, now=t0)
    item = AttentionItem.objects.get()
    attention.acknowledge(item, operator)
    attention.assign(item, operator, operator)
    GroupConnection.objects.filter(pk=connection.pk).update(status="processing")
    derive(Kind.CONNECTION_NEEDS_ACTION, now=t0 + dt.timedelta(minutes=5))
    GroupConnection.objects.filter(pk=connection.pk).update(status="unable_to_connect")

    derive(Kind.CONNECTION_NEEDS_ACTION, now=t0 + dt.timedelta(minutes=10))

    item.refresh_from_db()
    assert AttentionItem.objects.count() == 1
    assert item.is_open and item.closed_at is None
    assert item.first_detected_at == t0
    assert item.opened_at == t0 + dt.timedelta(minutes=10)
    # A new occurrence wants a new look; whoever had it keeps it.
    assert item.acknowledged_at is None and item.assigned_to == operator
    assert list(item.events.values_list("action", flat=True)) == [
        "opened",
        "acknowledged",
        "assigned",
        "closed",
        "reopened",
    ]


def test_a_record_marked_removed_upstream_closes_its_item(derive):
    connection, _ = needs_action()
    derive(Kind.CONNECTION_NEEDS_ACTION)
    GroupConnection.objects.filter(pk=connection.pk).update(removed_upstream_at=timezone.now())

    derive(Kind.CONNECTION_NEEDS_ACTION)

    assert not AttentionItem.objects.get().is_open


def test_a_stuck_connection_opens_once_it_has_been_in_flight_longer_than_the_setting(derive, settings):
    settings.STUCK_AFTER_DAYS = 3
    connection = make_connection(status="processing", status_changed_at=an_old_time(days=2))
    derive(Kind.CONNECTION_STUCK)
    assert not AttentionItem.objects.exists()

    derive(Kind.CONNECTION_STUCK, now=timezone.now())
    GroupConnection.objects.filter(pk=connection.pk).update(status_changed_at=an_old_time(days=4))
    derive(Kind.CONNECTION_STUCK)

    item = AttentionItem.objects.get()
    assert item.summary == "Stuck in “Processing” for more than 3 days"


# --- A family whose sync keeps failing ---------------------------------------------------------


def failed_runs(family, n, status="failed"):
    for _ in range(n):
        make_sync_run(
            kind=family, status=status, families={family: {"status": status, "message": "Noyo did not answer (503)."}}
        )


def test_a_family_whose_last_attempts_all_failed_gets_one_item_that_closes_when_it_succeeds(derive, settings):
    settings.ATTENTION_SYNC_FAILURES = 3
    SyncFamily.objects.filter(family="member_requests").update(
        last_outcome="failed", last_message="Noyo did not answer (503)."
    )
    failed_runs("member_requests", 2)
    derive(Kind.SYNC_FAILING)
    assert not AttentionItem.objects.exists()  # twice is bad luck

    failed_runs("member_requests", 1)
    derive(Kind.SYNC_FAILING)

    item = AttentionItem.objects.get()
    assert (item.resource, item.object_id) == ("command_center.syncfamily", "member_requests")
    assert item.summary == "The member requests sync failed its last 3 attempts: Noyo did not answer (503)."
    assert attention.attach_links([item])[0].url == "/syncs/?kind=member_requests"

    failed_runs("member_requests", 1, status="succeeded")
    derive(Kind.SYNC_FAILING)

    item.refresh_from_db()
    assert not item.is_open


# --- Cost ----------------------------------------------------------------------------------------


def connections_in_every_state(n):
    carrier, group = make_carrier(), make_group()
    now = timezone.now()
    rows = []
    for i in range(n):
        status = ("unable_to_connect", "action_required", "carrier_authorization", "waiting_on_carrier")[i % 4]
        rows.append(
            GroupConnection(
                id=f"00000000-0000-4000-8000-{i:012d}",
                version="v1",
                group=group,
                carrier=carrier,
                status=status,
                status_changed_at=now - dt.timedelta(days=30),
                group_name=f"Group {i}",
            )
        )
    GroupConnection.objects.bulk_create(rows)


@pytest.mark.parametrize("rows", [10, 200])
def test_the_statements_of_a_pass_do_not_grow_with_the_rows(derive, django_assert_max_num_queries, rows):
    connections_in_every_state(rows)
    # Open everything; then half the conditions clear and the next pass closes them.
    with django_assert_max_num_queries(18):  # nine statements a kind
        derive(Kind.CONNECTION_NEEDS_ACTION, Kind.CONNECTION_STUCK)
    assert AttentionItem.objects.count() == rows
    GroupConnection.objects.filter(status__in=["action_required", "waiting_on_carrier"]).update(status="completed")

    with django_assert_max_num_queries(18):
        derive(Kind.CONNECTION_NEEDS_ACTION, Kind.CONNECTION_STUCK)

    assert AttentionItem.objects.open().count() == rows // 2
    assert AttentionEvent.objects.filter(action="closed").count() == rows // 2


def test_derive_after_family_closes_only_for_resources_read_to_the_end(operator):
    connection, _ = needs_action()
    employee = make_employee()
    request = make_member_request(employee, status="failed")
    attention.derive_after_family("group_connections", {"group_connections": Counts(complete=True)})
    attention.derive_after_family("member_requests", {"member_requests": Counts(complete=True)})
    GroupConnection.objects.filter(pk=connection.pk).update(status="completed")
    type(request).objects.filter(pk=request.pk).update(status="completed")

    attention.derive_after_family("group_connections", {"group_connections": Counts(complete=True)})
    attention.derive_after_family("member_requests", {"member_requests": Counts(complete=False)})

    assert not AttentionItem.objects.get(kind=Kind.CONNECTION_NEEDS_ACTION).is_open
    assert AttentionItem.objects.get(kind=Kind.MEMBER_REQUEST_FAILED).is_open
