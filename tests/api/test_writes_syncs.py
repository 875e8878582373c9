"""API start a sync: the Syncs page's Sync now (form, function, permission, audit entry), 202 while
queued, 409 when a run of the family holds it, and one run per Idempotency-Key."""

import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry, SyncRun

URL = reverse("api:sync-start")


@pytest.fixture
def queued(monkeypatch):
    """The runs handed to Celery (none is run: the test only sees what was queued)."""
    handed = []
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: handed.append(run.pk))
    return handed


def post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, content_type="application/json", **headers)


def test_an_operator_starts_a_sync_and_it_is_queued_once_committed(
    operator_client, operator, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(operator_client, {"kind": "group_connections"})
    run = SyncRun.objects.get()
    assert response.status_code == 202
    assert response.json()["detail"] == f"Queued: a group connections sync, run #{run.pk}."
    assert response.json()["run"]["id"] == run.pk and response.json()["run"]["status"] == "queued"
    assert (run.kind, run.trigger, run.requested_by) == ("group_connections", "user", operator)
    assert queued == [run.pk]
    entry = AuditEntry.objects.get()  # as the page's button writes it
    assert (entry.action, entry.outcome, entry.actor, entry.object_id, entry.summary) == (
        "sync",
        "succeeded",
        operator,
        str(run.pk),
        "Started a group connections sync",
    )


def test_a_second_start_while_the_family_is_held_is_skipped_with_409_and_says_why(operator_client, queued):
    first = post(operator_client, {"kind": "group_connections"}).json()["run"]
    response = post(operator_client, {"kind": "full"})
    assert response.status_code == 409
    assert response.json()["detail"] == f"Not started: A group connections sync (#{first['id']}) is already queued."
    assert response.json()["run"]["status"] == "skipped"
    assert AuditEntry.objects.filter(outcome="skipped").count() == 1


def test_the_same_key_twice_starts_one_run(operator_client, queued):
    key = str(uuid.uuid4())
    first, again = post(operator_client, {"kind": "groups"}, key), post(operator_client, {"kind": "groups"}, key)
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    assert SyncRun.objects.count() == 1 and AuditEntry.objects.count() == 1


def test_an_unknown_kind_comes_back_by_field(operator_client, queued):
    response = post(operator_client, {"kind": "everything"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Nothing was started: choose what to sync."
    assert list(response.json()["errors"]) == ["kind"]
    assert not SyncRun.objects.exists()


def test_a_viewer_gets_403_in_plain_words_and_nothing_starts(viewer_client, queued):
    response = post(viewer_client, {"kind": "full"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Starting a sync needs the Operator role."}
    assert not SyncRun.objects.exists() and queued == []
