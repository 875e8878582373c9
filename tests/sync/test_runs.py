"""Runs are rows first: claiming a family, skipping a second trigger, reaping dead runs."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from command_center.models import SyncFamily, SyncRun
from command_center.sync import runs
from command_center.sync.tasks import reap_stale_syncs, sync_group_connections


def test_starting_a_sync_creates_a_queued_run_and_claims_its_family(db):
    run = runs.start_sync("groups", SyncRun.Trigger.COMMAND, enqueue=False)

    assert run.status == SyncRun.Status.QUEUED
    assert SyncFamily.objects.get(family="groups").run == run
    assert SyncFamily.objects.filter(run=None).count() == len(runs.FAMILIES) - 1


def test_a_second_trigger_for_a_busy_family_is_skipped_and_says_why(db):
    first = runs.start_sync("group_connections", SyncRun.Trigger.SCHEDULE, enqueue=False)
    SyncRun.objects.filter(pk=first.pk).update(status=SyncRun.Status.RUNNING)

    second = runs.start_sync("group_connections", SyncRun.Trigger.USER, enqueue=False)

    assert second.status == SyncRun.Status.SKIPPED
    assert second.message == f"A group connections sync (#{first.pk}) is already running."
    assert second.finished_at is not None


def test_a_full_sync_waits_for_no_family_and_blocks_every_family(db):
    full = runs.start_sync(runs.FULL, SyncRun.Trigger.SCHEDULE, enqueue=False)

    blocked = runs.start_sync("employees", SyncRun.Trigger.USER, enqueue=False)
    assert blocked.status == SyncRun.Status.SKIPPED
    assert blocked.message == f"A full sync (#{full.pk}) is already queued."


def test_a_full_sync_is_skipped_when_one_family_is_busy_and_claims_nothing(db):
    busy = runs.start_sync("snapshots", SyncRun.Trigger.SCHEDULE, enqueue=False)

    full = runs.start_sync(runs.FULL, SyncRun.Trigger.USER, enqueue=False)

    assert full.status == SyncRun.Status.SKIPPED
    assert set(SyncFamily.objects.exclude(run=None).values_list("family", flat=True)) == {"snapshots"}
    assert f"#{busy.pk}" in full.message


def test_the_claim_is_released_when_the_run_ends(sync_now):
    run = sync_now("group_connections")
    assert run.status == SyncRun.Status.SUCCEEDED
    assert not SyncFamily.objects.exclude(run=None).exists()
    assert runs.start_sync("group_connections", SyncRun.Trigger.USER, enqueue=False).status == SyncRun.Status.QUEUED


def test_a_run_is_not_run_twice(sync_now):
    run = sync_now("group_connections")
    again = runs.execute(run.pk)
    assert again.status == SyncRun.Status.SUCCEEDED
    assert again.finished_at == run.finished_at


def test_a_scheduled_task_creates_its_own_run(noyo_settings, db):
    run_id = sync_group_connections()

    run = SyncRun.objects.get(pk=run_id)
    assert (run.kind, run.trigger, run.status) == ("group_connections", "schedule", "succeeded")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_triggers_never_both_run():
    runs.ensure_families()
    barrier = threading.Barrier(4)
    results = []

    def trigger():
        barrier.wait()
        try:
            results.append(runs.start_sync("groups", SyncRun.Trigger.USER, enqueue=False).status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=trigger) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["queued", "skipped", "skipped", "skipped"]


def test_a_run_whose_heartbeat_stopped_is_reaped_as_failed(db):
    stale = runs.start_sync("employees", SyncRun.Trigger.SCHEDULE, enqueue=False)
    alive = runs.start_sync("groups", SyncRun.Trigger.SCHEDULE, enqueue=False)
    long_ago = timezone.now() - timedelta(minutes=10)
    SyncRun.objects.filter(pk=stale.pk).update(
        status=SyncRun.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    SyncRun.objects.filter(pk=alive.pk).update(
        status=SyncRun.Status.RUNNING, started_at=long_ago, heartbeat_at=timezone.now()
    )

    assert reap_stale_syncs() == 1

    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == SyncRun.Status.FAILED
    assert stale.message == "The worker stopped while this sync was running."
    assert stale.finished_at is not None
    assert alive.status == SyncRun.Status.RUNNING
    assert SyncFamily.objects.get(family="employees").run is None
    assert SyncFamily.objects.get(family="groups").run_id == alive.pk


def test_a_queued_run_no_worker_picked_up_is_abandoned_after_an_hour(db):
    run = runs.start_sync("snapshots", SyncRun.Trigger.SCHEDULE, enqueue=False)
    SyncRun.objects.filter(pk=run.pk).update(created=timezone.now() - timedelta(hours=2))

    runs.reap_stale_runs()

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and "No worker picked this sync up" in run.message
    assert SyncFamily.objects.get(family="snapshots").run is None


def test_an_unexpected_error_fails_the_run_with_its_traceback(sync_now, monkeypatch):
    monkeypatch.setitem(runs.FAMILIES, "group_connections", ("group connections", "tests.sync.test_runs:explode"))

    run = sync_now("group_connections")

    assert run.status == SyncRun.Status.FAILED
    assert run.message.startswith("The sync stopped on an unexpected error (RuntimeError: the disk is full)")
    assert "Traceback" in run.error and "the disk is full" in run.error
    assert not SyncFamily.objects.exclude(run=None).exists()


def explode(job):
    """A family that fails the way a bug or a database error would."""
    raise RuntimeError("the disk is full")


def test_a_trigger_that_finds_its_family_held_by_a_dead_run_fails_it_and_proceeds(db):
    # No worker is alive to run the reaper: the next trigger itself must not be blocked.
    dead = runs.start_sync("group_connections", SyncRun.Trigger.SCHEDULE, enqueue=False)
    long_ago = timezone.now() - timedelta(minutes=7)
    SyncRun.objects.filter(pk=dead.pk).update(status=SyncRun.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago)

    fresh = runs.start_sync("group_connections", SyncRun.Trigger.USER, enqueue=False)

    dead.refresh_from_db()
    assert fresh.status == SyncRun.Status.QUEUED
    assert (dead.status, dead.message) == (SyncRun.Status.FAILED, "The worker stopped while this sync was running.")
    family = SyncFamily.objects.get(family="group_connections")
    assert family.run_id == fresh.pk
    assert (family.last_outcome, family.last_attempt_run_id) == (SyncRun.Status.FAILED, dead.pk)


def test_a_trigger_still_waits_for_a_run_whose_heartbeat_is_recent(db):
    alive = runs.start_sync("group_connections", SyncRun.Trigger.SCHEDULE, enqueue=False)
    SyncRun.objects.filter(pk=alive.pk).update(
        status=SyncRun.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=30)
    )

    second = runs.start_sync("group_connections", SyncRun.Trigger.USER, enqueue=False)

    assert second.status == SyncRun.Status.SKIPPED
    assert SyncRun.objects.get(pk=alive.pk).status == SyncRun.Status.RUNNING


def test_the_busy_message_reads_as_plain_english(db):
    first = runs.start_sync("employees", SyncRun.Trigger.SCHEDULE, enqueue=False)
    second = runs.start_sync("employees", SyncRun.Trigger.USER, enqueue=False)
    assert second.message == f"An employees sync (#{first.pk}) is already queued."
