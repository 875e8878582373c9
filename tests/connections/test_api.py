"""The connections API: the list page's filters, read-only for Viewers, and a retry that calls Noyo once per key."""

import uuid

from django.urls import reverse

from tests.factories import make_connection

LIST = reverse("api:connection-list")


def retry_url(connection):
    return reverse("api:connection-retry", args=[connection.pk])


def test_it_lists_connections_with_the_same_filters_as_the_page(viewer_client):
    make_connection(group_name="Wanted", status="unable_to_connect")
    make_connection(group_name="Other", status="completed")
    body = viewer_client.get(LIST, {"status": "unable_to_connect"}).json()
    assert [c["group_name"] for c in body["results"]] == ["Wanted"]
    assert body["results"][0]["is_retryable"] is True


def test_a_bad_filter_value_is_a_400_with_the_reason(viewer_client):
    response = viewer_client.get(LIST, {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_it_shows_one_connection(viewer_client):
    connection = make_connection(carrier_group_id="AB123456")
    body = viewer_client.get(reverse("api:connection-detail", args=[connection.pk])).json()
    assert body["carrier_group_id"] == "AB123456" and body["carrier_name"] == connection.carrier.name


def test_anonymous_callers_are_refused(client):
    assert client.get(LIST).status_code in (401, 403)


def test_a_viewer_cannot_retry(viewer_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = viewer_client.post(retry_url(connection), {}, content_type="application/json")
    assert response.status_code == 403
    assert retry_calls() == 0


def test_an_operator_retries_once_per_idempotency_key(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    payload = {"note": "from a script"}
    first = operator_client.post(
        retry_url(connection), payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    again = operator_client.post(
        retry_url(connection), payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["attempt"]["token"] == again.json()["attempt"]["token"]
    assert first.json()["connection"]["status"] == "processing"
    assert retry_calls() == 1


def test_the_api_checks_the_carriers_format_like_the_form(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = operator_client.post(
        retry_url(connection),
        {"carrier_group_id": "12"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 400
    assert "carrier_group_id" in response.json()["errors"]
    assert retry_calls() == 0


def test_noyo_refusing_comes_back_with_its_code_and_words(operator_client, mirror_from_sandbox, sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    sandbox.set_faults(fail_next=[503], path_contains="/retry", method="PUT")
    response = operator_client.post(
        retry_url(connection), {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 502
    assert "Noyo had a server error (503)" in response.json()["attempt"]["message"]
    assert retry_calls() == 1


def test_a_body_that_is_not_a_json_object_is_a_400_and_sends_nothing(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = operator_client.post(retry_url(connection), "true", content_type="application/json")
    assert response.status_code == 400
    assert retry_calls() == 0
