"""python manage.py bench_sync [--scale large] [--replay] [--database-url postgres://…/cc_bench]

Measures the sync end to end against a sandbox of its own (started in a separate process,
so it does not share this process's interpreter lock):

1. a first full sync into empty mirror tables: records per second;
2. its anchor, measured in the same run (Postgres): ``COPY FROM`` of exactly the rows the
   first sync left in the mirror tables (status history and failures included), into copies
   of those tables with the same indexes; printed as records per second and the ratio;
3. a no-change resync (the sandbox clock is frozen): records per second against the same
   anchor, and the rows it wrote, counted by the database (``pg_stat_user_tables`` inserts
   + updates + deletes on the mirror tables) on Postgres, by the engine's counters elsewhere;
4. CPU per record, this process and (Postgres on this machine) the database backend the
   sync wrote through; API calls made against the minimum (ceil(N/100) per list, one call
   per parent list); peak memory of this process (``ru_maxrss``); the load average.

``--replay`` takes the source out of the measure: Noyo's answers are recorded once (a sync
against the sandbox, kept under ``var/bench/``), then both syncs are answered from the
recording with no sandbox running (``command_center.noyo.recording``: only the socket is
replaced, the client's code path is the real one). ``--profile FILE`` writes a cProfile of
the first sync (the thread that maps and writes).

It EMPTIES the mirror tables of the database it runs on: give it a database of its own
(``--database-url``), or ``--force`` to use the configured one.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from command_center.management.benchmarks import free_port, start_sandbox, use_database
from command_center.models import StatusChange, SyncFailure, SyncFamily, SyncRun
from command_center.noyo.recording import Recorder, Replayer, patch_transport
from command_center.sync import runs
from command_center.sync.engine import RESOURCES
from command_center.sync.families import ordered
from connections.sync import SUMMARY_TABLES

TARGET_RATE = 5000
TARGET_MEMORY_MB = 300
# Tables whose writes count as "rows written by the resync" (not the run's own bookkeeping).
MIRROR_TABLE_PREFIXES = ("connections_", "members_")
MIRROR_EXTRA_TABLES = ("command_center_statuschange", "command_center_syncfailure", "connections_carrier")
# Where --replay keeps its recordings (var/ is not in git).
RECORDINGS = Path(settings.BASE_DIR) / "var" / "bench"
# A host that is not this machine: the sync then does not wait for a local sandbox to listen.
REPLAY_URL = "http://noyo.replay"
TARGET_REPLAY_RATIO = 0.5
TARGET_END_TO_END_RATIO = 0.35
TARGET_RESYNC_RATIO = 1.0


def rows_written(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The tables written between two ``table_writes`` readings, and how many rows each."""
    return {table: n - before.get(table, 0) for table, n in after.items() if n != before.get(table, 0)}


def mirror_rows(written: dict[str, int]) -> int:
    """The rows written to the mirror: every table written but the summaries a sync rewrites each time."""
    return sum(n for table, n in written.items() if table not in SUMMARY_TABLES)


class Command(BaseCommand):
    help = "Benchmark a first full sync and a no-change resync against a sandbox (empties the mirror tables)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--database-url", help="Run against this database (its mirror tables are emptied).")
        parser.add_argument(
            "--force", action="store_true", help="Allow emptying the configured database's mirror tables."
        )
        parser.add_argument("--port", type=int, default=0, help="Sandbox port (default: a free one).")
        parser.add_argument(
            "--skip-first", action="store_true", help="Only the no-change resync (the mirror is already full)."
        )
        parser.add_argument(
            "--replay",
            action="store_true",
            help="Answer both syncs from a recording of the sandbox's answers (made first if there is none).",
        )
        parser.add_argument("--recording", help="The recording's directory (default: var/bench/<scale>-seed<seed>).")
        parser.add_argument("--rerecord", action="store_true", help="Make the recording again even if there is one.")
        parser.add_argument(
            "--profile", help="Write a cProfile of the first sync to this file, and print its top functions."
        )

    def handle(
        self,
        *args,
        scale,
        seed,
        database_url=None,
        force=False,
        port=0,
        skip_first=False,
        replay=False,
        recording=None,
        rerecord=False,
        profile=None,
        **options,
    ):
        use_database(database_url)
        if not (database_url or force):
            raise CommandError(
                "bench_sync empties the mirror tables: pass --database-url for a database of its own, or --force."
            )
        call_command("migrate", verbosity=0)
        self.profile = profile
        self.stdout.write(
            f"Database: {connection.vendor} {connection.settings_dict['NAME']}; sandbox: scale {scale}, seed {seed}; "
            f"{'source free (recorded answers replayed)' if replay else 'end to end against the sandbox'}"
        )
        self.end_leftover_runs()
        if replay:
            recording = Path(recording) if recording else RECORDINGS / f"{scale}-seed{seed}"
            if rerecord or not Replayer.exists(recording):
                self.record(scale, seed, port, recording)
            first, second, anchor = self.replayed(recording, skip_first)
        else:
            first, second, anchor = self.against_sandbox(scale, seed, port, skip_first)
        self.summary(first, second, anchor, replay)

    def against_sandbox(self, scale, seed, port, skip_first):
        port = port or free_port()
        sandbox = self.start_sandbox(scale, seed, port)
        try:
            self.point_at(f"http://127.0.0.1:{port}")
            return self.both_syncs(skip_first)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)

    def record(self, scale, seed, port, directory: Path) -> None:
        """A first sync and a resync against the sandbox, keeping every answer; the sandbox then stops.

        The resyncs are recorded too: they ask for what the first left for later (the submitted
        payloads of snapshots beyond the first run's share)."""
        port = port or free_port()
        sandbox = self.start_sandbox(scale, seed, port)
        recorder = Recorder(directory)
        try:
            self.point_at(f"http://127.0.0.1:{port}")
            self.empty_mirror()
            with patch_transport(recorder=recorder):
                self.measure(f"Recording the sandbox's answers into {directory}: first sync")
                self.catch_up()
                self.measure("Recording: resync")
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
        recorder.close()

    def replayed(self, directory: Path, skip_first):
        replayer = Replayer(directory)
        self.stdout.write(f"Replaying {len(replayer):,} recorded answers from {directory}; no sandbox runs.")
        self.point_at(REPLAY_URL)
        try:
            with patch_transport(replayer=replayer):
                result = self.both_syncs(skip_first)
        finally:
            replayer.close()
        if replayer.missing:
            raise CommandError(
                f"{len(replayer.missing):,} requests were not in the recording (first: {replayer.missing[0]}); "
                "make it again with --rerecord."
            )
        return result

    def both_syncs(self, skip_first):
        first = None
        if not skip_first:
            self.empty_mirror()
            first = self.measure("First sync (empty database)", profile=self.profile)
        anchor = self.copy_anchor()
        self.catch_up()
        second = self.measure("No-change resync")
        return first, second, anchor

    def catch_up(self) -> None:
        """A sync reads at most ``DETAILS_PER_RUN`` snapshots' submitted payloads; syncs (not measured)
        read the rest, so the no-change resync has nothing left to do."""
        from members.models import MemberSnapshot

        while MemberSnapshot.objects.details_needed().exists():
            due = MemberSnapshot.objects.details_needed().count()
            self.stdout.write(
                f"\nCatching up: {due:,} snapshots' submitted payloads are still to read (at most "
                "1,000 a sync), so one more sync first."
            )
            run = runs.execute(runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False).pk)
            if MemberSnapshot.objects.details_needed().count() >= due or run.status == SyncRun.Status.FAILED:
                raise CommandError(f"Catching up read no snapshot's payload: {run.message}")

    # --- Setup -----------------------------------------------------------------------------

    def start_sandbox(self, scale: str, seed: int, port: int) -> subprocess.Popen:
        return start_sandbox(port, "--scale", scale, "--seed", str(seed))

    def point_at(self, url: str) -> None:
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
                cursor.execute(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"
                )  # alert subscriptions name carriers
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

    def measure(self, title: str, profile: str | None = None) -> dict:
        before = self.table_writes()
        run = runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False)
        if run.status == SyncRun.Status.SKIPPED:
            raise CommandError(run.message)
        cpu_before, db_cpu_before = process_cpu(), backend_cpu()
        profiler = cProfile.Profile() if profile else None
        started = time.monotonic()
        if profiler:
            profiler.enable()
        run = runs.execute(run.pk)
        if profiler:
            profiler.disable()
        seconds = time.monotonic() - started
        cpu = process_cpu() - cpu_before
        db_cpu_after = backend_cpu()
        # The same backend before and after (the sync wrote through this connection), else unknown.
        db_cpu = (
            db_cpu_after[1] - db_cpu_before[1]
            if db_cpu_before and db_cpu_after and db_cpu_before[0] == db_cpu_after[0]
            else None
        )
        load = os.getloadavg()
        after = self.table_writes()
        written = {} if before is None else rows_written(before, after)
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
            "db_writes": None if before is None else mirror_rows(written),
            "api_calls": run.api_calls,
            "minimum_calls": minimum_calls(run.resources),
            "maxrss_mb": peak_memory_mb(),
            "cpu": cpu,
            "db_cpu": db_cpu,
            "load": load,
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
        if written:
            self.stdout.write(
                "  rows written, by table (pg_stat_user_tables): "
                + ", ".join(
                    f"{table} {count:,}" + (" (a summary, rewritten each sync)" if table in SUMMARY_TABLES else "")
                    for table, count in sorted(written.items())
                )
            )
        per_record = 1e6 / max(1, result["fetched"])
        db = "" if db_cpu is None else f" + Postgres {db_cpu * per_record:,.0f} µs"
        self.stdout.write(f"  CPU per record: this process {cpu * per_record:,.0f} µs{db}; load average {_load(load)}")
        if profiler:
            profiler.dump_stats(profile)
            self.stdout.write(f"  Profile written to {profile}; the top functions by own time:")
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            self.stdout.write(out.getvalue())
        return result

    def copy_anchor(self) -> dict | None:
        """``COPY FROM`` of the rows now in the mirror tables, into copies of them (same columns and indexes).

        The rows are first copied out to files (not timed); only the ``COPY FROM`` and its commit
        are. Postgres only: elsewhere there is no anchor.
        """
        if connection.vendor != "postgresql":
            return None
        tables = sorted(
            t
            for t in connection.introspection.table_names()
            if t.startswith(MIRROR_TABLE_PREFIXES) or t in MIRROR_EXTRA_TABLES
        )
        rows, seconds = 0, 0.0
        connection.ensure_connection()
        raw = connection.connection  # autocommit, as Django keeps it: each statement commits
        for table in tables:
            copy_table = f"bench_copy_{table}"[:63]
            with tempfile.TemporaryFile() as dump, raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    for data in copy:
                        dump.write(data)
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                count = cursor.fetchone()[0]
                if not count:
                    continue
                cursor.execute(f'DROP TABLE IF EXISTS "{copy_table}"')
                cursor.execute(f'CREATE TABLE "{copy_table}" (LIKE "{table}" INCLUDING ALL)')
                dump.seek(0)
                started = time.monotonic()
                with cursor.copy(f'COPY "{copy_table}" FROM STDIN') as copy:
                    while data := dump.read(1 << 20):
                        copy.write(data)
                seconds += time.monotonic() - started
                rows += count
                cursor.execute(f'DROP TABLE "{copy_table}"')
        load = os.getloadavg()
        self.stdout.write(
            f"\nAnchor: COPY FROM of the {rows:,} rows in the mirror tables took {seconds:.1f} s "
            f"({rows / seconds if seconds else 0:,.0f} rows/s); load average {_load(load)}"
        )
        return {"rows": rows, "seconds": seconds, "load": load}

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

    def summary(self, first: dict | None, second: dict, anchor: dict | None, replay: bool) -> None:
        """The figures beside their anchor: a sync's records/s against COPY FROM of the same rows."""
        self.stdout.write(
            "\nSummary"
            + (" (source free: recorded answers replayed)" if replay else " (end to end, against the sandbox)")
        )
        records = (first or second)["fetched"]
        anchor_rate = records / anchor["seconds"] if anchor and anchor["seconds"] else None
        rows = []

        def against_anchor(name, result, target):
            if anchor_rate is None:
                rows.append((name, f"{result['rate']:,.0f} records/s", None, ""))
                return
            ratio = result["rate"] / anchor_rate
            rows.append(
                (
                    name,
                    f"{result['rate']:,.0f} records/s vs COPY {anchor_rate:,.0f} = {ratio:.2f}×",
                    ratio >= target,
                    f"≥ {target}×",
                )
            )

        if first:
            against_anchor("First sync", first, TARGET_REPLAY_RATIO if replay else TARGET_END_TO_END_RATIO)
        against_anchor("No-change resync", second, TARGET_RESYNC_RATIO)
        written = second["db_writes"] if second["db_writes"] is not None else second["engine_writes"]
        how = "pg_stat_user_tables" if second["db_writes"] is not None else "engine counters"
        rows.append(("Rows written by the resync", f"{written:,} ({how})", written == 0, "0"))
        calls = second["api_calls"]
        rows.append(("API calls per full sync", f"{calls:,} vs minimum {second['minimum_calls']:,}", None, ""))
        memory = peak_memory_mb()
        rows.append(
            ("Peak memory (this process)", f"{memory:.0f} MB", memory < TARGET_MEMORY_MB, f"< {TARGET_MEMORY_MB}")
        )
        for name, value, met, target in rows:
            verdict = "" if met is None else ("  met" if met else "  NOT MET")
            self.stdout.write(f"  {name:<30}{value:<48}{('target ' + target) if target else '':<16}{verdict}")
        loads = [r["load"] for r in (first, anchor, second) if r]
        self.stdout.write(
            "  Load average (1, 5, 15 min) after the first sync / the anchor / the resync: "
            + " / ".join(_load(load) for load in loads)
        )


def minimum_calls(resources: dict) -> int:
    """ceil(N/100) per list, at least one call a list (per parent for per-parent lists), summed."""
    return sum(int(counts.get("min_pages") or 0) for counts in resources.values())


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_cpu() -> float:
    """CPU seconds of this process, every thread, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu() -> tuple[int, float] | None:
    """(pid, CPU seconds) of the Postgres backend serving this connection, when it runs on this machine; else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(load) -> str:
    return ", ".join(f"{value:.2f}" for value in load)
