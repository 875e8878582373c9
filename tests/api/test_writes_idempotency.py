"""The Idempotency-Key of API writes: a repeat answers the first outcome and sends nothing to Noyo
again (counted in the sandbox's request log), a reused key with another request is 422, a repeat
while the first is still being processed is 409, and keys are forgotten after the retention period."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from command_center.api import idempotency
from command_center.models import IdempotentRequest
from connections.models import GroupConnection, RetryAttempt
from tests.attention.factories import make_item


def retry_url(connection):
    return reverse("api:connection-retry", args=[connection.pk])


def post(client, url, body=None, key=None):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_two_sends_with_the_same_key_reach_noyo_once_and_get_the_same_answer(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    first = post(operator_client, retry_url(connection), {"note": "once"}, key)
    again = post(operator_client, retry_url(connection), {"note": "once"}, key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert retry_calls() == 1
    assert RetryAttempt.objects.exclude(state="ready").count() == 1


def test_the_repeat_gets_the_first_outcome_even_when_the_record_has_moved_on(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    post(operator_client, retry_url(connection), {}, key)
    GroupConnection.objects.filter(pk=connection.pk).update(status="completed")
    again = post(operator_client, retry_url(connection), {}, key)
    assert again.status_code == 200 and again.json()["connection"]["status"] == "processing"
    assert retry_calls() == 1


def test_the_same_key_with_other_values_is_refused_with_422_in_plain_words(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    post(operator_client, retry_url(connection), {"note": "first"}, key)
    response = post(operator_client, retry_url(connection), {"note": "second"}, key)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"This Idempotency-Key was already used for another request (POST {retry_url(connection)}, with other values). "
        "Use a new key for a new request. Nothing was done."
    )
    assert retry_calls() == 1


def test_the_same_key_on_another_write_is_refused_with_422(operator_client, mirror_from_sandbox, retry_calls):
    first, second = mirror_from_sandbox("unable_to_connect", 0), mirror_from_sandbox("unable_to_connect", 1)
    key = str(uuid.uuid4())
    post(operator_client, retry_url(first), {}, key)
    response = post(operator_client, retry_url(second), {}, key)
    assert response.status_code == 422
    assert f"already used for another request (POST {retry_url(first)})" in response.json()["detail"]
    assert retry_calls() == 1
    assert GroupConnection.objects.get(pk=second.pk).status == "unable_to_connect"


def test_the_same_values_sent_in_another_order_are_the_same_request(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    first = operator_client.post(
        retry_url(connection),
        '{"note": "x", "broker_tin": ""}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    again = operator_client.post(
        retry_url(connection),
        '{"broker_tin":"", "note":"x"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert retry_calls() == 1


def test_a_repeat_while_the_first_is_still_being_processed_answers_409_and_sends_nothing(
    operator_client, operator, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    # The first request has claimed the key and is still at work (it started a minute ago).
    IdempotentRequest.objects.create(
        user=operator,
        key=key,
        method="POST",
        path=retry_url(connection),
        body_digest=idempotency.body_digest({}),
        started_at=timezone.now() - dt.timedelta(minutes=1),
    )
    response = post(operator_client, retry_url(connection), {}, key)
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        "The first request with this Idempotency-Key is still being processed. Try again"
    )
    assert retry_calls() == 0
    assert not RetryAttempt.objects.exists()


def test_a_request_whose_process_died_is_taken_over_and_nothing_is_sent_twice(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    first = post(operator_client, retry_url(connection), {}, key)
    # As if the process had died after Noyo answered but before the answer was kept.
    IdempotentRequest.objects.filter(key=key).update(
        state="in_progress",
        status_code=None,
        response_body=None,
        started_at=timezone.now() - idempotency.TAKEN_OVER_AFTER - dt.timedelta(minutes=1),
    )
    again = post(operator_client, retry_url(connection), {}, key)
    assert again.status_code == 200
    assert again.json()["attempt"]["token"] == first.json()["attempt"]["token"]
    assert retry_calls() == 1
    assert IdempotentRequest.objects.get(key=key).state == "done"


def test_a_write_to_noyo_without_a_key_is_refused_and_sends_nothing(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = post(operator_client, retry_url(connection), {})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "Send an Idempotency-Key header (a UUID of your choosing) with this request"
    )
    assert retry_calls() == 0


@pytest.mark.parametrize("key", ["", " padded ", "x" * 256, "tab\there"])
def test_a_key_that_is_not_printable_ascii_or_too_long_is_refused(
    operator_client, mirror_from_sandbox, retry_calls, key
):
    connection = mirror_from_sandbox("unable_to_connect")
    response = post(operator_client, retry_url(connection), {}, key)
    assert response.status_code == 400 and "printable ASCII" in response.json()["detail"]
    assert retry_calls() == 0


def test_a_refusal_before_anything_was_sent_frees_the_key_for_corrected_values(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    key = str(uuid.uuid4())
    assert post(operator_client, retry_url(connection), {"carrier_group_id": "12"}, key).status_code == 400
    response = post(operator_client, retry_url(connection), {"carrier_group_id": connection.carrier_group_id}, key)
    assert response.status_code == 200
    assert retry_calls() == 1


def test_keys_are_kept_per_user(operator_client, operator, django_user_model):
    from django.contrib.auth.models import Group
    from django.test import Client

    other = django_user_model.objects.create_user("olga.operator")
    other.groups.add(Group.objects.get(name="Operator"))
    other_client = Client()
    other_client.force_login(other)
    item = make_item()
    url = reverse("api:attention-acknowledge", args=[item.pk])
    key = "shared-key-1"
    assert post(operator_client, url, {}, key).json()["changed"] is True
    response = post(other_client, url, {}, key)  # the same key from someone else is their own request
    assert not response.has_header("Idempotent-Replayed")
    assert response.json()["detail"].startswith("Already acknowledged by otto.operator")


def test_keys_are_forgotten_after_the_retention_period(operator_client, operator, settings):
    settings.IDEMPOTENCY_KEYS_KEPT_HOURS = 2
    item = make_item()
    url = reverse("api:attention-assign", args=[item.pk])
    key = str(uuid.uuid4())
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert post(operator_client, url, {"assignee": operator.pk}, key).status_code == 200
        clock.shift(dt.timedelta(hours=1))
        assert post(operator_client, url, {"assignee": None}, key).status_code == 422  # still remembered
        clock.shift(dt.timedelta(hours=1, minutes=1))
        response = post(operator_client, url, {"assignee": None}, key)
    assert response.status_code == 200 and response.json()["detail"] == "Nobody has it now."
    assert IdempotentRequest.objects.count() == 1


def test_a_write_that_changes_nothing_when_repeated_takes_the_key_but_does_not_need_it(operator_client, db):
    item = make_item()
    url = reverse("api:attention-acknowledge", args=[item.pk])
    assert post(operator_client, url, {}).status_code == 200
    assert not IdempotentRequest.objects.exists()


def test_the_openapi_document_describes_the_key_on_every_write():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = {path: operation["post"] for path, operation in schema["paths"].items() if "post" in operation}
    assert len(writes) == 10
    for path, operation in writes.items():
        (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key", path
        assert header.get("required", False) is not ("/attention-items/" in path or "/sync-runs/" in path), path
