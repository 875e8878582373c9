"""Celery tasks of the alerts: the tick (every minute, from beat) and the sending of one delivery."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import deliver, digest, events, reports

logger = logging.getLogger("command_center.alerts")


def tick(now=None) -> dict:
    """Record new events as alerts, make the digests that are due, and queue their sending
    (and again that of deliveries whose task was lost). Answers what it did, for the log and tests."""
    now = now or timezone.now()
    collected = events.collect(now)
    made = digest.make_due(now)
    lost = list(deliver.lost(now))
    if lost:  # not lost again until LOST_AFTER from now, so a busy queue gets it once per LOST_AFTER
        deliver.lost(now).filter(pk__in=[d.pk for d in lost]).update(next_attempt_at=now)
    for delivery in [*made, *lost]:
        if delivery.state in delivery.UNFINISHED:
            send_alert_delivery.delay(delivery.pk)
    if collected or made or lost:
        logger.info("Alerts: %s new, %s digests made, %s lost deliveries sent again", collected, len(made), len(lost))
    return {"alerts": collected, "deliveries": [d.pk for d in made], "resent": [d.pk for d in lost]}


def reports_tick_now(now=None) -> list[int]:
    """Make the messages of the scheduled reports that are due and queue their sending; their ids."""
    made = reports.make_due(now or timezone.now())
    for delivery in made:
        if delivery.state in delivery.UNFINISHED:
            send_alert_delivery.delay(delivery.pk)
    if made:
        logger.info("Scheduled reports: %s due, queued", len(made))
    return [delivery.pk for delivery in made]


@shared_task(name="command_center.reports_tick")
def reports_tick():
    return reports_tick_now()


@shared_task(name="command_center.alerts_tick")
def alerts_tick():
    return tick()


@shared_task(bind=True, name="command_center.send_alert_delivery", max_retries=None)
def send_alert_delivery(self, delivery_id: int):
    """One try; on an error that may pass, the same task again after the wait ``deliver.attempt`` chose.

    The number of tries is kept on the delivery, not counted by Celery, so a task sent again by the
    tick goes on from where the lost one stopped.
    """
    tried = deliver.attempt(delivery_id)
    if tried.retry_in is not None:
        # Queued again rather than raised: the try is recorded already. Run eagerly (tests), Celery
        # makes the next try at once when handed the Retry back, instead of raising it to the caller.
        retry = self.retry(countdown=tried.retry_in, throw=False)
        return retry if self.request.is_eager else f"retrying in {tried.retry_in:.0f} s"
    return tried.delivery.state if tried.delivery else None
