"""A retry (or another write sent to Noyo) that fails alerts those who subscribed, once per attempt."""

from django.urls import reverse

from command_center.alerts.models import Alert, Subscription
from connections.models import GroupDisconnectionRequest, NoyoAction, RetryAttempt
from tests.alerts.conftest import subscribe
from tests.factories import make_carrier

Topic = Subscription.Topic


def retry(client, connection):
    url = reverse("connections:connection_retry", args=[connection.pk])
    token = client.get(url).context["form"].initial["token"]
    return client.post(url, {"token": token, "carrier_group_id": connection.carrier_group_id})


def test_a_retry_noyo_refuses_alerts_once_and_a_retry_that_goes_through_does_not(
    operator, operator_client, email_channel, mirror_from_sandbox, sandbox, tick
):
    connection = mirror_from_sandbox("unable_to_connect")
    mine = subscribe(operator, email_channel, Topic.WRITE_FAILED)
    another_carrier = subscribe(operator, email_channel, Topic.WRITE_FAILED, carrier=make_carrier())
    sandbox.set_faults(fail_next=[500], path_contains="/retry", method="PUT")
    retry(operator_client, connection)
    attempt = RetryAttempt.objects.get(connection=connection, state=RetryAttempt.State.FAILED)

    tick()
    tick()

    (alert,) = mine.alerts.all()
    assert alert.retry_attempt == attempt and alert.event == f"retry:{attempt.pk}"
    assert (
        alert.text
        == f"Retry of {connection.group_name} with {connection.carrier.name} failed (Noyo answered 500), sent by otto.operator"
    )
    assert alert.path == reverse("connections:connection_detail", args=[connection.pk])
    assert not another_carrier.alerts.exists()

    retry(operator_client, connection)  # Noyo takes this one
    assert RetryAttempt.objects.filter(connection=connection, state=RetryAttempt.State.SUCCEEDED).exists()
    tick()
    assert mine.alerts.count() == 1


def test_a_disconnection_confirm_noyo_refuses_alerts_once(
    operator, operator_client, email_channel, mirror_from_sandbox, sandbox, noyo_settings, tick
):
    from command_center.noyo.service import noyo_client
    from connections.sync import mirror_disconnection_request, mirror_group

    subscription = subscribe(operator, email_channel, Topic.WRITE_FAILED)
    with noyo_client() as noyo:
        request_id = sandbox.examples()["group_disconnection_requests_by_status"]["needs_review"][0]
        request = mirror_disconnection_request(noyo.get_group_disconnection_request(request_id))
        mirror_group(noyo.get_group(request.group_id))
    request = GroupDisconnectionRequest.objects.select_related("group", "carrier").get(pk=request.pk)
    url = reverse("connections:disconnection_confirm", args=[request.pk])
    token = operator_client.get(url).context["form"].initial["token"]
    sandbox.set_faults(fail_next=[503], path_contains="/confirm", method="PUT")
    operator_client.post(url, {"token": token, "note": "", "effective_end_date": ""})
    action = NoyoAction.objects.get(state=NoyoAction.State.FAILED)

    tick()
    tick()

    (alert,) = subscription.alerts.all()
    assert alert.noyo_action == action
    assert alert.text == (
        f"Confirm disconnection failed for {request.group.name} with {request.carrier.name} "
        f"(Noyo answered 503), sent by otto.operator"
    )
    assert alert.path == reverse("connections:disconnection_detail", args=[request.pk])
    assert Alert.objects.count() == 1
