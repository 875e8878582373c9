"""bench_workers: the employees family timed with 1 and with 2 real Celery worker processes, end to end."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

BENCH_DB = "cc_test_bench_workers"


@pytest.mark.worker
def test_it_times_the_employees_family_with_each_worker_count_and_prints_the_speed_up(db):
    if connection.vendor != "postgresql":
        pytest.skip("bench_workers needs PostgreSQL: its worker processes write at once")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/14", socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379: bench_workers runs a real worker")
    params = connection.settings_dict
    server = f"postgres://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')

    finished = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_workers", "--scale", "small"]
        + ["--latency-ms", "0", "--workers", "1,2", "--chunk-parents", "50", "--database-url", f"{server}/{BENCH_DB}"],
        capture_output=True,
        text=True,
        timeout=600,
        # As a person runs it: production settings, not the test settings this process runs under.
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER")},
            "DEBUG": "true",
        },
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    lines = finished.stdout.splitlines()
    assert any(line.split()[:1] == ["1"] and "1.00×" in line for line in lines), finished.stdout  # the anchor
    assert any(line.startswith("2 workers against 1: ") and "target ≥ 3.5×" in line for line in lines), finished.stdout
