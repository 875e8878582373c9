"""The sync schedules as django-celery-beat rows, and one lock row per resource family.

Beat reads PeriodicTask from the database (DatabaseScheduler), so staff change a
schedule in the admin (Periodic tasks) without a deploy. This migration only creates
rows that are missing: a schedule staff have edited is never overwritten.
"""

from django.db import migrations
from django.utils import timezone

FAMILIES = ("groups", "group_connections", "employees", "snapshots", "member_requests")

# (name, task, every, period, description)
SCHEDULES = (
    ("Sync group connections", "command_center.sync_group_connections", 5, "minutes",
     "Group connections change status often and ops watch them: every 5 minutes."),
    ("Sync groups", "command_center.sync_groups", 1, "hours", "Groups, their contacts, enrollments, plans, disconnections, renewals."),
    ("Sync employees", "command_center.sync_employees", 1, "hours", "Employees, dependents, individual enrollments, premiums."),
    ("Sync member snapshots", "command_center.sync_snapshots", 30, "minutes", "Member snapshots, fulfillment summaries, differences."),
    ("Sync member requests", "command_center.sync_member_requests", 1, "hours", "Legacy member requests and transactions."),
    ("Reap stale syncs", "command_center.reap_stale_syncs", 1, "minutes", "Marks runs whose worker died as failed."),
    ("Prune old sync runs", "command_center.prune_sync_runs", 1, "days", "Deletes sync runs older than 30 days."),
)


def create(apps, schema_editor):
    SyncLock = apps.get_model("command_center", "SyncLock")
    for family in FAMILIES:
        SyncLock.objects.get_or_create(family=family)

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, every, period, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        every, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.create(name=name, task=task, interval=every, description=description, enabled=True)
    # Tell a running beat that the schedule changed (what PeriodicTask.save() does outside migrations).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("command_center", "0004_synclock"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
