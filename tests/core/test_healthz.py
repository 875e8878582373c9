import pytest
from django.utils import timezone

from command_center.models import SyncRun


@pytest.mark.django_db
def test_it_answers_200_when_the_database_and_broker_are_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_names_the_broker_when_the_broker_is_down(client, celery_conf, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_it_reports_the_age_of_the_last_successful_sync(client):
    from command_center.sync import runs

    assert client.get("/healthz").json()["last_successful_sync_age_seconds"] is None
    runs.ensure_families()
    for status, finished in (
        (SyncRun.Status.SUCCEEDED, timezone.now() - timezone.timedelta(minutes=5)),
        (SyncRun.Status.FAILED, timezone.now()),
    ):
        run = SyncRun.objects.create(kind="full", trigger="command", status=status, finished_at=finished)
        for family in runs.FAMILIES:
            runs.record_outcome(run, runs.Outcome(family, status, ""), finished=finished)
    age = client.get("/healthz").json()["last_successful_sync_age_seconds"]
    assert 295 <= age <= 310
