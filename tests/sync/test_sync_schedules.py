"""Celery beat schedules live in the database (django-celery-beat), created by a migration, editable in the admin."""

from django_celery_beat.models import PeriodicTask

from command_center.celery import app
from command_center.sync.tasks import TASKS


def test_the_migration_schedules_every_family_and_the_reaper(db):
    schedules = {task.task: task.interval for task in PeriodicTask.objects.select_related("interval")}

    assert (
        schedules["command_center.sync_group_connections"].every,
        schedules["command_center.sync_group_connections"].period,
    ) == (5, "minutes")
    assert schedules["command_center.reap_stale_syncs"].every == 1
    for name in ("sync_groups", "sync_employees", "sync_member_requests"):
        assert (schedules[f"command_center.{name}"].every, schedules[f"command_center.{name}"].period) == (1, "hours")
    assert (schedules["command_center.sync_snapshots"].every, schedules["command_center.sync_snapshots"].period) == (
        30,
        "minutes",
    )
    assert all(task.enabled for task in PeriodicTask.objects.all())


def test_every_scheduled_task_is_a_registered_celery_task(db):
    app.loader.import_default_modules()
    for task in PeriodicTask.objects.exclude(task="celery.backend_cleanup"):
        assert task.task in app.tasks, task.task


def test_there_is_one_task_per_family_and_one_for_the_full_sync():
    assert set(TASKS) == {"full", "groups", "group_connections", "employees", "snapshots", "member_requests"}


def test_prune_deletes_old_runs_but_keeps_the_latest_success_of_each_kind(db):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from command_center.models import SyncFailure, SyncRun

    long_ago = timezone.now() - timedelta(days=90)
    latest = SyncRun.objects.create(kind="groups", trigger="schedule", status="succeeded", finished_at=long_ago)
    older = SyncRun.objects.create(
        kind="groups", trigger="schedule", status="partial", finished_at=long_ago - timedelta(hours=1)
    )
    SyncFailure.objects.create(run=older, resource="groups", reason="x")
    recent = SyncRun.objects.create(kind="employees", trigger="schedule", status="failed", finished_at=timezone.now())
    SyncRun.objects.filter(pk__in=[latest.pk, older.pk]).update(created=long_ago)

    call_command("prune_sync_runs", "--days", "30")

    assert set(SyncRun.objects.values_list("pk", flat=True)) == {latest.pk, recent.pk}
    assert not SyncFailure.objects.exists()
