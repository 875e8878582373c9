"""Shared fixtures: the personas every view test signs in as."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from command_center.roles import OPERATOR, VIEWER

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with nothing cached (the header's figures, sessions): the database is new too."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _user(django_user_model, username, role=None):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer(db, django_user_model):
    return _user(django_user_model, "vera.viewer", VIEWER)


@pytest.fixture
def operator(db, django_user_model):
    return _user(django_user_model, "otto.operator", OPERATOR)


@pytest.fixture
def viewer_client(viewer):
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def operator_client(operator):
    client = Client()
    client.force_login(operator)
    return client


pytest_plugins = ["tests.clock", "tests.browser", "tests.sandbox_fixtures"]


@pytest.fixture
def celery_conf():
    """Change the Celery app's configuration for one test: celery_conf(task_always_eager=False, ...)."""
    from command_center.celery import app

    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf[key])
            app.conf[key] = value

    yield change
    for key, value in saved.items():
        app.conf[key] = value


def _forget_broker_connections(app):
    """Drop the connection pools and result backend Celery cached for the previous broker."""
    app._after_fork()  # resets the connection and producer pools, as after a fork
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_worker(celery_conf, transactional_db):
    """A real Celery worker (in a thread) consuming from Redis, with results in Redis.

    Uses the configured Redis broker (CI), else a Redis database of its own on the
    local server; skipped, with the reason shown, when no Redis answers.
    """
    import redis
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from command_center.celery import app

    url = (
        settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis://") else "redis://127.0.0.1:6379/11"
    )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis reachable at {url}: the real-worker tests need one")
    celery_conf(task_always_eager=False, broker_url=url, result_backend=url)
    _forget_broker_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        _forget_broker_connections(app)
