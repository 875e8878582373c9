"""Fixtures for the sync tests: Noyo is the sandbox over HTTP, with tiny retry delays."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from command_center.models import SyncRun
from command_center.noyo.backoff import RetryPolicy
from command_center.sync import client as sync_module
from command_center.sync import runs
from connections.sync import SUMMARY_TABLES

# Attempts per request in tests: with fault rates of 10%, a run fails by bad luck about once in 10^5.
ATTEMPTS = 8


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """Retries as in production, minus the waiting."""
    monkeypatch.setattr(
        sync_module,
        "retry_policy",
        lambda: RetryPolicy(max_attempts=ATTEMPTS, base_delay=0.001, max_delay=0.05, max_total_seconds=10),
    )
    monkeypatch.setattr(sync_module, "READ_500_ATTEMPTS", ATTEMPTS)
    monkeypatch.setattr(sync_module, "READ_500_DELAY", 0.001)


@pytest.fixture
def sync_now(noyo_settings, db):
    """sync_now(kind="full") runs a sync in the foreground, as the command does, and returns the finished run."""

    def run(kind=runs.FULL, trigger=SyncRun.Trigger.COMMAND):
        started = runs.start_sync(kind, trigger, enqueue=False)
        assert started.status == SyncRun.Status.QUEUED, started.message
        return runs.execute(started.pk)

    return run


MIRROR_APPS = ("connections_", "members_", "command_center_statuschange")
# The table a write statement writes to (what it reads, e.g. attention items derived from the mirror, is not a write to it).
_WRITTEN_TABLE = re.compile(
    r'^\s*(?:\d+ times: )?(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+"([^"]+)"', re.IGNORECASE
)


def mirror_writes(queries) -> list[str]:
    """The INSERT/UPDATE/DELETE statements that wrote to a mirrored table (not the run's own bookkeeping)."""
    writes = []
    for query in queries:
        written = _WRITTEN_TABLE.match(query["sql"])
        table = written.group(1).lower() if written else ""
        if table.startswith(MIRROR_APPS) and table not in SUMMARY_TABLES:
            writes.append(query["sql"][:200])
    return writes


@pytest.fixture
def capture_writes():
    """with capture_writes() as captured: ...; mirror_writes(captured.captured_queries) lists mirror writes."""
    return lambda: CaptureQueriesContext(connection)
