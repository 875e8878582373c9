"""python manage.py prune_sync_runs [--days 30]: retention for sync runs and their failed records.

Group connections alone sync every 5 minutes (288 runs a day). Runs older than ``--days``
are deleted with their failed records; the status history they produced stays (its ``run``
becomes empty). The latest successful run of each kind is always kept, so /healthz and
the Syncs page still know when the mirror was last fresh.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from command_center.models import SyncRun


def prune(days: int) -> int:
    cutoff = timezone.now() - timedelta(days=days)
    keep = [
        pk
        for pk in (
            SyncRun.objects.filter(kind=kind, status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL])
            .order_by("-finished_at")
            .values_list("pk", flat=True)
            .first()
            for kind in SyncRun.objects.values_list("kind", flat=True).distinct()
        )
        if pk is not None
    ]
    old = SyncRun.objects.filter(created__lt=cutoff).exclude(status__in=SyncRun.ACTIVE_STATUSES).exclude(pk__in=keep)
    deleted, _ = old.delete()
    return deleted


class Command(BaseCommand):
    help = (
        "Delete sync runs (and their failed records) older than --days, keeping the latest successful run of each kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = prune(days)
        self.stdout.write(f"Deleted {deleted:,} rows (sync runs older than {days} days and their failed records).")
