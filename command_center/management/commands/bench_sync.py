"""python manage.py bench_sync [--scale large] [--database-url postgres://…/cc_bench]

Measures the sync end to end against a sandbox of its own (started in a separate process,
so it does not share this process's interpreter lock):

1. a first full sync into empty mirror tables: records per second;
2. a no-change resync (the sandbox clock is frozen): records per second, and the rows it
   wrote, counted by the database (``pg_stat_user_tables`` inserts + updates + deletes on
   the mirror tables) on Postgres, by the engine's counters elsewhere;
3. API calls made against the minimum (ceil(N/100) per list, one call per parent list);
4. peak memory of this process (``ru_maxrss``).

It EMPTIES the mirror tables of the database it runs on: give it a database of its own
(``--database-url``), or ``--force`` to use the configured one.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from command_center.models import StatusChange, SyncFailure, SyncFamily, SyncRun
from command_center.sync import runs
from command_center.sync.engine import RESOURCES
from command_center.sync.families import ordered

SANDBOX_START = "2026-11-01T00:00:00+00:00"
TARGET_RATE = 5000
TARGET_MEMORY_MB = 300
# Tables whose writes count as "rows written by the resync" (not the run's own bookkeeping).
MIRROR_TABLE_PREFIXES = ("connections_", "members_")
MIRROR_EXTRA_TABLES = ("command_center_statuschange", "command_center_syncfailure")


class Command(BaseCommand):
    help = "Benchmark a first full sync and a no-change resync against a sandbox (empties the mirror tables)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--database-url", help="Run against this database (its mirror tables are emptied).")
        parser.add_argument("--force", action="store_true", help="Allow emptying the configured database's mirror tables.")
        parser.add_argument("--port", type=int, default=0, help="Sandbox port (default: a free one).")
        parser.add_argument("--skip-first", action="store_true", help="Only the no-change resync (the mirror is already full).")

    def handle(self, *args, scale, seed, database_url=None, force=False, port=0, skip_first=False, **options):
        if database_url and database_url != os.environ.get("DATABASE_URL"):
            self.reexec_with(database_url)
        if not (database_url or force):
            raise CommandError("bench_sync empties the mirror tables: pass --database-url for a database of its own, or --force.")
        call_command("migrate", verbosity=0)
        port = port or _free_port()
        sandbox = self.start_sandbox(scale, seed, port)
        try:
            self.point_at_sandbox(port)
            self.stdout.write(f"Database: {connection.vendor} {connection.settings_dict['NAME']}; sandbox: scale {scale}, seed {seed}")
            self.end_leftover_runs()
            if not skip_first:
                self.empty_mirror()
                first = self.measure("First sync (empty database)")
            second = self.measure("No-change resync")
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
        self.summary(None if skip_first else first, second)

    # --- Setup -----------------------------------------------------------------------------

    def reexec_with(self, database_url: str) -> None:
        """Settings are read at start-up: run again with DATABASE_URL set."""
        env = {**os.environ, "DATABASE_URL": database_url}
        argv, skip = [sys.executable, sys.argv[0]], False
        for arg in sys.argv[1:]:
            if skip:
                skip = False
            elif arg == "--database-url":
                skip = True  # its value is the next word
            elif not arg.startswith("--database-url="):
                argv.append(arg)
        argv.append("--force")
        os.execve(sys.executable, argv, env)

    def start_sandbox(self, scale: str, seed: int, port: int) -> subprocess.Popen:
        manage = Path(settings.BASE_DIR) / "manage.py"
        # A fixed start and a frozen clock: the same data on every run, so a resync (even with
        # --skip-first, against a new sandbox process) sees nothing new.
        command = [sys.executable, str(manage), "noyo_sandbox", "--port", str(port), "--scale", scale, "--seed", str(seed),
                   "--clock-speed", "0", "--start-time", SANDBOX_START]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "DEBUG": "true"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError(f"The sandbox did not start: {process.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return process
            except OSError:
                time.sleep(0.2)
        process.terminate()
        raise CommandError("The sandbox did not listen within 2 minutes.")

    def point_at_sandbox(self, port: int) -> None:
        url = f"http://127.0.0.1:{port}"
        settings.NOYO_API_URL = settings.NOYO_TRACKING_URL = url
        settings.NOYO_TOKEN_URL = f"{url}/auth/public/token"
        settings.NOYO_CLIENT_ID = os.environ.get("NOYO_CLIENT_ID") or "sandbox-client"
        settings.NOYO_CLIENT_SECRET = os.environ.get("NOYO_CLIENT_SECRET") or "sandbox-secret"

    def empty_mirror(self) -> None:
        import connections.sync  # noqa: F401 - defines the resources, so RESOURCES lists every mirror table
        import members.sync  # noqa: F401
        from connections.models import Carrier

        models = [r.model for r in RESOURCES.values()] + [Carrier, StatusChange, SyncFailure]
        tables = sorted({m._meta.db_table for m in models})
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
            else:
                for table in tables:
                    cursor.execute(f'DELETE FROM "{table}"')
        left = [m.__name__ for m in models if m.objects.exists()]
        if left:
            raise CommandError(f"Could not empty the mirror tables: {', '.join(left)} still have rows.")

    def end_leftover_runs(self) -> None:
        """A benchmark interrupted earlier leaves its run "running" and its families claimed."""
        from django.utils import timezone

        SyncRun.objects.filter(status__in=SyncRun.ACTIVE_STATUSES).update(
            status=SyncRun.Status.FAILED, finished_at=timezone.now(), message="Cut off: the benchmark was interrupted."
        )
        SyncFamily.objects.update(run=None, claimed_at=None)

    # --- Measuring ----------------------------------------------------------------------------

    def measure(self, title: str) -> dict:
        before = self.table_writes()
        run = runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False)
        if run.status == SyncRun.Status.SKIPPED:
            raise CommandError(run.message)
        started = time.monotonic()
        run = runs.execute(run.pk)
        seconds = time.monotonic() - started
        after = self.table_writes()
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(f"{title} failed: {run.message}\n{run.error}")
        totals = run.totals
        result = {
            "title": title,
            "run": run,
            "seconds": seconds,
            "fetched": totals["fetched"],
            "rate": totals["fetched"] / seconds if seconds else 0,
            "engine_writes": totals["created"] + totals["updated"] + totals["removed"],
            "db_writes": None if before is None else sum(after.get(t, 0) - before.get(t, 0) for t in after),
            "api_calls": run.api_calls,
            "minimum_calls": minimum_calls(run.resources),
            "maxrss_mb": peak_memory_mb(),
        }
        self.stdout.write(f"\n{title}: run #{run.pk} {run.status}")
        self.print_resources(run)
        self.stdout.write(
            f"  {totals['created']:,} new, {totals['updated']:,} changed, {totals['unchanged']:,} unchanged, "
            f"{totals['removed']:,} removed, {totals['failed']:,} failed"
        )
        self.stdout.write(
            f"  {result['fetched']:,} records in {seconds:.1f} s = {result['rate']:,.0f} records/s; "
            f"{result['api_calls']:,} API calls (minimum {result['minimum_calls']:,}); peak memory {result['maxrss_mb']:.0f} MB"
        )
        return result

    def print_resources(self, run: SyncRun) -> None:
        for key, counts in ordered(run.resources):
            self.stdout.write(
                f"  {key:<24}{counts.get('fetched', 0):>10,} read {counts.get('created', 0):>10,} new "
                f"{counts.get('updated', 0):>8,} changed {counts.get('removed', 0):>6,} removed {counts.get('failed', 0):>5,} failed"
            )

    def table_writes(self) -> dict[str, int] | None:
        """Rows inserted + updated + deleted per mirror table, as Postgres counts them; None elsewhere."""
        if connection.vendor != "postgresql":
            return None
        if connection.pg_version >= 150000:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_force_next_flush()")
        time.sleep(1.2)  # let every backend's pending counters reach the shared statistics
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
            rows = cursor.fetchall()
        return {
            name: int(count)
            for name, count in rows
            if name.startswith(MIRROR_TABLE_PREFIXES) or name in MIRROR_EXTRA_TABLES
        }

    # --- Summary ----------------------------------------------------------------------------------

    def summary(self, first: dict | None, second: dict) -> None:
        self.stdout.write("\nSummary")
        rows = []
        if first:
            rows.append(("First sync", f"{first['rate']:,.0f} records/s", first["rate"] >= TARGET_RATE, f"≥ {TARGET_RATE:,}"))
        written = second["db_writes"] if second["db_writes"] is not None else second["engine_writes"]
        how = "pg_stat_user_tables" if second["db_writes"] is not None else "engine counters"
        rows.append(("No-change resync", f"{second['rate']:,.0f} records/s", None, ""))
        rows.append(("Rows written by the resync", f"{written:,} ({how})", written == 0, "0"))
        calls = second["api_calls"]
        rows.append(("API calls per full sync", f"{calls:,} vs minimum {second['minimum_calls']:,}", None, ""))
        memory = peak_memory_mb()
        rows.append(("Peak memory (this process)", f"{memory:.0f} MB", memory < TARGET_MEMORY_MB, f"< {TARGET_MEMORY_MB}"))
        for name, value, met, target in rows:
            verdict = "" if met is None else ("  met" if met else "  NOT MET")
            self.stdout.write(f"  {name:<30}{value:<40}{('target ' + target) if target else '':<16}{verdict}")


def minimum_calls(resources: dict) -> int:
    """ceil(N/100) per list, at least one call a list (per parent for per-parent lists), summed."""
    return sum(int(counts.get("min_pages") or 0) for counts in resources.values())


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
