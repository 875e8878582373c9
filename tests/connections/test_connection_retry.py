"""Retrying one connection, against the running sandbox: the form, the outcome, Noyo's errors,
and never two retry calls for one attempt."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry, StatusChange
from connections.models import GroupConnection, RetryAttempt
from tests.factories import make_connection


def retry_url(connection):
    return reverse("connections:connection_retry", args=[connection.pk])


def open_form(client, connection):
    """GET the form as a browser would; return the token it carries."""
    response = client.get(retry_url(connection))
    assert response.status_code == 200
    return str(response.context["form"].initial["token"])


def send(client, connection, token, **values):
    data = {
        "token": token,
        "carrier_group_id": values.pop("carrier_group_id", connection.carrier_group_id),
        "broker_federal_ein": values.pop("broker_federal_ein", connection.broker_federal_ein),
        "broker_tin": values.pop("broker_tin", connection.broker_tin),
        "note": values.pop("note", ""),
    }
    return client.post(retry_url(connection), data, **values)


def text(response):
    return " ".join(response.content.decode().split())


def other_valid_number(connection):
    """A carrier_group_id in the carrier's format that no other sandbox connection uses."""
    import re

    current = connection.carrier_group_id
    return re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), current, count=1)


# --- The form ---------------------------------------------------------------------------


def test_the_form_is_prefilled_with_the_ids_and_names_the_carriers_format(operator_client, mirror_from_sandbox):
    connection = mirror_from_sandbox("unable_to_connect")
    response = operator_client.get(retry_url(connection))
    form = response.context["form"]
    assert form.initial["carrier_group_id"] == connection.carrier_group_id
    assert form.initial["broker_federal_ein"] == connection.broker_federal_ein
    assert form.initial["broker_tin"] == connection.broker_tin
    assert connection.carrier.format_hint in text(response)
    assert RetryAttempt.objects.get(token=form.initial["token"]).state == "ready"


def test_a_viewer_gets_403_on_the_form_and_on_a_direct_post_and_nothing_reaches_noyo(
    viewer_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    assert viewer_client.get(retry_url(connection)).status_code == 403
    response = send(viewer_client, connection, str(uuid.uuid4()))
    assert response.status_code == 403
    assert retry_calls() == 0


def test_the_detail_page_shows_no_retry_control_to_a_viewer(viewer_client, operator_client):
    connection = make_connection(status="unable_to_connect")
    url = reverse("connections:connection_detail", args=[connection.pk])
    assert retry_url(connection) not in viewer_client.get(url).content.decode()
    assert retry_url(connection) in operator_client.get(url).content.decode()


def test_a_connection_that_cannot_be_retried_gets_an_explanation_not_a_form(operator_client):
    connection = make_connection(status="completed")
    response = operator_client.get(retry_url(connection))
    assert response.context["form"] is None
    assert "Retry is offered for connections that are unable to connect" in text(response)


# --- Success ----------------------------------------------------------------------------


def test_a_retry_with_a_new_carrier_group_id_goes_to_noyo_once_and_the_new_status_shows_at_once(
    operator_client, operator, mirror_from_sandbox, sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    old_number = connection.carrier_group_id
    new_number = other_valid_number(connection)
    token = open_form(operator_client, connection)

    response = send(
        operator_client, connection, token, carrier_group_id=new_number, note="Carrier confirmed the new number"
    )

    assert response.status_code == 200
    assert "Retry sent." in text(response) and "Processing" in text(response)
    assert retry_calls() == 1
    connection.refresh_from_db()
    assert connection.status == "processing"
    assert connection.carrier_group_id == new_number
    assert StatusChange.objects.for_object(connection).last().new_status == "processing"
    attempt = RetryAttempt.objects.get(token=token)
    assert (attempt.state, attempt.old_carrier_group_id, attempt.carrier_group_id) == (
        "succeeded",
        old_number,
        new_number,
    )

    entry = AuditEntry.objects.get(action="retry")
    assert entry.actor == operator and entry.outcome == "succeeded" and entry.object_id == connection.pk
    assert entry.details["old_carrier_group_id"] == old_number
    assert entry.details["new_carrier_group_id"] == new_number
    assert entry.details["note"] == "Carrier confirmed the new number"
    assert entry.details["noyo_answer"]["status"] == "processing"


def test_an_htmx_post_gets_the_outcome_panel_alone(operator_client, mirror_from_sandbox):
    connection = mirror_from_sandbox("unable_to_connect")
    token = open_form(operator_client, connection)
    response = send(operator_client, connection, token, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="retry-panel"' in html and "<html" not in html
    # The status badge and the "connection now" panel beside the form update too.
    assert '<span id="connection-status" hx-swap-oob="true">' in html
    assert 'id="retry-aside" hx-swap-oob="true"' in html and "Never retried" not in html


# --- One attempt, one call ----------------------------------------------------------------


def test_a_double_click_or_a_browser_resend_does_not_call_noyo_twice(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    token = open_form(operator_client, connection)
    first = send(operator_client, connection, token)
    again = send(operator_client, connection, token)
    assert retry_calls() == 1
    assert "Retry sent." in text(first) and "Retry sent." in text(again)
    assert AuditEntry.objects.filter(action="retry").count() == 1


def test_a_second_tab_finds_the_connection_already_retried_and_sends_nothing(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    first_tab = open_form(operator_client, connection)
    second_tab = open_form(operator_client, connection)
    send(operator_client, connection, first_tab)
    response = send(operator_client, connection, second_tab)
    assert retry_calls() == 1
    assert "Nothing was sent." in text(response) and "Processing" in text(response)
    assert RetryAttempt.objects.get(token=second_tab).state == "skipped"


def test_while_an_attempt_is_in_flight_another_one_for_the_same_connection_is_not_sent(
    operator_client, operator, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    RetryAttempt.objects.create(
        token=uuid.uuid4(), connection=connection, requested_by=operator, state="in_flight", started_at=timezone.now()
    )
    response = send(operator_client, connection, open_form(operator_client, connection))
    assert retry_calls() == 0
    assert "another retry of this connection is being sent right now" in text(response)


def test_a_resend_while_its_attempt_is_in_flight_says_so_and_polls_for_the_outcome(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    token = open_form(operator_client, connection)
    RetryAttempt.objects.filter(token=token).update(state="in_flight", started_at=timezone.now())
    response = send(operator_client, connection, token)
    assert response.status_code == 202
    assert "Sending this retry to Noyo" in text(response)
    assert reverse("connections:retry_attempt", args=[connection.pk, token]) in response.content.decode()
    assert retry_calls() == 0


def test_polling_stops_with_286_once_the_attempt_has_finished(operator_client, mirror_from_sandbox):
    connection = mirror_from_sandbox("unable_to_connect")
    token = open_form(operator_client, connection)
    send(operator_client, connection, token)
    response = operator_client.get(
        reverse("connections:retry_attempt", args=[connection.pk, token]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 286
    assert "Retry sent." in text(response)


def test_an_attempt_left_in_flight_by_a_dead_worker_is_released(
    operator_client, operator, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    stale = RetryAttempt.objects.create(
        token=uuid.uuid4(),
        connection=connection,
        requested_by=operator,
        state="in_flight",
        started_at=timezone.now() - dt.timedelta(minutes=30),
    )
    send(operator_client, connection, open_form(operator_client, connection))
    assert retry_calls() == 1
    stale.refresh_from_db()
    assert stale.state == "failed" and "No answer was recorded" in stale.message


def test_an_unknown_token_sends_nothing_and_keeps_what_was_typed(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = send(operator_client, connection, str(uuid.uuid4()), note="typed by hand")
    assert response.status_code == 422
    assert "out of date, so nothing was sent" in text(response)
    assert response.context["form"]["note"].value() == "typed by hand"
    assert retry_calls() == 0


# --- Checked before sending ------------------------------------------------------------------


def test_a_carrier_group_id_in_the_wrong_format_is_refused_beside_the_field_before_anything_is_sent(
    operator_client, mirror_from_sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    token = open_form(operator_client, connection)
    response = send(operator_client, connection, token, carrier_group_id="12", note="keep me")
    assert response.status_code == 422
    form = response.context["form"]
    assert "expects a carrier group id in this format" in form.errors["carrier_group_id"][0]
    assert form["note"].value() == "keep me" and form["carrier_group_id"].value() == "12"
    assert retry_calls() == 0
    # The same form, corrected, is still good for one attempt.
    assert send(operator_client, connection, token).status_code == 200
    assert retry_calls() == 1


def test_broker_ids_are_checked_as_ein_or_ssn(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    response = send(
        operator_client, connection, open_form(operator_client, connection), broker_federal_ein="123", broker_tin="abc"
    )
    form = response.context["form"]
    assert "is not an EIN" in form.errors["broker_federal_ein"][0]
    assert "neither an EIN" in form.errors["broker_tin"][0]
    assert retry_calls() == 0


# --- Noyo says no ----------------------------------------------------------------------------


def test_noyo_409_for_a_duplicate_number_is_a_plain_sentence_beside_the_form_with_the_values_kept(
    operator_client, mirror_from_sandbox, sandbox_api, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    others = sandbox_api.get(
        "/group_connections", params={"carrier_id": connection.carrier_id, "page_size": 100}
    ).json()["response"]
    taken = next(o["group_data"]["carrier_group_id"] for o in others if o["id"] != connection.pk)
    token = open_form(operator_client, connection)
    response = send(operator_client, connection, token, carrier_group_id=taken, note="after the carrier call")
    assert retry_calls() == 1
    assert response.status_code == 422
    page = text(response)
    assert "The retry did not go through." in page
    assert "Another group connection already uses this carrier_id and carrier_group_id." in page
    form = response.context["form"]
    assert form["note"].value() == "after the carrier call" and form["carrier_group_id"].value() == taken
    assert str(form["token"].value()) != token  # a fresh attempt for the corrected send
    entry = AuditEntry.objects.get(action="retry")
    assert entry.outcome == "failed" and entry.details["noyo_status_code"] == 409


def test_noyo_409_because_our_copy_is_behind_refreshes_the_connection(
    operator_client, mirror_from_sandbox, retry_calls
):
    # Noyo already completed this connection; the mirror still says unable_to_connect.
    connection = mirror_from_sandbox("completed")
    GroupConnection.objects.filter(pk=connection.pk).update(status="unable_to_connect", version="an-older-version")
    response = send(operator_client, connection, open_form(operator_client, connection))
    assert retry_calls() == 1
    assert response.status_code == 422
    assert "cannot be retried" in text(response) and "Noyo shows the connection as “Completed”" in text(response)
    connection.refresh_from_db()
    assert connection.status == "completed"
    assert response.context["form"] is None


def test_noyo_422_puts_its_field_messages_beside_the_fields(operator_client, mirror_from_sandbox, retry_calls):
    connection = mirror_from_sandbox("unable_to_connect")
    # Our copy of the carrier does not know its format, so only Noyo can refuse the number.
    connection.carrier.carrier_group_id_format = ""
    connection.carrier.save()
    response = send(operator_client, connection, open_form(operator_client, connection), carrier_group_id="WRONG-1")
    assert retry_calls() == 1
    assert response.status_code == 422
    errors = response.context["form"].errors["carrier_group_id"]
    assert errors[0].startswith("Noyo: Does not match") and connection.carrier.name in errors[0]
    assert response.context["form"]["carrier_group_id"].value() == "WRONG-1"
    assert "Noyo rejected the data" in text(response)
    assert RetryAttempt.objects.filter(state="failed").get().field_errors["carrier_group_id"]


@pytest.mark.parametrize("code", [500, 503])
def test_noyo_5xx_is_a_plain_sentence_and_the_retry_is_not_sent_again(
    operator_client, mirror_from_sandbox, sandbox, retry_calls, code
):
    connection = mirror_from_sandbox("unable_to_connect")
    sandbox.set_faults(fail_next=[code], path_contains="/retry", method="PUT")
    response = send(operator_client, connection, open_form(operator_client, connection), note="try again")
    assert retry_calls() == 1  # a write Noyo may have acted on is never re-sent by the client
    assert response.status_code == 422
    assert f"Noyo had a server error ({code}). Try again later." in text(response)
    assert response.context["form"]["note"].value() == "try again"
    assert AuditEntry.objects.get(action="retry").details["noyo_status_code"] == code


def test_a_dropped_connection_says_noyo_may_have_received_it(
    operator_client, mirror_from_sandbox, sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    sandbox.set_faults(fail_next=["drop"], path_contains="/retry", method="PUT")
    response = send(operator_client, connection, open_form(operator_client, connection))
    assert retry_calls() == 1
    assert "Noyo may have received the change" in text(response)
    # It looked at Noyo afterwards, and the connection is still retryable there, so the form is back.
    assert sandbox.requests(method="GET", path_contains=f"/group_connections/{connection.pk}")
    assert response.context["form"] is not None


def test_a_resend_of_a_failed_attempt_shows_that_failure_without_calling_again(
    operator_client, mirror_from_sandbox, sandbox, retry_calls
):
    connection = mirror_from_sandbox("unable_to_connect")
    sandbox.set_faults(fail_next=[500], path_contains="/retry", method="PUT")
    token = open_form(operator_client, connection)
    send(operator_client, connection, token)
    again = send(operator_client, connection, token)
    assert retry_calls() == 1
    assert "Noyo had a server error (500)" in text(again)


def test_forms_opened_and_never_sent_are_dropped_after_a_day(operator_client, operator):
    connection = make_connection(status="unable_to_connect")
    old = RetryAttempt.objects.create(
        token=uuid.uuid4(), connection=connection, requested_by=operator, created=timezone.now() - dt.timedelta(days=2)
    )
    sent = RetryAttempt.objects.create(
        token=uuid.uuid4(),
        connection=connection,
        requested_by=operator,
        state="failed",
        created=timezone.now() - dt.timedelta(days=2),
    )
    operator_client.get(retry_url(connection))
    assert not RetryAttempt.objects.filter(pk=old.pk).exists()
    assert RetryAttempt.objects.filter(pk=sent.pk).exists()
