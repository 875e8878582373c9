"""Shared fixtures: the personas every view test signs in as."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from command_center.roles import OPERATOR, VIEWER

PASSWORD = "correct horse battery staple"


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


pytest_plugins = ["tests.browser", "tests.sandbox_fixtures"]


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
