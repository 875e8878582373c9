"""The one Celery app. Settings come from Django's, under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "command_center.settings")

app = Celery("command_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # each app's tasks.py; the sync tasks are registered by CommandCenterConfig.ready()


@app.task(name="command_center.ping")
def ping(value="pong"):
    """Echo a value back: proves a worker is consuming from the broker (used by tests)."""
    return value
