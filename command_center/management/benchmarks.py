"""What the benchmark commands (``bench_sync``, ``bench_exports``, ``load_test``) share."""

from __future__ import annotations

import os
import socket
import sys


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
