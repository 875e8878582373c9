"""Something a person may not do leaves a line in the audit log: who tried, what they were refused and
why, where (the address and the page or API route). One line per refused request, nothing else done."""

import uuid

import pytest
from django.urls import reverse

from command_center.models import ApiKey, AuditEntry, SyncRun
from tests.api.keys import key_client, make_key
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


def refusals():
    return AuditEntry.objects.filter(action="refused")


def test_a_viewer_refused_a_sync_leaves_one_refusal_naming_who_what_and_where(viewer, viewer_client):
    response = viewer_client.post(reverse("sync_start"), {"kind": "full"}, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 403
    assert not SyncRun.objects.exists()
    entry = refusals().get()
    assert entry.actor == viewer
    assert entry.outcome == AuditEntry.Outcome.FAILED
    assert entry.summary == "Refused POST /syncs/start: Starting a sync needs the Operator role."
    assert entry.details == {
        "method": "POST",
        "path": "/syncs/start",
        "route": "sync_start",
        "reason": "Starting a sync needs the Operator role.",
        "address": "198.51.100.23",
        "status": 403,
    }


def test_a_viewer_refused_a_retry_names_the_connection(viewer_client):
    connection = make_connection(status="unable_to_connect")
    assert viewer_client.post(reverse("connections:connection_retry", args=[connection.pk]), {}).status_code == 403
    entry = refusals().get()
    assert entry.object_id == str(connection.pk)
    assert "Only Operators can retry connections." in entry.summary


def test_an_api_write_refused_to_a_viewer_key_is_logged_under_the_key(viewer):
    api_key, key = make_key(viewer, ApiKey.Scope.READ_ONLY, name="reporting script")
    response = key_client(key).post(
        reverse("api:sync-start"),
        {"kind": "full"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 403
    entry = refusals().get()
    assert (entry.actor, entry.api_key, entry.api_key_name) == (viewer, api_key, "reporting script")
    assert entry.details["route"] == "api:sync-start"
    assert entry.details["reason"] == response.json()["detail"]


def test_a_viewer_session_refused_an_api_write_is_logged(viewer, viewer_client):
    response = viewer_client.post(
        reverse("api:sync-start"),
        {"kind": "full"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 403
    assert refusals().get().actor == viewer


def test_pages_a_viewer_may_open_leave_no_refusal(viewer_client):
    assert viewer_client.get(reverse("dashboard")).status_code == 200
    assert viewer_client.get(reverse("audit_list")).status_code == 200
    assert not refusals().exists()


def test_the_audit_log_shows_refusals_and_filters_on_them(viewer_client, operator_client):
    viewer_client.post(reverse("sync_start"), {"kind": "full"})
    operator_client.post(reverse("sync_start"), {"kind": "nonsense"})  # not refused: a bad form
    response = operator_client.get(reverse("audit_list"), {"action": "refused"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Refused" in body and "Starting a sync needs the Operator role." in body and "vera.viewer" in body
    assert list(response.context["rows"]) == list(refusals())
