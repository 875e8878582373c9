"""The mirror engine on its own: batches, skipping unchanged rows, failures, removals."""

import uuid

import pytest

from command_center.models import StatusChange, SyncFailure, SyncRun
from command_center.sync.engine import Malformed, Mirror, Progress, write_one
from connections.models import GroupConnection
from connections.sync import GROUP_CONNECTIONS, mirror_group_connection
from tests.sync.conftest import mirror_writes

CARRIER = "d5792730-663e-4e24-a4ff-ca68c35f748f"

pytestmark = pytest.mark.django_db


def connection(**overrides):
    body = {
        "id": str(uuid.uuid4()),
        "version": str(uuid.uuid4()),
        "created": 1_700_000_000,
        "modified": 1_700_000_600,
        "carrier_id": CARRIER,
        "status": "processing",
        "request_type": "initial",
        "group_data": {"carrier_group_id": "NW123456", "group_name": "Acme Inc"},
        "setup_result": {},
    }
    return {**body, **overrides}


def mirror_all(payloads, complete=True, batch_size=3):
    run = SyncRun.objects.create(kind="group_connections", trigger="command", status="running")
    mirror = Mirror(GROUP_CONNECTIONS, run=run, progress=Progress(run), batch_size=batch_size)
    mirror.add_many(payloads)
    counts = mirror.finish(complete=complete)
    return run, counts


def test_it_writes_new_rows_in_batches_and_counts_them():
    payloads = [connection() for _ in range(7)]
    run, counts = mirror_all(payloads)

    assert GroupConnection.objects.count() == 7
    assert (counts.fetched, counts.created, counts.updated, counts.unchanged) == (7, 7, 0, 0)
    run.refresh_from_db()
    assert run.resources["group_connections"]["created"] == 7
    assert run.resources["group_connections"]["done"] is True


def test_unchanged_versions_cost_no_write(capture_writes):
    payloads = [connection() for _ in range(5)]
    mirror_all(payloads)

    with capture_writes() as captured:
        _, counts = mirror_all(payloads)

    assert mirror_writes(captured.captured_queries) == []
    assert (counts.unchanged, counts.created, counts.updated) == (5, 0, 0)


def test_a_changed_version_is_updated_with_its_status_change():
    first = connection()
    mirror_all([first])
    _, counts = mirror_all([{**first, "version": "v2", "status": "completed", "modified": 1_700_100_000}])

    row = GroupConnection.objects.get()
    assert counts.updated == 1
    assert (row.status, row.version) == ("completed", "v2")
    assert [(c.old_status, c.new_status) for c in StatusChange.objects.for_object(row)] == [
        ("", "processing"),
        ("processing", "completed"),
    ]


def test_a_changed_version_with_the_same_status_keeps_when_the_status_began():
    first = connection()
    mirror_all([first])
    began = GroupConnection.objects.get().status_changed_at
    mirror_all([{**first, "version": "v2", "modified": 1_700_200_000}])
    assert GroupConnection.objects.get().status_changed_at == began
    assert StatusChange.objects.count() == 1


def test_a_malformed_record_is_a_failure_and_the_rest_go_on():
    good = [connection() for _ in range(4)]
    bad = connection(created="yesterday")
    run, counts = mirror_all([good[0], bad, *good[1:], "not even an object"])

    assert GroupConnection.objects.count() == 4
    assert counts.failed == 2
    reasons = sorted(SyncFailure.objects.filter(run=run).values_list("reason", flat=True))
    assert "Its created 'yesterday' is not a time (epoch seconds)." in reasons
    assert "The record is not a JSON object but str." in reasons
    failure = SyncFailure.objects.get(noyo_id=bad["id"])
    assert failure.payload == bad


def test_a_value_too_long_for_its_column_is_a_failure_not_a_crash():
    run, counts = mirror_all([connection(group_data={"carrier_group_id": "9" * 500})])
    assert counts.failed == 1 and not GroupConnection.objects.exists()
    assert "at most 200 fit" in SyncFailure.objects.get(run=run).reason


def test_the_same_record_twice_in_a_batch_is_written_once():
    body = connection()
    _, counts = mirror_all([body, {**body, "version": "later", "status": "completed"}], batch_size=10)
    assert GroupConnection.objects.get().status == "completed"
    assert counts.created == 1


def test_rows_not_seen_are_marked_removed_only_when_the_list_was_read_to_the_end():
    kept, gone = connection(), connection()
    mirror_all([kept, gone])

    _, partial = mirror_all([kept], complete=False)
    assert partial.removed == 0 and not GroupConnection.objects.removed().exists()

    _, counts = mirror_all([kept], complete=True)
    assert counts.removed == 1
    assert GroupConnection.objects.removed().get().pk == gone["id"]

    _, back = mirror_all([kept, gone])
    assert back.updated == 1 and not GroupConnection.objects.removed().exists()


def test_write_one_returns_the_saved_row_and_refuses_a_malformed_payload():
    row = write_one(GROUP_CONNECTIONS, connection(status="unable_to_connect", setup_result={"error": "Bad number"}))
    assert row.setup_error == "Bad number"
    with pytest.raises(Malformed, match="not a Noyo id"):
        mirror_group_connection(connection(id="nope"))


def test_a_record_without_version_or_times_is_mirrored_and_a_resync_writes_nothing(capture_writes):
    # The member requests guide's example records carry no version, created nor modified.
    bare = connection()
    for key in ("version", "created", "modified"):
        del bare[key]
    run, counts = mirror_all([bare])

    row = GroupConnection.objects.get()
    assert (counts.created, counts.failed) == (1, 0)
    assert row.version and row.created is None and row.modified is None
    assert not SyncFailure.objects.filter(run=run).exists()

    with capture_writes() as captured:
        _, again = mirror_all([bare])
    assert mirror_writes(captured.captured_queries) == []
    assert again.unchanged == 1

    _, changed = mirror_all([{**bare, "status": "completed"}])
    assert changed.updated == 1 and GroupConnection.objects.get().status == "completed"


def test_new_rows_go_straight_into_the_table_and_their_writes_are_seen(capture_writes):
    with capture_writes() as captured:
        _, counts = mirror_all([connection() for _ in range(3)])

    writes = mirror_writes(captured.captured_queries)
    assert counts.created == 3
    assert [w for w in writes if '"connections_groupconnection"' in w]  # COPY on Postgres, INSERT on SQLite
    assert StatusChange.objects.filter(resource="connections.groupconnection", old_status="").count() == 3


def test_a_row_written_meanwhile_by_someone_else_is_merged_not_lost():
    """The batch read found no row, then (a webhook, another chunk) wrote it before the batch did."""
    payload = connection(status="processing")
    mirror_group_connection(payload)
    newer = {**payload, "version": str(uuid.uuid4()), "status": "unable_to_connect"}
    mirror = Mirror(GROUP_CONNECTIONS, run=None, batch_size=10)
    rows, failures = mirror.map_batch([(newer, None)])

    mirror.write_rows(rows, failures, existing={}, asked=set(rows))

    row = GroupConnection.objects.get(pk=payload["id"])
    assert (row.status, row.version, row.raw) == ("unable_to_connect", newer["version"], newer)
    assert mirror.last_failures == []
    assert GroupConnection.objects.count() == 1


def test_the_raw_payload_is_stored_as_it_came_and_shown_masked():
    payload = connection(
        group_data={"carrier_group_id": "NW1", "group_name": "Café Ünïcode ☕", "ssn": "123-45-6789"},
        big=2**70,
        ratio=0.1,
        nested=[{"a": None, "b": True}],
    )
    mirror_all([payload])

    row = GroupConnection.objects.get(pk=payload["id"])
    assert row.raw == payload
    assert row.raw_masked["group_data"]["ssn"] == "•••-••-6789"
    assert row.group_name == "Café Ünïcode ☕"
