"""python manage.py noyo_sync [--resources groups group_connections ...] [--queue]

Runs the same sync as the schedule, in the foreground, and prints its summary: per-resource
counts, API calls, duration and failed records. For cron, debugging and the benchmark.
``--queue`` hands it to the Celery worker instead (``make run`` does this).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from command_center.models import SyncRun
from command_center.sync import runs
from command_center.sync.families import ordered, resource_label

COLUMNS = ("fetched", "created", "updated", "unchanged", "removed", "failed")
SHOWN_FAILURES = 20


class Command(BaseCommand):
    help = "Mirror Noyo into the database now and print what changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--resources",
            nargs="+",
            metavar="FAMILY",
            help=f"Resource families to sync (default: all). One or more of: {', '.join(runs.FAMILIES)}; or 'full'.",
        )
        parser.add_argument(
            "--queue", action="store_true", help="Queue the sync for the Celery worker instead of running it here."
        )

    def handle(self, *args, resources=None, queue=False, **options):
        kinds = self.kinds(resources)
        failed = []
        for kind in kinds:
            if queue:
                run = runs.start_sync(kind, SyncRun.Trigger.COMMAND)
                self.report_queued(run)
                continue
            run = runs.start_sync(kind, SyncRun.Trigger.COMMAND, enqueue=False)
            if run.status == SyncRun.Status.SKIPPED:
                self.stderr.write(self.style.WARNING(f"Skipped: {run.message}"))
                continue
            started = time.monotonic()
            run = runs.execute(run.pk)
            self.report(run, time.monotonic() - started)
            if run.status == SyncRun.Status.FAILED:
                failed.append(run)
        if failed:
            raise CommandError("; ".join(f"sync #{run.pk} failed: {run.message}" for run in failed))

    def kinds(self, resources) -> list[str]:
        if not resources or runs.FULL in resources or "all" in resources:
            return [runs.FULL]
        unknown = [name for name in resources if name not in runs.FAMILIES]
        if unknown:
            raise CommandError(
                f"Unknown resource family: {', '.join(unknown)}. Choose from: {', '.join(runs.FAMILIES)} (or full)."
            )
        if set(resources) == set(runs.FAMILIES):
            return [runs.FULL]
        return [family for family in runs.FAMILIES if family in resources]

    def report_queued(self, run: SyncRun) -> None:
        if run.status == SyncRun.Status.SKIPPED:
            self.stderr.write(self.style.WARNING(f"Not queued: {run.message}"))
        else:
            self.stdout.write(f"Queued {runs.kind_label(run.kind)} sync #{run.pk}; the worker will run it.")

    def report(self, run: SyncRun, seconds: float) -> None:
        write = self.stdout.write
        style = self.style.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else self.style.WARNING
        if run.status == SyncRun.Status.FAILED:
            style = self.style.ERROR
        write(
            style(
                f"{runs.kind_label(run.kind).capitalize()} sync #{run.pk}: {run.get_status_display().lower()} "
                f"in {seconds:.1f} s, {run.api_calls:,} API calls"
            )
        )
        width = max([len(resource_label(key)) for key in run.resources] + [8])
        write("  " + "resource".ljust(width) + "".join(name.rjust(11) for name in COLUMNS))
        for key, counts in ordered(run.resources):
            cells = "".join(f"{int(counts.get(name) or 0):>11,}" for name in COLUMNS)
            note = "" if counts.get("complete", True) else "  (incomplete: nothing marked removed)"
            if counts.get("unavailable"):
                note = "  (not offered: nothing marked removed)"
            write("  " + resource_label(key).ljust(width) + cells + note)
        totals = run.totals
        write("  " + "total".ljust(width) + "".join(f"{totals[name]:>11,}" for name in COLUMNS))
        if seconds and totals["fetched"]:
            write(f"  {totals['fetched'] / seconds:,.0f} records/s")
        write(run.message)
        if len(run.families or {}) > 1:
            for family, outcome in run.families.items():
                write(f"  {runs.kind_label(family)}: {outcome['status']}")
        absorbed = {
            key: value for key, value in (run.absorbed or {}).items() if value and key not in ("calls", "statuses")
        }
        if absorbed:
            write("  absorbed: " + ", ".join(f"{key.replace('_', ' ')} {value:,}" for key, value in absorbed.items()))
        failures = list(run.failures.order_by("id")[:SHOWN_FAILURES])
        if failures:
            write(f"Failed records ({run.failures.count():,}):")
            for failure in failures:
                write(f"  {failure.resource} {failure.noyo_id or '(no id)'}: {failure.reason}")
        if run.error:
            self.stderr.write(run.error)
