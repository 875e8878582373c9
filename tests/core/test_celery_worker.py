"""A real Celery worker consumes from the real broker (Redis) and returns a result."""

import pytest
import redis
from django.conf import settings

from command_center.celery import app, ping


def _redis_url():
    url = settings.CELERY_BROKER_URL
    return url if url.startswith("redis://") else "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_worker(celery_conf):
    url = _redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis reachable at {url}: the real-worker test needs one")
    from celery.contrib.testing.worker import start_worker

    celery_conf(task_always_eager=False, broker_url=url, result_backend=url)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.worker
def test_a_real_worker_runs_a_task_from_redis_and_returns_its_result(redis_worker):
    result = ping.apply_async(args=["hello"], ignore_result=False)
    assert result.get(timeout=20) == "hello"
