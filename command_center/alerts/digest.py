"""Digests: the alerts waiting for one channel (one address, for e-mail) become one message.

A digest is due ``ALERT_DIGEST_SECONDS`` after the first alert it holds was recorded; whatever
arrived for the same channel and address by then goes in the same message, so a channel gets at
most one message per window. ``make_due`` makes a ``Delivery`` of each due digest, with its text
written once (what the page shows is what was sent), and claims its alerts with a conditional
UPDATE: a second tick running at the same moment claims none of them and makes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import Alert, Channel, Delivery

# Lines one message lists; the rest are counted, with a link to where they are.
MAX_LINES = 50
SUBJECT_LENGTH = Delivery._meta.get_field("subject").max_length


def digest_seconds() -> int:
    return max(0, int(getattr(settings, "ALERT_DIGEST_SECONDS", 300)))


def base_url() -> str:
    return str(getattr(settings, "CONSOLE_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def make_due(now: dt.datetime | None = None) -> list[Delivery]:
    """A delivery for each channel (and address) whose oldest waiting alert is ``digest_seconds()`` old."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=digest_seconds())
    waiting = (
        Alert.objects.filter(delivery__isnull=True, subscription__channel__enabled=True)
        .select_related("subscription__channel", "subscription__user")
        .order_by("created_at", "pk")
    )
    digests: dict[tuple, list[Alert]] = {}
    for alert in waiting:
        channel = alert.subscription.channel
        per_user = alert.subscription.user_id if channel.kind == Channel.Kind.EMAIL else None
        digests.setdefault((channel.pk, per_user), []).append(alert)
    made = []
    for alerts in digests.values():
        if alerts[0].created_at <= cutoff:
            delivery = _make(alerts, now)
            if delivery is not None:
                made.append(delivery)
    return made


def _make(alerts: list[Alert], now: dt.datetime) -> Delivery | None:
    subscription = alerts[0].subscription
    channel = subscription.channel
    user = subscription.user if channel.kind == Channel.Kind.EMAIL else None
    subject, body, count = render(alerts)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            channel=channel,
            user=user,
            recipient=user.email if user else "",
            subject=subject,
            body=body,
            alert_count=count,
            created_at=now,
            next_attempt_at=now,
        )
        claimed = Alert.objects.filter(pk__in=[alert.pk for alert in alerts], delivery__isnull=True).update(
            delivery=delivery
        )
        if claimed != len(alerts):  # another tick is making this digest: it sends them
            transaction.set_rollback(True)
            return None
    if user is not None and not user.email:
        from .deliver import give_up

        give_up(
            delivery,
            f"{user.get_username()} has no e-mail address, so this was not sent. "
            "An administrator can add one to the user in the admin.",
            now=now,
            channel_at_fault=False,
        )
    return delivery


def render(alerts: list[Alert]) -> tuple[str, str, int]:
    """The subject and the plain-text body of a digest, one line per event, each with its link; and how many events.

    Two subscriptions posting to one webhook may share an event: it is listed once.
    """
    lines, seen = [], set()
    for alert in sorted(alerts, key=lambda a: (a.occurred_at, a.pk or 0)):
        if alert.event not in seen:
            seen.add(alert.event)
            lines.append(alert)
    root = base_url()
    count = len(lines)
    subject = f"Command Center: {lines[0].text}" if count == 1 else f"Command Center: {count} alerts"
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[: SUBJECT_LENGTH - 1] + "…"
    body = [f"{count} new alert{'s' * (count != 1)} from Command Center:", ""]
    for alert in lines[:MAX_LINES]:
        body.append(f"• {alert.text}")
        if alert.path:
            body.append(f"  {root}{alert.path}")
    if count > MAX_LINES:
        body += [
            "",
            f"…and {count - MAX_LINES} more. The attention queue lists every open item: {root}{reverse('attention_list')}",
        ]
    body += ["", f"Choose what you are sent: {root}{reverse('alerts:subscription_list')}"]
    return subject, "\n".join(body), count
