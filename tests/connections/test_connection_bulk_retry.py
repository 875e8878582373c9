"""Bulk retry of the ticked rows, against the running sandbox: one outcome per row, one call per row at most."""

import uuid

from django.urls import reverse

from command_center.models import AuditEntry
from connections.models import RetryAttempt
from connections.retry import BULK_LIMIT
from tests.factories import make_connection

URL = reverse("connections:connection_bulk_retry")


def outcomes(response):
    return {row["pk"]: row["attempt"].state if row["attempt"] else None for row in response.context["outcomes"]}


def test_it_retries_each_ticked_retryable_row_once_and_says_what_happened_to_each(
    operator_client, mirror_from_sandbox, retry_calls
):
    first = mirror_from_sandbox("unable_to_connect", 0)
    second = mirror_from_sandbox("action_required", 0)
    done = mirror_from_sandbox("completed", 0)
    response = operator_client.post(URL, {"ids": [first.pk, second.pk, done.pk], "batch": str(uuid.uuid4())})
    assert response.status_code == 200
    assert outcomes(response) == {first.pk: "succeeded", second.pk: "succeeded", done.pk: "skipped"}
    assert retry_calls() == 2
    html = " ".join(response.content.decode().split())
    assert "“Completed” connections cannot be retried" in html
    first.refresh_from_db()
    assert first.status == "processing"
    assert response["HX-Trigger"] == "connectionsChanged"
    assert AuditEntry.objects.filter(action="retry").count() == 3


def test_sending_the_same_batch_again_calls_noyo_no_more(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    data = {"ids": [connection.pk], "batch": str(uuid.uuid4())}
    operator_client.post(URL, data)
    again = operator_client.post(URL, data)
    assert retry_calls() == 1
    assert outcomes(again) == {connection.pk: "succeeded"}
    assert RetryAttempt.objects.count() == 1


def test_one_row_failing_at_noyo_does_not_stop_the_others(operator_client, mirror_from_sandbox, sandbox, retry_calls):
    first = mirror_from_sandbox("unable_to_connect", 0)
    second = mirror_from_sandbox("unable_to_connect", 1)
    sandbox.set_faults(fail_next=[500], path_contains="/retry", method="PUT")
    response = operator_client.post(URL, {"ids": [first.pk, second.pk], "batch": str(uuid.uuid4())})
    assert outcomes(response) == {first.pk: "failed", second.pk: "succeeded"}
    assert "Noyo had a server error (500)" in response.content.decode()
    assert retry_calls() == 2


def test_a_viewer_gets_403_and_nothing_reaches_noyo(viewer_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = viewer_client.post(URL, {"ids": [connection.pk], "batch": str(uuid.uuid4())})
    assert response.status_code == 403
    assert retry_calls() == 0


def test_it_asks_for_ticked_rows_and_caps_how_many(operator_client):
    assert (
        "Tick the connections to retry first."
        in operator_client.post(URL, {"batch": str(uuid.uuid4())}).content.decode()
    )
    ids = [make_connection(status="unable_to_connect").pk for _ in range(BULK_LIMIT + 1)]
    response = operator_client.post(URL, {"ids": ids, "batch": str(uuid.uuid4())})
    assert response.status_code == 400
    assert f"Retry at most {BULK_LIMIT} connections at a time" in response.content.decode()


def test_a_missing_batch_token_sends_nothing(operator_client, retry_calls, sandbox, noyo_settings):
    connection = make_connection(status="unable_to_connect")
    response = operator_client.post(URL, {"ids": [connection.pk]})
    assert response.status_code == 400
    assert retry_calls() == 0


def test_it_is_post_only(operator_client):
    assert operator_client.get(URL).status_code == 405


def test_an_unknown_id_gets_its_own_line(operator_client, mirror_from_sandbox):
    connection = mirror_from_sandbox("unable_to_connect")
    response = operator_client.post(URL, {"ids": [connection.pk, "not-a-connection"], "batch": str(uuid.uuid4())})
    assert outcomes(response) == {connection.pk: "succeeded", "not-a-connection": None}
    assert "No such connection in the mirror." in response.content.decode()
