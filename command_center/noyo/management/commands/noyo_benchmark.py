"""``python manage.py noyo_benchmark``: how fast the sandbox serves pages and the client reads lists.

Starts a sandbox at ``--scale large`` in a subprocess on a free loopback port
(so it does not share a GIL with the client being measured), unless ``--url``
points at one already running, then prints:

1. the sandbox's pages per second: raw httpx, page_size 100, ``--pages`` pages
   of /member_requests at offsets spread over the whole list;
2. the client's records per second: the first ``--records`` member requests
   through the pagination iterator, and the API calls that cost against
   ceil(N/100).
"""

from __future__ import annotations

import itertools
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from command_center.noyo import contract
from command_center.noyo.client import NoyoClient


class Command(BaseCommand):
    help = "Measure the Noyo sandbox's pages/s and the client's records/s over a large list."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="a sandbox already running (default: start one at --scale)")
        parser.add_argument("--token-url", help="default: URL + the token path")
        parser.add_argument("--scale", default="large", help="scale of the sandbox started (default: large)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--pages", type=int, default=200, help="pages fetched raw for pages/s (default: 200)")
        parser.add_argument(
            "--records", type=int, default=200_000, help="records read through the client (default: 200000)"
        )

    def handle(self, *args, **options):
        if options["pages"] < 1 or options["records"] < 1:
            raise CommandError("--pages and --records must be at least 1.")
        client_id, client_secret = settings.NOYO_CLIENT_ID, settings.NOYO_CLIENT_SECRET
        with self._sandbox(options, client_id, client_secret) as url:
            token_url = options["token_url"] or url + contract.TOKEN_PATH
            self._pages_per_second(url, token_url, client_id, client_secret, options["pages"])
            self._records_per_second(url, token_url, client_id, client_secret, options["records"])

    @contextmanager
    def _sandbox(self, options, client_id: str, client_secret: str) -> Iterator[str]:
        if options["url"]:
            yield options["url"].rstrip("/")
            return
        port = _free_port()
        command = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "noyo_sandbox",
            "--port",
            str(port),
            "--scale",
            options["scale"],
            "--seed",
            str(options["seed"]),
            "--clock-speed",
            "0",
        ]
        env = {**os.environ, "NOYO_CLIENT_ID": client_id, "NOYO_CLIENT_SECRET": client_secret}
        self.stdout.write(f"Starting a sandbox: scale {options['scale']}, seed {options['seed']}, port {port} ...")
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_listening(port, process)
            self.stdout.write(f"Sandbox up in {time.perf_counter() - started:.1f} s at {url}")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def _pages_per_second(self, url: str, token_url: str, client_id: str, client_secret: str, pages: int) -> None:
        list_url = url + contract.path("member_requests")
        with httpx.Client(timeout=30) as http:
            token = http.post(token_url, auth=(client_id, client_secret), json={"grant_type": "client_credentials"})
            token.raise_for_status()
            http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            first = http.get(list_url, params={"page_size": contract.PAGE_SIZE_MAX, "offset": 0})
            first.raise_for_status()
            total = first.json()["meta"]["total_records"]
            last = max(0, total - contract.PAGE_SIZE_MAX)
            offsets = [round(i * last / max(1, pages - 1)) for i in range(pages)]
            timings = []
            started = time.perf_counter()
            for offset in offsets:
                began = time.perf_counter()
                response = http.get(list_url, params={"page_size": contract.PAGE_SIZE_MAX, "offset": offset})
                response.raise_for_status()
                response.json()
                timings.append((time.perf_counter() - began) * 1000)
            elapsed = time.perf_counter() - started
        timings.sort()
        p95 = timings[min(len(timings) - 1, math.ceil(len(timings) * 0.95) - 1)]
        self.stdout.write(
            f"Sandbox: {pages / elapsed:,.0f} pages/s over {pages} pages of {contract.PAGE_SIZE_MAX} "
            f"at offsets 0..{last:,} of {total:,} member requests "
            f"(median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms per page)"
        )

    def _records_per_second(self, url: str, token_url: str, client_id: str, client_secret: str, wanted: int) -> None:
        with NoyoClient(url, token_url, client_id, client_secret) as noyo:
            records = noyo.iter_member_requests()
            started = time.perf_counter()
            count = sum(1 for _ in itertools.islice(records, wanted))
            elapsed = time.perf_counter() - started
            calls = noyo.api_calls
        expected = math.ceil(count / contract.PAGE_SIZE_MAX)
        self.stdout.write(
            f"Client: {count / elapsed:,.0f} records/s reading {count:,} of {records.total:,} member requests "
            f"in {elapsed:.1f} s; {calls:,} API calls for ceil({count:,}/{contract.PAGE_SIZE_MAX}) = {expected:,}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"The sandbox exited with status {process.returncode} before listening.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise CommandError(f"The sandbox did not listen on port {port} within {timeout:.0f} s.")
