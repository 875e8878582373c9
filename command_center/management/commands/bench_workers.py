"""python manage.py bench_workers [--scale large] [--latency-ms 100] [--workers 1,4] [--database-url …]

How the employees family scales out over Celery worker processes (``command_center.sync.chunks``):

1. starts a sandbox of its own (a separate process, frozen clock) answering every call after
   ``--latency-ms``, as real Noyo's round trips would;
2. syncs the groups family once (the group enrollments whose lists the employees family reads);
3. for each count in ``--workers``: empties the employees family's tables (``--resync``: fills them
   once, then times no-change resyncs), starts a real Celery
   worker with that many processes (prefork) on a Redis database of its own, queues an
   employees sync as the Syncs page does, and times the run (its ``started_at`` to
   ``finished_at``, as the Syncs page shows it);
4. prints, per worker count: the time, API calls per second, records, the speed-up over the first
   count (the anchor, measured in the same run), and the load average.

It EMPTIES the mirror tables of the database it runs on: give it a database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys

import redis
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from command_center.management.benchmarks import free_port, start_sandbox, use_database
from command_center.models import StatusChange, SyncChunk, SyncFailure, SyncFamily, SyncRun
from command_center.sync import runs
from command_center.sync.engine import RESOURCES

TARGET_SPEED_UP = 3.5
EMPLOYEE_TABLES = ("employees", "dependents", "individual_enrollments", "premiums")
BROKER = "redis://127.0.0.1:6379/14"


class Command(BaseCommand):
    help = "Time the employees family with 1 and with 4 Celery worker processes (empties the mirror tables)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
        parser.add_argument("--latency-ms", type=int, default=100)
        parser.add_argument(
            "--workers", default="1,4", help="Worker process counts, comma-separated (the first is the anchor)."
        )
        parser.add_argument("--broker-url", default=BROKER, help="A Redis database of its own (it is flushed).")
        parser.add_argument("--database-url", help="Run against this database (its mirror tables are emptied).")
        parser.add_argument(
            "--force", action="store_true", help="Allow emptying the configured database's mirror tables."
        )
        parser.add_argument(
            "--chunk-parents",
            type=int,
            default=0,
            help="NOYO_SYNC_CHUNK_PARENTS for the workers (default: the setting).",
        )
        parser.add_argument(
            "--resync",
            action="store_true",
            help="Time no-change resyncs (the mirror filled once first) instead of first syncs into empty tables.",
        )
        parser.add_argument("--timeout", type=int, default=7200, help="Seconds to wait for one run.")

    def handle(self, *args, **options):
        # This process queues the runs on the workers' broker: settings read it at start-up.
        if os.environ.get("CELERY_BROKER_URL") != options["broker_url"]:
            env = {**os.environ, "CELERY_BROKER_URL": options["broker_url"], "CELERY_RESULT_BACKEND": ""}
            env.update(CELERY_TASK_ALWAYS_EAGER="false")
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        use_database(options["database_url"])
        if connection.vendor != "postgresql":
            raise CommandError("Chunk tasks need PostgreSQL (several worker processes write at once).")
        if not (options["database_url"] or options["force"]):
            raise CommandError(
                "This empties the mirror tables: pass --database-url of a database of its own, or --force."
            )
        import connections.sync  # noqa: F401  (the resources register themselves)
        import members.sync  # noqa: F401

        counts = [int(n) for n in options["workers"].split(",")]
        call_command("migrate", verbosity=0)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            # DEBUG off, as in production (DEBUG keeps every query in memory): it needs a key then.
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-workers-only-not-a-secret",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            # The workers run as in production whatever settings started this command (the test settings run tasks eagerly).
            "DJANGO_SETTINGS_MODULE": "command_center.settings",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_BROKER_URL": options["broker_url"],
            "CELERY_RESULT_BACKEND": "",
            "NOYO_API_URL": url,
            "NOYO_TRACKING_URL": url,
            "NOYO_TOKEN_URL": f"{url}/auth/public/token",
            "NOYO_SYNC_CHUNK_PARENTS": str(options["chunk_parents"] or settings.NOYO_SYNC_CHUNK_PARENTS or 500),
            "LOG_LEVEL": "WARNING",
        }
        self.chunk_parents = env["NOYO_SYNC_CHUNK_PARENTS"]
        sandbox = start_sandbox(port, "--scale", options["scale"], "--latency-ms", str(options["latency_ms"]), env=env)
        results = []
        try:
            self.empty(list(RESOURCES))
            self.stdout.write(
                f"Sandbox: scale {options['scale']}, {options['latency_ms']} ms a call. Syncing groups first…"
            )
            groups = self.timed_run("groups", max(counts), env, options)
            self.stdout.write(f"  groups: {groups['seconds']:.0f} s with {max(counts)} worker processes")
            if options["resync"]:
                fill = self.timed_run("employees", max(counts), env, options)
                self.stdout.write(
                    f"  first employees sync: {fill['seconds']:.0f} s with {max(counts)} worker processes"
                )
            for n in counts:
                if not options["resync"]:
                    self.empty(EMPLOYEE_TABLES)
                results.append({"workers": n, **self.timed_run("employees", n, env, options)})
                r = results[-1]
                self.stdout.write(
                    f"  {n} worker process{'es' if n != 1 else ''}: {r['seconds']:.0f} s, {r['calls'] / r['seconds']:.0f} calls/s, "
                    f"{r['records']:,} records, load {r['load']}"
                )
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
        self.report(results, options)

    def report(self, results, options):
        anchor = next((r for r in results if r["workers"] == 1), results[0])
        self.stdout.write("")
        self.stdout.write(
            f"Employees family, {'no-change resync' if options['resync'] else 'first sync'}, scale {options['scale']}, Noyo {options['latency_ms']} ms a call, "
            f"{settings.NOYO_SYNC_WORKERS} concurrent calls a process, chunks of {self.chunk_parents} parents"
        )
        self.stdout.write(
            f"{'workers':>8} {'seconds':>8} {'calls':>8} {'calls/s':>8} {'records':>9} {'speed-up':>9}  load"
        )
        for r in results:
            speed_up = anchor["seconds"] / r["seconds"]
            self.stdout.write(
                f"{r['workers']:>8} {r['seconds']:>8.1f} {r['calls']:>8,} {r['calls'] / r['seconds']:>8.0f} "
                f"{r['records']:>9,} {speed_up:>8.2f}×  {r['load']}"
            )
        last = max(results, key=lambda r: r["workers"])
        speed_up = anchor["seconds"] / last["seconds"]
        verdict = "met" if speed_up >= TARGET_SPEED_UP else "NOT met"
        self.stdout.write(
            f"{last['workers']} workers against {anchor['workers']}: {speed_up:.2f}× (target ≥ {TARGET_SPEED_UP}×): {verdict}"
        )

    def timed_run(self, kind: str, workers: int, env: dict, options) -> dict:
        redis.Redis.from_url(options["broker_url"]).flushdb()
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "--app",
                "command_center",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(workers),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
        )
        try:
            # Queued as the Syncs page queues it: the task goes to the worker through the broker.
            run = runs.start_sync(kind, SyncRun.Trigger.COMMAND)
            run = runs.wait_for(run.pk, timeout=options["timeout"])
            if run.status != SyncRun.Status.SUCCEEDED:
                raise CommandError(f"The {kind} sync ended {run.status}: {run.message}")
        finally:
            worker.terminate()  # a warm shutdown: the worker ends the task it holds first
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a busy machine, or a task that will not end: the run is measured
                worker.kill()
                worker.wait()
        seconds = (run.finished_at - run.started_at).total_seconds()
        return {
            "seconds": seconds,
            "calls": run.api_calls,
            "records": run.totals["fetched"],
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        }

    def empty(self, keys) -> None:
        tables = {RESOURCES[key].model._meta.db_table for key in keys}
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        StatusChange.objects.all().delete()
        SyncFailure.objects.all().delete()
        SyncChunk.objects.all().delete()
        SyncFamily.objects.update(run=None, claimed_at=None)
