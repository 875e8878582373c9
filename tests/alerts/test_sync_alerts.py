"""Alerts from real syncs against the sandbox: a connection the sandbox moves to unable_to_connect reaches each
subscriber exactly once, in one digest per channel, and the syncs after it add nothing."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from command_center.alerts.models import Alert, Delivery
from command_center.models import AttentionEvent, AttentionItem
from connections.models import GroupConnection
from tests.alerts.conftest import past_the_window, subscribe

Kind = AttentionItem.Kind
HALF_AN_HOUR = dt.timedelta(minutes=30).total_seconds()


def retry(client, connection):
    """Retry one connection through the page an Operator uses: the form, then its POST."""
    url = reverse("connections:connection_retry", args=[connection.pk])
    token = client.get(url).context["form"].initial["token"]
    response = client.post(url, {"token": token, "carrier_group_id": connection.carrier_group_id})
    assert response.status_code == 200, response.content.decode()[:500]


def test_a_connection_the_sandbox_moves_to_unable_to_connect_reaches_each_subscriber_once(
    sync_now,
    sandbox,
    operator,
    operator_client,
    email_channel,
    webhook_channel,
    webhook_endpoint,
    clock,
    tick,
    settings,
):
    sync_now("group_connections")
    item = (
        AttentionItem.objects.open()
        .filter(kind=Kind.CONNECTION_NEEDS_ACTION, summary__startswith="Unable to connect")
        .first()
    )
    connection = GroupConnection.objects.select_related("carrier").get(pk=item.object_id)
    # Three people: by e-mail, in the team's chat, and one watching another carrier only.
    someone = get_user_model().objects.create_user("sam.support", email="sam@example.com")
    by_email = subscribe(
        operator, email_channel, attention_kind=Kind.CONNECTION_NEEDS_ACTION, carrier=connection.carrier
    )
    in_chat = subscribe(
        someone, webhook_channel, attention_kind=Kind.CONNECTION_NEEDS_ACTION, carrier=connection.carrier
    )
    other_carrier = (
        GroupConnection.objects.exclude(carrier=connection.carrier).values_list("carrier", flat=True).first()
    )
    elsewhere = subscribe(
        get_user_model().objects.create_user("olga", email="olga@example.com"),
        email_channel,
        attention_kind=Kind.CONNECTION_NEEDS_ACTION,
        carrier_id=other_carrier,
    )
    assert tick()["alerts"] == 0  # what was open before they subscribed is not news

    # The carrier refuses the connection again: a retry moves it to processing, and half an hour later
    # the sandbox has it unable to connect.
    sandbox.set_faults(connection_outcome="unable_to_connect")
    retry(operator_client, connection)
    sync_now("group_connections")
    sandbox.advance(HALF_AN_HOUR)
    run = sync_now("group_connections")
    assert GroupConnection.objects.get(pk=connection.pk).status == "unable_to_connect"

    tick()
    # Everything that run opened for this carrier and kind: the refused connection, and whatever else moved.
    opened = set(
        AttentionEvent.objects.filter(
            run=run,
            action__in=["opened", "reopened"],
            item__kind=Kind.CONNECTION_NEEDS_ACTION,
            item__carrier=connection.carrier,
        ).values_list("item", flat=True)
    )
    assert item.pk in opened
    for subscription in (by_email, in_chat):
        assert sorted(subscription.alerts.values_list("attention_item", flat=True)) == sorted(opened)
    assert not elsewhere.alerts.filter(attention_item=item).exists()

    sync_now("group_connections")  # nothing changed: no new alert
    assert tick()["alerts"] == 0
    assert not mail.outbox and not webhook_endpoint.received  # the digest waits for its window

    clock.shift(past_the_window(settings))
    tick()

    (email,) = [message for message in mail.outbox if message.to == [operator.email]]
    (chat,) = webhook_endpoint.texts
    link = f"https://cc.example.com{reverse('attention_detail', args=[item.pk])}"
    for body in (email.body, chat):
        assert body.count(link) == 1
        assert body.startswith(f"{len(opened)} new alert{'s' * (len(opened) != 1)} from Command Center:")
    assert connection.carrier.name in email.body and "Connection needs action (Unable to connect)" in email.body
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == len(mail.outbox) + 1

    # Later syncs and ticks add nothing, and send nothing again.
    sync_now("group_connections")
    clock.shift(past_the_window(settings))
    assert tick() == {"alerts": 0, "deliveries": [], "resent": []}
    assert len(webhook_endpoint.received) == 1
    assert Alert.objects.filter(attention_item=item).count() == 2
