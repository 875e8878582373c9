from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from command_center.models import SyncRun
from command_center.sync import runs


class Command(BaseCommand):
    help = "Prepare a demo run: demo logins, the sandbox's carriers, a first sync queued. Used by `make run`."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        self.stdout.write("\nDemo logins:")
        call_command("create_demo_users", stdout=self.stdout)
        call_command("seed_carriers", stdout=self.stdout)
        # The worker picks it up once honcho has started it; the task waits for the sandbox to listen.
        # No worker runs yet: a run still "running" was cut off when the last demo stopped (Ctrl-C).
        runs.reap_stale_runs(now=timezone.now() + runs.STALE_AFTER)
        run = runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND)
        if run.status == SyncRun.Status.SKIPPED:
            self.stdout.write(f"First sync not queued: {run.message}")
        else:
            self.stdout.write(f"A first full sync (#{run.pk}) is queued; watch it at {url}syncs/{run.pk}/")
        if settings.METRICS_TOKEN:
            self.stdout.write(
                f"Prometheus metrics: curl -H 'Authorization: Bearer {settings.METRICS_TOKEN}' {url}metrics"
            )
        self.stdout.write(self.style.SUCCESS(f"\nCommand Center is starting at {url}  (Ctrl-C stops everything)\n"))
