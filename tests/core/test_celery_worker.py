"""A real Celery worker consumes from the real broker (Redis) and returns a result."""

import pytest

from command_center.celery import ping


@pytest.mark.worker
def test_a_real_worker_runs_a_task_from_redis_and_returns_its_result(redis_worker):
    result = ping.apply_async(args=["hello"], ignore_result=False)
    assert result.get(timeout=20) == "hello"
