"""A sync started from the page runs through a real Celery worker consuming from Redis."""

import pytest

from command_center.models import SyncRun
from command_center.sync import runs


@pytest.mark.worker
def test_a_queued_sync_is_run_by_a_real_worker_from_redis(noyo_settings, redis_worker, sandbox):
    run = runs.start_sync("group_connections", SyncRun.Trigger.USER)  # not in a transaction: enqueued at once

    run = runs.wait_for(run.pk, timeout=60)

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.resources["group_connections"]["created"] == sandbox.data.counts()["group_connections"]


@pytest.mark.worker
def test_a_chunked_sync_adds_up_while_a_real_worker_takes_chunks_from_redis(
    noyo_settings, redis_worker, sandbox, settings
):
    settings.NOYO_SYNC_CHUNK_PARENTS = 3
    runs.execute(runs.start_sync("groups", SyncRun.Trigger.COMMAND, enqueue=False).pk)
    run = runs.start_sync("employees", SyncRun.Trigger.COMMAND, enqueue=False)

    run = runs.execute(run.pk)  # here, while the worker takes the chunk tasks this queues

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    counts = run.resources["dependents"]
    assert counts["created"] == counts["fetched"] == sandbox.data.counts()["dependents"]
    assert counts["parents_done"] == counts["parents"]
    assert set(run.chunks.values_list("status", flat=True)) == {"done"}
