"""Noyo misbehaving during a sync: the mirror ends as a clean run would, plus recorded failed records."""

import uuid

import pytest

from command_center.models import SyncFailure, SyncRun
from connections.models import GroupConnection
from members.models import MemberTransaction
from tests.sync.test_sync_full import EVERY_MODEL

TRANSPORT_FAULTS = {
    "429s": {"rate_429": 0.1, "retry_after": 0},
    "500s": {"rate_500": 0.1},
    "503s": {"rate_503": 0.1, "retry_after": 0},
    "dropped connections": {"drop_rate": 0.1},
    # After 100 requests, not seconds: no race with a busy machine. Not fewer: a call refused once retries with the
    # token fetched for every call refused with it, and the dozen calls in flight meanwhile could use up a token of
    # 20 uses before that retry is sent (1 run in 3 failed). Noyo's own tokens expire by time.
    "tokens expiring early": {"token_uses": 100},
}


def fingerprint():
    return {
        model.__name__: set(model.objects.values_list("pk", "version", "removed_upstream_at")) for model in EVERY_MODEL
    }


@pytest.mark.parametrize("faults", TRANSPORT_FAULTS.values(), ids=TRANSPORT_FAULTS.keys())
def test_a_sync_through_transient_faults_ends_with_the_same_mirror_as_a_clean_run(sync_now, sandbox, faults):
    sandbox.set_faults(seed=3, **faults)
    run = sync_now()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    if "token_uses" in faults:
        assert any(request["status"] == 401 for request in sandbox.requests())
    else:
        assert any(request["fault"] for request in sandbox.requests())

    sandbox.set_faults()
    clean = sync_now()

    assert (clean.totals["created"], clean.totals["updated"], clean.totals["removed"]) == (0, 0, 0)


def test_malformed_records_are_recorded_as_failures_and_the_rest_is_mirrored(sync_now, sandbox):
    sandbox.set_faults(malformed_rate=0.05, malformed_mode="bad_date")
    run = sync_now()

    assert run.status == SyncRun.Status.PARTIAL
    failures = SyncFailure.objects.filter(run=run)
    assert failures.count() == run.totals["failed"] > 0
    failure = failures.first()
    assert failure.noyo_id and failure.payload["id"] == failure.noyo_id
    assert failure.reason.startswith("It") and failure.reason.endswith(".")
    assert "could not be read" in run.message

    # Once Noyo serves them whole, a resync mirrors them, and the result is what a clean sync gives.
    sandbox.set_faults()
    sync_now()
    healed = fingerprint()
    for model in EVERY_MODEL:
        model.objects.all().delete()
    sync_now()
    assert fingerprint().keys() == healed.keys()
    assert {k: {(pk, version) for pk, version, _ in v} for k, v in fingerprint().items()} == {
        k: {(pk, version) for pk, version, _ in v} for k, v in healed.items()
    }


def test_records_missing_a_status_version_or_created_time_are_mirrored_not_failed(sync_now, sandbox):
    sandbox.set_faults(malformed_rate=0.2, malformed_mode="missing_field")
    run = sync_now("group_connections")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.totals["failed"] == 0
    assert GroupConnection.objects.count() == sandbox.data.counts()["group_connections"]
    assert GroupConnection.objects.filter(status="").exists()  # the sandbox drops the first of status, version, created


def test_an_unknown_status_is_stored_as_it_came_not_dropped(sync_now, sandbox):
    sandbox.set_faults(malformed_rate=0.2, malformed_mode="unknown_enum")
    run = sync_now("group_connections")

    assert run.status == SyncRun.Status.SUCCEEDED
    odd = GroupConnection.objects.filter(status="retired_by_carrier")
    assert odd.exists()
    assert not odd.first().status_is_known
    assert odd.first().status_label == "retired_by_carrier"


def test_a_run_interrupted_by_an_outage_ends_failed_and_marks_nothing_removed(sync_now, sandbox):
    sync_now("member_requests")
    ghost = MemberTransaction.objects.create(id=str(uuid.uuid4()), version="gone-upstream", status="processing")
    # The first page answers, then Noyo is down for good.
    sandbox.set_faults(path_contains="/member_transactions", fail_next=["ok"], rate_503=1.0, retry_after=0)

    run = sync_now("member_requests")

    assert run.status == SyncRun.Status.FAILED
    assert run.message.startswith("Noyo did not answer (503) after 8 attempts; ")
    assert "100 of 533 member transactions were mirrored" in run.message
    assert run.message.endswith("nothing was marked removed.")
    assert run.resources["member_transactions"]["complete"] is False
    ghost.refresh_from_db()
    assert ghost.removed_upstream_at is None
    assert run.error == ""


def test_a_record_gone_from_a_list_read_to_the_end_is_marked_removed_and_cleared_when_it_returns(sync_now, sandbox):
    sync_now("group_connections")
    ghost = GroupConnection.objects.create(id=str(uuid.uuid4()), version="v1", status="completed")
    real = GroupConnection.objects.exclude(pk=ghost.pk).first()
    GroupConnection.objects.filter(pk=real.pk).update(removed_upstream_at="2024-01-01T00:00:00Z")

    run = sync_now("group_connections")

    assert run.resources["group_connections"]["removed"] == 1
    ghost.refresh_from_db()
    real.refresh_from_db()
    assert ghost.removed_upstream_at is not None
    assert real.removed_upstream_at is None
    assert GroupConnection.objects.count() == sandbox.data.counts()["group_connections"] + 1
