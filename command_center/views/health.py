"""GET /healthz: is this instance fit to serve?"""

import time

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure means "not reachable"
        return False, f"unreachable: {exc.__class__.__name__}"


def _broker_ok():
    from command_center.celery import app

    if app.conf.task_always_eager:
        return True, "eager (tests)"
    try:
        with app.connection_for_write(url=app.conf.broker_url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, f"unreachable: {exc.__class__.__name__}"


def _families():
    """Each family's latest outcome and the age of its data (command_center.freshness)."""
    from command_center.freshness import Freshness, family_states

    states = family_states()
    mirror = {"bad": "failing", "warn": "degraded", "ok": "ok"}[Freshness(states).tone]
    return mirror, {state.family: state.as_json() for state in states}


def _last_successful_sync_age():
    from command_center.models import SyncFamily

    finished = (
        SyncFamily.objects.exclude(last_success_at=None)
        .order_by("-last_success_at")
        .values_list("last_success_at", flat=True)
        .first()
    )
    if finished is None:
        return None
    return int(time.time() - finished.timestamp())


@login_not_required
@never_cache
def healthz(request):
    """Database and broker reachability, and how current the mirror is. 503 names what failed.

    A failing sync does not make the instance unfit to serve (it still shows the mirror and
    says how old it is), so it is reported in ``mirror`` and ``families`` without a 503.
    """
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    body = {
        "status": "ok" if db_ok and broker_ok else "unhealthy",
        "database": db_detail,
        "broker": broker_detail,
        "last_successful_sync_age_seconds": _last_successful_sync_age() if db_ok else None,
    }
    if db_ok:
        body["mirror"], body["families"] = _families()
    failing = [name for name, ok in (("database", db_ok), ("broker", broker_ok)) if not ok]
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=200 if not failing else 503)
