"""What a key may do: a read-only key only reads (403 on every write, nothing sent to Noyo); an operator
key does what its owner may do while the owner is an Operator, and its writes are audited with its name."""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from command_center.api.permissions import NOT_AN_OPERATOR, READ_ONLY
from command_center.audit import record_sync
from command_center.models import ApiKey, AuditEntry
from command_center.roles import OPERATOR, VIEWER
from tests.api.keys import DOCUMENTS, key_client, make_key
from tests.factories import make_sync_run
from tests.routes import named_routes, sample_url

API_ROUTES = [(name, pattern) for name, pattern in named_routes() if name.startswith("api:")]


def retry(client, connection, **extra):
    url = reverse("api:connection-retry", args=[connection.pk])
    extra.setdefault("HTTP_IDEMPOTENCY_KEY", str(uuid.uuid4()))
    return client.post(url, {"note": "from a script"}, content_type="application/json", **extra)


@pytest.mark.parametrize("name,pattern", API_ROUTES, ids=[name for name, _ in API_ROUTES])
def test_a_read_only_key_is_refused_every_write_with_403(operator, name, pattern):
    # An Operator's key: only its scope stands between it and the write.
    _, key = make_key(operator, ApiKey.Scope.READ_ONLY)
    url = sample_url(name, pattern)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(key_client(key), method)(url, {}, content_type="application/json")
        assert response.status_code == 403, (method, url)
        if name not in DOCUMENTS:  # the OpenAPI document and its viewers answer in YAML or HTML
            assert response.json()["detail"] == READ_ONLY


def test_a_read_only_key_cannot_retry_and_nothing_reaches_noyo(operator, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    _, key = make_key(operator, ApiKey.Scope.READ_ONLY)
    response = retry(key_client(key), connection)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert retry_calls() == 0
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RETRY).exists()


def test_an_operator_key_retries_and_the_audit_names_the_key(operator, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    api_key, key = make_key(operator, ApiKey.Scope.OPERATOR, name="nightly retries")
    response = retry(key_client(key), connection)
    assert response.status_code == 200, response.content
    assert retry_calls() == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETRY)
    assert (entry.actor, entry.api_key, entry.api_key_name) == (operator, api_key, "nightly retries")
    assert entry.object_id == connection.pk


def test_the_audit_log_page_shows_the_key_a_write_was_made_with(operator, operator_client, mirror_from_sandbox):
    _, key = make_key(operator, ApiKey.Scope.OPERATOR, name="nightly retries")
    retry(key_client(key), mirror_from_sandbox("unable_to_connect"))
    page = operator_client.get(reverse("audit_list")).content.decode()
    assert 'otto.operator<div class="small muted">with API key “nightly retries”</div>' in page
    export = operator_client.get(reverse("audit_export"))
    assert "nightly retries" in b"".join(export.streaming_content).decode()


def test_every_kind_of_audit_entry_names_the_key_its_user_came_with(operator):
    # ApiKeyAuthentication leaves the key on the user; every audit function reads it there.
    api_key, _ = make_key(operator, ApiKey.Scope.OPERATOR, name="scheduler")
    operator.api_key = api_key
    entry = record_sync(operator, make_sync_run())
    assert (entry.actor, entry.api_key_name) == (operator, "scheduler")


def test_a_write_made_in_the_console_names_no_key(operator_client, mirror_from_sandbox):
    connection = mirror_from_sandbox("unable_to_connect")
    assert retry(operator_client, connection).status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETRY)
    assert entry.api_key is None and entry.api_key_name == ""


def test_an_operator_key_loses_its_writes_with_its_owners_role(operator, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    _, key = make_key(operator, ApiKey.Scope.OPERATOR)
    operator.groups.set([Group.objects.get(name=VIEWER)])
    client = key_client(key)
    response = retry(client, connection)
    assert response.status_code == 403
    assert response.json()["detail"] == NOT_AN_OPERATOR
    assert retry_calls() == 0
    assert client.get(reverse("api:connection-list")).status_code == 200  # it still reads

    operator.groups.add(Group.objects.get(name=OPERATOR))
    assert retry(client, connection).status_code == 200
    assert retry_calls() == 1


def test_an_operator_key_needs_the_actions_own_permission_too(operator, mirror_from_sandbox, retry_calls):
    # Operators hold the retry permission through their group; take the permission away, keep the group.
    connection = mirror_from_sandbox("unable_to_connect")
    _, key = make_key(operator, ApiKey.Scope.OPERATOR)
    group = Group.objects.get(name=OPERATOR)
    group.permissions.remove(*group.permissions.filter(codename="retry_groupconnection"))
    response = retry(key_client(key), connection)
    assert response.status_code == 403 and response.json()["detail"] == "Only Operators can retry connections."
    assert retry_calls() == 0
