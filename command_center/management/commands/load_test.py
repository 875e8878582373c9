"""python manage.py load_test --database-url postgres://…/cc_load [--users 50 --seconds 30]

How many requests a second the web tier serves to signed-in people browsing, and how fast:

1. the database: migrated, and filled by a full sync from a sandbox of its own (``--scale``,
   medium by default) when it has no connections yet; otherwise reused as it is;
2. ``--users`` people with the Viewer role (``loadtest-01`` …), made if missing;
3. gunicorn, as README's production command starts it (``gunicorn.conf.py``; ``DEBUG`` off, static
   files collected and served by WhiteNoise), on a free loopback port, with the flags given after
   ``--``; requests say ``X-Forwarded-Proto: https``, as a TLS proxy in front would, so production's
   HTTPS settings stay on;
4. each person signs in through the sign-in form, then browses without pause for ``--seconds``
   (after ``--warmup`` seconds not counted): the dashboard, the lists (connections, groups, carriers,
   employees, member requests, snapshots, attention; some sorted, filtered or on page 2), and detail
   pages of records picked from the database, a list then a detail, in an order fixed by ``--seed``;
5. the anchor, in the same run: the same people fetching one static file (WhiteNoise, no view, no
   query) for ``--anchor-seconds``: what this machine, gunicorn and this load generator do at most;
6. requests/s, p50/p95/p99, errors (anything but 200, or no answer), per page; the load average; and
   the CPU each part took (this process, gunicorn, everything else: Postgres, other work).

The load generator (aiohttp, asyncio, one process) shares the machine's cores with gunicorn and
Postgres: its own CPU time is printed beside the others. aiohttp rather than httpx (used elsewhere
here) because its C parser takes about half the CPU a request (CPU the server measured loses);
rather than locust because locust brings gevent, Flask and a web UI for what is one loop.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from command_center.management.benchmarks import free_port, use_database

PASSWORD = "load-test-password"
TARGET_RATE = 150
TARGET_P95_MS = 500
LIST_PAGES = [
    "/",
    "/connections/",
    "/connections/?sort=-status_changed",
    "/connections/?status=unable_to_connect",
    "/connections/?page=2",
    "/connections/groups/",
    "/connections/carriers/",
    "/members/employees/",
    "/members/employees/?page=2",
    "/members/requests/",
    "/members/requests/?status=failed",
    "/members/snapshots/",
    "/attention/",
]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_page: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        self.latencies.append(seconds)
        self.by_page[kind].append(seconds)
        if error:
            self.errors[error] += 1


class Command(BaseCommand):
    help = "Load-test the web tier under gunicorn: signed-in people browsing lists and details (requests/s, p50/p95/p99, errors)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url", help="Run against this database (filled by a sync when it has no connections)."
        )
        parser.add_argument("--force", action="store_true", help="Use the configured database.")
        parser.add_argument("--scale", choices=("small", "medium", "large"), default="medium")
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=30)
        parser.add_argument("--warmup", type=float, default=5)
        parser.add_argument("--anchor-seconds", type=float, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "gunicorn_args", nargs="*", help="After --: flags for gunicorn (e.g. -- --workers 3 --threads 2)."
        )

    def handle(
        self,
        *args,
        database_url=None,
        force=False,
        scale,
        users,
        seconds,
        warmup,
        anchor_seconds,
        seed,
        gunicorn_args,
        **options,
    ):
        use_database(database_url)
        if not (database_url or force):
            raise CommandError(
                "load_test may fill the database from a sandbox: pass --database-url for one of its own, or --force."
            )
        if users < 1 or seconds <= 0:
            raise CommandError("--users must be at least 1 and --seconds more than 0.")
        call_command("migrate", verbosity=0)
        self.fill_if_empty(scale)
        names = self.ensure_users(users)
        details = self.detail_pages()
        port = free_port()
        server = self.start_gunicorn(port, gunicorn_args)
        static = _a_static_file()
        try:
            base = f"http://127.0.0.1:{port}"
            result = asyncio.run(
                self.run_load(base, names, details, static, seconds, warmup, anchor_seconds, seed, server.pid)
            )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        self.report(result, users, gunicorn_args)

    # --- Setup -------------------------------------------------------------------------------

    def fill_if_empty(self, scale: str) -> None:
        from connections.models import GroupConnection

        if GroupConnection.objects.exists():
            return
        from command_center.management.commands.bench_sync import Command as BenchSync
        from command_center.models import SyncRun
        from command_center.sync import runs

        self.stdout.write(f"The database has no connections: filling it by a full sync from a {scale} sandbox…")
        bench, port = BenchSync(), free_port()
        sandbox = bench.start_sandbox(scale, 1, port)
        try:
            bench.point_at(f"http://127.0.0.1:{port}")
            run = runs.execute(runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False).pk)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(f"The sync that fills the database failed: {run.message}")
        self.stdout.write(f"  run #{run.pk} {run.status}: {run.totals['fetched']:,} records")

    def ensure_users(self, count: int) -> list[str]:
        """Viewers loadtest-01 …; one password hash computed once and given to all (hashing is slow on purpose)."""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from command_center.roles import VIEWER

        User = get_user_model()
        names = [f"loadtest-{n:02d}" for n in range(1, count + 1)]
        password = make_password(PASSWORD)
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        User.objects.bulk_create([User(username=name, password=password) for name in names if name not in existing])
        User.objects.filter(username__in=names).update(password=password, is_active=True)
        viewers = Group.objects.get(name=VIEWER)
        viewers.user_set.add(*User.objects.filter(username__in=names))
        return names

    def detail_pages(self) -> list[str]:
        """Detail pages of up to 20 records of each kind, picked by id (a stable, spread-out choice)."""
        from django.urls import reverse

        from connections.models import Carrier, Group, GroupConnection
        from members.models import Employee, MemberRequest

        pages = []
        for model, name in [
            (GroupConnection, "connections:connection_detail"),
            (Group, "connections:group_detail"),
            (Carrier, "connections:carrier_detail"),
            (Employee, "members:employee_detail"),
            (MemberRequest, "members:memberrequest_detail"),
        ]:
            ids = model.objects.order_by("pk").values_list("pk", flat=True)[:20]
            pages += [reverse(name, args=[pk]) for pk in ids]
        if not pages:
            raise CommandError("The database has no records to open.")
        return pages

    def start_gunicorn(self, port: int, extra: list[str]) -> subprocess.Popen:
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "TRUST_X_FORWARDED_PROTO": "true",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        # As at a deploy: collected with DEBUG off, so the hashed names gunicorn's pages link to exist.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "command_center.wsgi", "--bind", f"127.0.0.1:{port}", *extra]
        self.stdout.write(
            f"Starting: {' '.join(command[1:])} (DEBUG off; config {settings.BASE_DIR / 'gunicorn.conf.py'})"
        )
        self._log = tempfile.TemporaryFile()
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._log.seek(0)
                raise CommandError(f"gunicorn did not start:\n{self._log.read().decode()[-3000:]}")
            try:
                if (
                    httpx.get(f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"}).status_code
                    == 200
                ):
                    return process
            except httpx.TransportError:
                time.sleep(0.2)
        process.kill()
        raise CommandError("gunicorn did not answer within a minute.")

    # --- Load --------------------------------------------------------------------------------

    async def run_load(self, base, names, details, static, seconds, warmup, anchor_seconds, seed, server_pid) -> dict:
        origin = base.replace("http://", "https://")
        clients = [
            aiohttp.ClientSession(
                base_url=base,
                headers={"X-Forwarded-Proto": "https", "Origin": origin},
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=60),
                connector=aiohttp.TCPConnector(limit=1),
            )
            for _ in names
        ]
        try:
            self.stdout.write(f"Signing in {len(names)} people…")
            # A few at a time: checking a password is slow on purpose, and 50 at once would time out.
            gate = asyncio.Semaphore(4)
            await asyncio.gather(*(self.sign_in(client, name, origin, gate) for client, name in zip(clients, names)))

            pages = Phase(self, "pages", seconds, warmup, server_pid)
            await pages.run(
                [
                    self.browse(client, pages, random.Random(seed * 1000 + n), details)
                    for n, client in enumerate(clients)
                ]
            )
            anchor = Phase(self, "anchor", anchor_seconds, min(warmup, 2), server_pid)
            await anchor.run([self.fetch_static(client, anchor, static) for client in clients])
        finally:
            await asyncio.gather(*(client.close() for client in clients))
        return {"pages": pages, "anchor": anchor}

    async def sign_in(self, client: aiohttp.ClientSession, name: str, origin: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            await self._sign_in(client, name, origin)

    async def _sign_in(self, client: aiohttp.ClientSession, name: str, origin: str) -> None:
        async with client.get("/login/") as form:
            token = CSRF_INPUT.search(await form.text())
            if form.status != 200 or not token:
                raise CommandError(f"The sign-in page answered {form.status} without a form.")
            _keep_cookies(client, form)
        data = {"username": name, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        async with client.post(
            "/login/", data=data, headers={"Referer": f"{origin}/login/"}, allow_redirects=False
        ) as answer:
            await answer.read()
            _keep_cookies(client, answer)
        if answer.status != 302 or "sessionid" not in client.headers.get("Cookie", ""):
            raise CommandError(f"Signing in as {name} answered {answer.status}, not a redirect with a session.")

    async def browse(self, client, phase: Phase, rng: random.Random, details: list[str]) -> None:
        while not phase.over:
            for kind, url in (("list", rng.choice(LIST_PAGES)), ("detail", rng.choice(details))):
                await phase.get(client, url, kind)

    async def fetch_static(self, client, phase: Phase, static: str) -> None:
        while not phase.over:
            await phase.get(client, static, "static file")

    # --- Report ------------------------------------------------------------------------------

    def report(self, result: dict, users: int, gunicorn_args: list[str]) -> None:
        pages, anchor = result["pages"], result["anchor"]
        self.stdout.write("")
        self.stdout.write(
            f"{users} people, gunicorn {' '.join(gunicorn_args) or '(gunicorn.conf.py defaults)'}; "
            f"{os.cpu_count()} cores"
        )
        self.stdout.write(f"{'':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for phase in (pages, anchor):
            for kind, tally in [(phase.name, phase.tally)] + [
                (f"  {k}", Tally(latencies=v)) for k, v in sorted(phase.tally.by_page.items()) if phase.name == "pages"
            ]:
                rate = len(tally.latencies) / phase.seconds
                errors = sum(tally.errors.values()) if tally is phase.tally else ""
                self.stdout.write(
                    f"{kind:<22}{len(tally.latencies):>9,}{rate:>9.1f}{_pct(tally.latencies, 50):>9.0f}"
                    f"{_pct(tally.latencies, 95):>9.0f}{_pct(tally.latencies, 99):>9.0f}{errors:>8}"
                )
        for phase in (pages, anchor):
            for error, count in sorted(phase.tally.errors.items()):
                self.stdout.write(f"  {phase.name} error: {error} × {count}")
        self.stdout.write("")
        for phase in (pages, anchor):
            cpu = phase.cpu
            self.stdout.write(
                f"CPU during {phase.name} ({cpu['cores']:.2f} of {os.cpu_count()} cores busy): load generator {cpu['generator']:.2f} cores "
                f"({cpu['generator_ms']:.1f} ms a request), gunicorn {cpu['gunicorn']:.2f} ({cpu['gunicorn_ms']:.1f} ms a request), "
                f"Postgres {cpu['postgres']:.2f} ({cpu['postgres_ms']:.1f} ms a request), everything else {cpu['other']:.2f}; load average {phase.load_before[0]:.2f} before, "
                f"{phase.load_after[0]:.2f} after ({' '.join(f'{x:.2f}' for x in phase.load_after)})"
            )
        rate = len(pages.tally.latencies) / pages.seconds
        p95 = _pct(pages.tally.latencies, 95)
        errors = sum(pages.tally.errors.values())
        met = rate >= TARGET_RATE and p95 <= TARGET_P95_MS and errors == 0
        self.stdout.write(
            f"\nPages: {rate:.1f} requests/s = {rate / (len(anchor.tally.latencies) / anchor.seconds or 1):.2f} × the static-file anchor; "
            f"target ≥ {TARGET_RATE} requests/s, p95 ≤ {TARGET_P95_MS} ms, 0 errors: {'met' if met else 'NOT MET'}"
        )


class Phase:
    """One timed stretch of load: requests started after the warm-up and before the end are counted."""

    def __init__(self, command, name: str, seconds: float, warmup: float, server_pid: int):
        self.command, self.name, self.seconds, self.warmup, self.server_pid = command, name, seconds, warmup, server_pid
        self.tally = Tally()
        self.over = False
        self.counting = False

    async def run(self, people) -> None:
        tasks = [asyncio.create_task(person) for person in people]
        await asyncio.sleep(self.warmup)
        self.load_before = os.getloadavg()
        before = _cpu_now(self.server_pid)
        self.counting = True
        await asyncio.sleep(self.seconds)
        self.counting = False
        after = _cpu_now(self.server_pid)
        self.load_after = os.getloadavg()
        self.over = True
        await asyncio.gather(*tasks)
        self.cpu = _cpu_share(before, after, self.seconds, len(self.tally.latencies))

    async def get(self, client: aiohttp.ClientSession, url: str, kind: str) -> None:
        counting = self.counting
        started = time.perf_counter()
        error = None
        try:
            async with client.get(url, allow_redirects=False) as answer:
                await answer.read()
                if answer.status != 200:
                    error = f"{answer.status} {url}"
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = f"{type(exc).__name__} {url}"
        if counting and self.counting:
            self.tally.record(kind, time.perf_counter() - started, error)


def _keep_cookies(client: aiohttp.ClientSession, response: aiohttp.ClientResponse) -> None:
    """Send the cookies back by hand: production marks them Secure, and this loopback is plain HTTP
    (a TLS proxy's part), so a cookie jar would keep them to itself."""
    jar = dict(part.split("=", 1) for part in client.headers.get("Cookie", "").split("; ") if "=" in part)
    for header in response.headers.getall("Set-Cookie", []):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    client.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())


def _a_static_file() -> str:
    """The stylesheet's collected (hashed) name, as the pages link it."""
    import json

    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())
    return f"/{settings.STATIC_URL.strip('/')}/{manifest['paths']['css/app.css']}"


def _cpu_now(server_pid: int) -> dict:
    """CPU seconds so far: the machine's (busy), this process's, and gunicorn's (master and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    busy = (sum(fields) - fields[3] - fields[4]) / tick  # all but idle and iowait
    gunicorn = sum(_process_cpu(pid) for pid in [server_pid, *_children(server_pid)])
    postgres = {
        pid: _process_cpu(int(pid)) for pid in os.listdir("/proc") if pid.isdigit() and _name(pid) == "postgres"
    }
    return {"busy": busy, "generator": time.process_time(), "gunicorn": gunicorn, "postgres": postgres}


def _process_cpu(pid: int) -> float:
    """utime + stime of one process (all its threads), in seconds; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            parts = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def _name(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(x) for x in children.read().split()]
    except FileNotFoundError:
        return []


def _cpu_share(before: dict, after: dict, seconds: float, requests: int) -> dict:
    spent = {key: after[key] - before[key] for key in ("busy", "generator", "gunicorn")}
    # Backends that started meanwhile count whole; those that ended are missed (their last share).
    spent["postgres"] = sum(cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items())
    per_request = lambda key: 1000 * spent[key] / requests if requests else 0  # noqa: E731
    return {
        "cores": spent["busy"] / seconds,
        "generator": spent["generator"] / seconds,
        "gunicorn": spent["gunicorn"] / seconds,
        "postgres": spent["postgres"] / seconds,
        "other": max(0.0, spent["busy"] - spent["generator"] - spent["gunicorn"] - spent["postgres"]) / seconds,
        "generator_ms": per_request("generator"),
        "gunicorn_ms": per_request("gunicorn"),
        "postgres_ms": per_request("postgres"),
    }


def _pct(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]
