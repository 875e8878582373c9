"""The tick runs every minute from beat, out of the box; the sending task goes on from the tries the row records."""

import time

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from command_center.alerts import deliver, tasks
from command_center.alerts.models import Channel, Delivery
from command_center.celery import app
from tests.alerts.conftest import past_the_window, subscribe
from tests.attention.factories import make_item


def test_a_migration_schedules_the_tick_every_minute_and_makes_the_e_mail_channel(db):
    task = PeriodicTask.objects.select_related("interval").get(name="Send alerts")
    assert (task.task, task.interval.every, task.interval.period, task.enabled) == (
        "command_center.alerts_tick",
        1,
        "minutes",
        True,
    )
    assert {"command_center.alerts_tick", "command_center.send_alert_delivery"} <= set(app.tasks)
    assert Channel.objects.get(name="E-mail").kind == Channel.Kind.EMAIL


def test_a_second_tick_at_the_same_moment_makes_no_second_digest(
    operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    subscribe(operator, webhook_channel)
    make_item()
    tick()
    clock.shift(past_the_window(settings))
    first, second = tick(), tick()

    assert len(first["deliveries"]) == 1 and second["deliveries"] == []
    assert len(webhook_endpoint.received) == 1


def test_a_delivery_whose_task_was_lost_is_sent_again_by_the_tick_once_it_is_long_overdue(
    operator, webhook_channel, webhook_endpoint, clock, tick, settings, monkeypatch
):
    subscribe(operator, webhook_channel)
    make_item()
    tick()
    clock.shift(past_the_window(settings))
    lost = []
    monkeypatch.setattr(
        tasks.send_alert_delivery, "delay", lambda delivery_id: lost.append(delivery_id)
    )  # the broker drops it
    tick()
    monkeypatch.undo()
    (delivery,) = Delivery.objects.all()
    assert lost == [delivery.pk] and delivery.state == Delivery.State.PENDING

    clock.shift(deliver.LOST_AFTER.total_seconds() - 60)
    assert tick()["resent"] == []
    clock.shift(120)
    assert tick()["resent"] == [delivery.pk]

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1
    assert len(webhook_endpoint.received) == 1


@pytest.mark.worker
def test_a_real_worker_tries_again_after_the_wait_and_records_the_delivery_sent(
    redis_worker, operator, webhook_channel, webhook_endpoint, settings
):
    settings.ALERT_RETRY_SECONDS = 1
    webhook_endpoint.answers = [503, 200]
    delivery = Delivery.objects.create(
        channel=webhook_channel, subject="Command Center: 1 alert", body="• Something", next_attempt_at=timezone.now()
    )

    assert (
        tasks.send_alert_delivery.apply_async(args=[delivery.pk], ignore_result=False).get(timeout=20)
        == "retrying in 1 s"
    )
    deadline = time.monotonic() + 30  # the worker waits the second, then tries again
    while Delivery.objects.get(pk=delivery.pk).state != Delivery.State.SENT and time.monotonic() < deadline:
        time.sleep(0.2)

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 2
    assert [entry["outcome"] for entry in delivery.history] == ["retrying", "sent"]
    assert len(webhook_endpoint.received) == 2
