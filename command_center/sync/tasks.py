"""Celery tasks: one per resource family, the full sync, the stale-run reaper and webhook re-fetches.

Tasks take ids and stay thin. A sync task called with ``run_id`` runs that queued run
(``runs.start_sync`` created it); called without one (Celery beat), it first creates its
own run with trigger "schedule", which is skipped, saying why, if the family is busy.
"""

from __future__ import annotations

import logging

from celery import shared_task

from command_center.models import SyncRun
from command_center.noyo.errors import NetworkError, NotFound, RateLimited, ServerError
from command_center.sync import runs

logger = logging.getLogger("command_center.sync")


def _sync(kind: str, run_id: int | None) -> int:
    if run_id is None:
        run = runs.start_sync(kind, SyncRun.Trigger.SCHEDULE, enqueue=False)
        if run.status == SyncRun.Status.SKIPPED:
            logger.info("Scheduled %s sync skipped: %s", kind, run.message)
            return run.pk
        run_id = run.pk
    return runs.execute(run_id).pk


@shared_task(name="command_center.sync_full")
def sync_full(run_id=None):
    """Every family, parents first."""
    return _sync(runs.FULL, run_id)


@shared_task(name="command_center.sync_groups")
def sync_groups(run_id=None):
    return _sync("groups", run_id)


@shared_task(name="command_center.sync_group_connections")
def sync_group_connections(run_id=None):
    return _sync("group_connections", run_id)


@shared_task(name="command_center.sync_employees")
def sync_employees(run_id=None):
    return _sync("employees", run_id)


@shared_task(name="command_center.sync_snapshots")
def sync_snapshots(run_id=None):
    return _sync("snapshots", run_id)


@shared_task(name="command_center.sync_member_requests")
def sync_member_requests(run_id=None):
    return _sync("member_requests", run_id)


TASKS = {
    runs.FULL: sync_full,
    "groups": sync_groups,
    "group_connections": sync_group_connections,
    "employees": sync_employees,
    "snapshots": sync_snapshots,
    "member_requests": sync_member_requests,
}


@shared_task(name="command_center.sync_chunk")
def sync_chunk(chunk_id):
    """A share of a run's per-parent lists (``command_center.sync.chunks``), if nobody took it yet."""
    from command_center.sync import chunks

    return chunks.run_task(chunk_id)


@shared_task(name="command_center.reap_stale_syncs")
def reap_stale_syncs():
    """Fail runs whose worker died (no heartbeat for a few minutes)."""
    return runs.reap_stale_runs()


@shared_task(name="command_center.prune_sync_runs")
def prune_sync_runs(days=30):
    """Retention: sync runs older than ``days`` go, with their failed records."""
    from command_center.management.commands.prune_sync_runs import prune

    return prune(days)


@shared_task(
    name="command_center.refetch_object",
    autoretry_for=(ServerError, NetworkError, RateLimited),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def refetch_object(kind: str, object_id: str):
    """Fetch one record a webhook named and write it through the sync's mapping.

    Transient Noyo failures are retried with backoff; a record Noyo no longer has is
    left as mirrored (the next full list marks it removed).
    """
    from command_center import webhooks

    try:
        row = webhooks.refetch(kind, object_id)
        return f"{kind} {row.pk}: {getattr(row, 'status', '')}".strip()
    except NotFound:
        logger.info("Webhook re-fetch: Noyo has no %s %s", kind, object_id)
        return None
