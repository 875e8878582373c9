"""API retry, one connection or a batch, against the running sandbox: the retry form's checks and
function, the button's permission, Noyo's refusals with their code, and one call per key."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from command_center.models import AuditEntry
from connections.models import GroupConnection

BULK_URL = reverse("api:connection-bulk-retry")


def retry_url(connection):
    return reverse("api:connection-retry", args=[connection.pk])


def post(client, url, body=None, key=None):
    return client.post(url, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


@pytest.fixture
def operator_api(operator):
    client = APIClient()
    client.force_login(operator)
    return client


@pytest.fixture
def viewer_api(viewer):
    client = APIClient()
    client.force_login(viewer)
    return client


def audit_shape(entry):
    """What an audit entry says, without what differs from one retry to the next."""
    return entry.action, entry.outcome, entry.actor_id, entry.object_type, sorted(entry.details)


# --- One connection --------------------------------------------------------------------------------


def test_an_operator_retries_a_connection_and_gets_the_outcome_and_the_connection(
    operator_api, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    response = post(operator_api, retry_url(connection), {"note": "from a script"})
    assert response.status_code == 200
    body = response.json()
    assert body["detail"] == "Noyo accepted the retry. The connection is now “Processing”."
    assert body["attempt"]["state"] == "succeeded" and body["attempt"]["note"] == "from a script"
    assert body["connection"]["id"] == connection.pk and body["connection"]["status"] == "processing"
    assert retry_calls() == 1


def test_the_audit_entry_is_the_one_the_button_writes(operator_api, operator_client, operator, mirror_from_sandbox):
    by_api, by_button = mirror_from_sandbox("unable_to_connect", 0), mirror_from_sandbox("unable_to_connect", 1)
    post(operator_api, retry_url(by_api), {"note": "why"})
    form = operator_client.get(reverse("connections:connection_retry", args=[by_button.pk])).context["form"]
    operator_client.post(
        reverse("connections:connection_retry", args=[by_button.pk]),
        {**form.initial, "token": str(form.initial["token"]), "note": "why"},
    )
    api_entry, button_entry = (AuditEntry.objects.get(object_id=c.pk) for c in (by_api, by_button))
    assert (
        audit_shape(api_entry)
        == audit_shape(button_entry)
        == ("retry", "succeeded", operator.pk, "groupconnection", sorted(button_entry.details))
    )
    assert api_entry.summary == f"Retried connection of {by_api.group_name} → {by_api.carrier.name}"


def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_api, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = post(viewer_api, retry_url(connection))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only Operators can retry connections."}
    assert retry_calls() == 0
    # Nothing was done: the only entry is the refusal itself.
    assert not AuditEntry.objects.exclude(action=AuditEntry.Action.REFUSED).exists()
    assert (
        AuditEntry.objects.get().summary
        == f"Refused POST {retry_url(connection)}: Only Operators can retry connections."
    )


def test_the_carriers_format_is_checked_as_the_form_checks_it(operator_api, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = post(operator_api, retry_url(connection), {"carrier_group_id": "12", "broker_tin": "nope"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Nothing was sent")
    assert set(body["errors"]) == {"carrier_group_id", "broker_tin"}
    assert "neither an EIN" in body["errors"]["broker_tin"][0]
    assert retry_calls() == 0


def test_a_connection_that_cannot_be_retried_is_not_sent(operator_api, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("completed")
    response = post(operator_api, retry_url(connection))
    assert response.status_code == 409
    assert response.json()["detail"] == "Not sent: the connection is now “Completed”, which cannot be retried."
    assert retry_calls() == 0


def test_a_connection_not_in_the_mirror_is_404(operator_api, db):
    response = post(operator_api, reverse("api:connection-retry", args=[str(uuid.uuid4())]))
    assert response.status_code == 404
    assert response.json()["detail"] == "No connection with this id in the mirror. Nothing was done."


def test_noyos_422_comes_back_with_its_code_and_its_messages_by_field(operator_api, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    # Our copy of the carrier does not know its format, so only Noyo can refuse the number.
    connection.carrier.carrier_group_id_format = ""
    connection.carrier.save()
    response = post(operator_api, retry_url(connection), {"carrier_group_id": "WRONG-1"})
    assert response.status_code == 422
    attempt = response.json()["attempt"]
    assert attempt["state"] == "failed" and attempt["noyo_status_code"] == 422
    assert attempt["field_errors"]["carrier_group_id"][0].startswith("Does not match")
    assert retry_calls() == 1


def test_noyo_failing_is_a_502_that_says_whether_it_may_have_acted(
    operator_api, mirror_from_sandbox, sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    sandbox.set_faults(fail_next=["drop"], path_contains="/retry", method="PUT")
    response = post(operator_api, retry_url(connection))
    assert response.status_code == 502
    assert "may" in response.json()["detail"] and "received" in response.json()["detail"]
    assert retry_calls() == 1


def test_a_get_is_not_allowed(operator_api, db):
    assert operator_api.get(reverse("api:connection-retry", args=["x"])).status_code == 405


# --- Bulk retry --------------------------------------------------------------------------------------


def test_bulk_retry_reports_each_connection_retryable_or_not(operator_api, mirror_from_sandbox, retry_calls):
    first, second = mirror_from_sandbox("unable_to_connect", 0), mirror_from_sandbox("unable_to_connect", 1)
    done = mirror_from_sandbox("completed")
    unknown = str(uuid.uuid4())
    response = post(operator_api, BULK_URL, {"ids": [first.pk, done.pk, second.pk, unknown, first.pk]})
    assert response.status_code == 200
    body = response.json()
    assert body["detail"] == "Bulk retry of 4 connections: 2 accepted by Noyo, 1 not sent, 1 not in the mirror."
    rows = {row["id"]: row for row in body["results"]}
    assert [row["id"] for row in body["results"]] == [first.pk, done.pk, second.pk, unknown]
    assert rows[first.pk]["attempt"]["state"] == rows[second.pk]["attempt"]["state"] == "succeeded"
    assert rows[first.pk]["connection"]["status"] == "processing"
    assert rows[done.pk]["attempt"]["state"] == "skipped"
    assert rows[done.pk]["detail"] == "Not sent: “Completed” connections cannot be retried."
    assert rows[unknown] == {
        "id": unknown,
        "detail": "No such connection in the mirror.",
        "attempt": None,
        "connection": None,
    }
    assert retry_calls() == 2


def test_bulk_retry_sent_twice_with_one_key_calls_noyo_once_per_connection(
    operator_api, mirror_from_sandbox, retry_calls
):
    ids = [mirror_from_sandbox("unable_to_connect", n).pk for n in range(2)]
    key = str(uuid.uuid4())
    first = post(operator_api, BULK_URL, {"ids": ids}, key)
    again = post(operator_api, BULK_URL, {"ids": ids}, key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert retry_calls() == 2


def test_bulk_retry_writes_the_audit_entries_the_list_pages_button_writes(
    operator_api, operator_client, mirror_from_sandbox
):
    by_api, by_button = mirror_from_sandbox("unable_to_connect", 0), mirror_from_sandbox("unable_to_connect", 1)
    post(operator_api, BULK_URL, {"ids": [by_api.pk]})
    operator_client.post(
        reverse("connections:connection_bulk_retry"), {"ids": [by_button.pk], "batch": str(uuid.uuid4())}
    )
    api_entry, button_entry = (AuditEntry.objects.get(object_id=c.pk) for c in (by_api, by_button))
    assert audit_shape(api_entry) == audit_shape(button_entry)
    assert api_entry.details["note"] == button_entry.details["note"] == "Bulk retry from the connections list"


def test_bulk_retry_of_more_connections_than_the_limit_sends_nothing(operator_api, db, retry_calls):
    response = post(operator_api, BULK_URL, {"ids": [str(uuid.uuid4()) for _ in range(51)]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"ids": ["Retry at most 50 connections at a time; 51 are ticked."]}
    assert retry_calls() == 0


def test_bulk_retry_names_the_id_that_cannot_be_one(operator_api, db, retry_calls):
    response = post(operator_api, BULK_URL, {"ids": [str(uuid.uuid4()), "x" * 40]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"ids[1]": ["Ensure this field has no more than 36 characters."]}
    assert retry_calls() == 0


def test_bulk_retry_needs_ids(operator_api, db):
    for body in ({}, {"ids": []}, {"ids": "not a list"}):
        response = post(operator_api, BULK_URL, body)
        assert response.status_code == 400 and "ids" in response.json()["errors"], body


def test_a_viewer_cannot_bulk_retry(viewer_api, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = post(viewer_api, BULK_URL, {"ids": [connection.pk]})
    assert response.status_code == 403 and response.json() == {"detail": "Only Operators can retry connections."}
    assert retry_calls() == 0
    assert GroupConnection.objects.get(pk=connection.pk).status == "unable_to_connect"
