"""E-mail digests: one message per person per window, at their own address, through Django's mail backend."""

from django.contrib.auth import get_user_model
from django.core import mail

from command_center.alerts.models import Delivery
from command_center.models import AttentionItem
from tests.alerts.conftest import subscribe
from tests.attention.factories import make_item

MINUTE = 60


def test_alerts_within_the_window_arrive_in_one_e_mail_per_person_and_later_ones_in_the_next(
    operator, viewer, email_channel, clock, tick, settings
):
    settings.DEFAULT_FROM_EMAIL = "Command Center <cc@example.com>"
    for person in (operator, viewer):
        subscribe(person, email_channel)
    first = make_item()
    tick()
    clock.shift(2 * MINUTE)
    second = make_item(kind=AttentionItem.Kind.CONNECTION_STUCK)
    tick()
    clock.shift(2 * MINUTE)
    assert tick()["deliveries"] == [] and not mail.outbox  # the window of the first alert is not over

    clock.shift(1 * MINUTE + 1)
    tick()

    assert sorted(message.to[0] for message in mail.outbox) == sorted([operator.email, viewer.email])
    for message in mail.outbox:
        assert message.subject == "Command Center: 2 alerts"
        assert message.from_email == "Command Center <cc@example.com>"
        assert f"https://cc.example.com/attention/{first.pk}/" in message.body
        assert f"https://cc.example.com/attention/{second.pk}/" in message.body
        assert message.body.endswith("Choose what you are sent: https://cc.example.com/alerts/")

    clock.shift(1 * MINUTE)
    third = make_item()
    tick()
    clock.shift(settings.ALERT_DIGEST_SECONDS - 1)
    tick()
    assert len(mail.outbox) == 2
    clock.shift(2)
    tick()

    later = mail.outbox[2:]
    assert len(later) == 2
    assert all(message.subject.startswith("Command Center: Connection needs action") for message in later)
    assert all(
        f"/attention/{third.pk}/" in message.body and f"/attention/{first.pk}/" not in message.body for message in later
    )
    assert set(Delivery.objects.values_list("state", "attempts")) == {(Delivery.State.SENT, 1)}


def test_someone_without_an_e_mail_address_gets_a_failed_delivery_that_says_so_and_the_channel_stays_working(
    operator, email_channel, clock, tick, settings
):
    subscribe(operator, email_channel)
    get_user_model().objects.filter(pk=operator.pk).update(email="")  # removed after subscribing
    make_item()
    tick()
    clock.shift(settings.ALERT_DIGEST_SECONDS + 1)
    tick()

    delivery = Delivery.objects.get()
    assert not mail.outbox
    assert delivery.state == Delivery.State.FAILED
    assert delivery.reason == (
        "otto.operator has no e-mail address, so this was not sent. "
        "An administrator can add one to the user in the admin."
    )
    email_channel.refresh_from_db()
    assert email_channel.consecutive_failures == 0 and not email_channel.is_failing


def test_a_mail_server_that_cannot_be_reached_is_tried_again_then_recorded_as_failed(
    operator, email_channel, clock, tick, settings
):
    import socket

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    subscribe(operator, email_channel)
    make_item()
    tick()
    clock.shift(settings.ALERT_DIGEST_SECONDS + 1)
    tick()

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == settings.ALERT_SEND_ATTEMPTS
    assert delivery.reason.startswith(f"Could not reach the mail server (127.0.0.1:{port}): ")
    assert delivery.reason.endswith(f"Gave up after {settings.ALERT_SEND_ATTEMPTS} tries.")
