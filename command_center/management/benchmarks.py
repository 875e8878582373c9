"""What the benchmark commands (``bench_sync``, ``bench_exports``, ``load_test``) share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

# A fixed start and a frozen clock: the same data on every run, so a resync (even against a new
# sandbox process) sees nothing new.
SANDBOX_START = "2026-11-01T00:00:00+00:00"


def use_database(database_url: str | None) -> None:
    """Run this command again with ``DATABASE_URL=database_url``: settings are read at start-up.

    The new process finds the variable set and goes on; its ``--database-url`` still says the database
    is the command's own."""
    if database_url and database_url != os.environ.get("DATABASE_URL"):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "DATABASE_URL": database_url})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox(port: int, *options: str, env: dict | None = None) -> subprocess.Popen:
    """A sandbox process on ``port`` (frozen clock, fixed start, then ``options``), once it listens.

    Its log goes to a file, not a pipe: nobody reads it while it runs, and a full pipe would stall it.
    """
    log = tempfile.TemporaryFile()
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "noyo_sandbox", "--port", str(port)]
    command += ["--clock-speed", "0", "--start-time", SANDBOX_START, *options]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=log, env={**(env or os.environ), "DEBUG": "true"}
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise CommandError(f"The sandbox did not start: {log.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise CommandError("The sandbox did not listen within 3 minutes.")
