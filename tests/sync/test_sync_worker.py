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
