"""The alert models: channels, subscriptions, alerts and their deliveries (``command_center.alerts``).

They live in this package and belong to the ``command_center`` app (``command_center.models`` imports
them), so their migration is one of the app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from command_center.models import AttentionItem


def failing_after() -> int:
    """Failed messages in a row after which a channel is shown as failing (settings.ALERT_CHANNEL_FAILING_AFTER)."""
    return max(1, int(getattr(settings, "ALERT_CHANNEL_FAILING_AFTER", 3)))


class Channel(models.Model):
    """Where alerts go, set up by an administrator in the admin.

    An e-mail channel sends each subscriber a digest at their own address (the user's e-mail);
    a webhook channel posts one digest for all its subscribers to a Slack- or Teams-style
    incoming webhook (``{"text": ...}``). The URL of a webhook is a secret: only the admin shows it.
    ``consecutive_failures`` counts the messages in a row that failed for good (a sent one resets it).
    """

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    url = models.URLField(
        max_length=1000,
        blank=True,
        help_text="Webhooks only: the incoming-webhook URL (Slack, Teams...). It is a secret: pages never show it.",
    )
    enabled = models.BooleanField(default=True, help_text="A disabled channel gets no new alerts.")
    created_at = models.DateTimeField(default=timezone.now)
    consecutive_failures = models.PositiveIntegerField(default=0, help_text="Messages in a row that failed for good.")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.TextField(blank=True, help_text="Why the latest failed message failed, in plain words.")

    class Meta:
        ordering = ["name"]
        verbose_name = "alert channel"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="email") | ~models.Q(url=""),
                name="alert_channel_webhook_has_url",
                violation_error_message="A webhook channel needs the URL of its incoming webhook.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_failing(self) -> bool:
        return self.consecutive_failures >= failing_after()


class Subscription(models.Model):
    """What one person wants to hear about, and on which channel.

    * ``attention``: attention items opened (or reopened) after the subscription was made, of one
      kind or any (``attention_kind`` blank), about one carrier or any (``carrier`` empty);
    * ``family_stale``: a sync family (or any) without a successful sync for ``stale_minutes``;
    * ``write_failed``: a retry, or another write sent to Noyo, that failed (one carrier or any).
    """

    class Topic(models.TextChoices):
        ATTENTION = "attention", "New attention items"
        FAMILY_STALE = "family_stale", "A sync family without a successful sync"
        WRITE_FAILED = "write_failed", "A retry (or another write to Noyo) that failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="subscriptions")
    topic = models.CharField(max_length=16, choices=Topic.choices)
    attention_kind = models.CharField(max_length=32, blank=True, choices=AttentionItem.Kind.choices)
    carrier = models.ForeignKey(
        "connections.Carrier", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    family = models.CharField(max_length=64, blank=True, help_text="Blank: every family.")
    stale_minutes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, help_text="Events before this are not alerted.")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "alert subscription"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(topic="family_stale") | models.Q(stale_minutes__gte=1),
                name="alert_stale_needs_minutes",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_topic_display()} → {self.channel}"


class Alert(models.Model):
    """One event for one subscription: an item opened, a family's outage, a failed write.

    ``event`` names the event (``attention:12:2026-05-01T10:00:00+00:00``, ``stale:groups:since:…``,
    ``retry:7``); the unique constraint on (subscription, event) is what makes it one alert, however
    many syncs or ticks see the event. ``text`` is built only from fields that cannot hold an SSN.
    An alert waits (``delivery`` empty) until its digest is made.
    """

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="alerts")
    event = models.CharField(max_length=200)
    topic = models.CharField(max_length=16, choices=Subscription.Topic.choices)
    occurred_at = models.DateTimeField(help_text="When the event happened (an item's opening, an outage's start).")
    text = models.CharField(max_length=500)
    path = models.CharField(max_length=500, blank=True, help_text="The console page about it, without the host.")
    created_at = models.DateTimeField(default=timezone.now)
    delivery = models.ForeignKey(
        "Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", db_index=False
    )
    # What the event is about, for "not alerted yet?" (collect) and the page's links.
    attention_item = models.ForeignKey(
        AttentionItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retry_attempt = models.ForeignKey(
        "connections.RetryAttempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    noyo_action = models.ForeignKey(
        "connections.NoyoAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="alert_once_per_subscription_event"),
        ]
        indexes = [
            # Batching: the alerts not in a digest yet, oldest first.
            models.Index(
                fields=["created_at", "id"], name="alert_waiting_idx", condition=models.Q(delivery__isnull=True)
            ),
            # A digest's alerts.
            models.Index(fields=["delivery", "id"], name="alert_delivery_idx"),
        ]

    def __str__(self):
        return self.text


class DeliveryQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(state__in=Delivery.UNFINISHED)


class Delivery(models.Model):
    """One digest message to one channel (to one address, for e-mail): what it said and how sending it went.

    Made once its window is over (``command_center.alerts.digest``), then sent by a Celery task that
    tries again with growing waits on errors that may pass (a timeout, a refused connection, a 5xx or
    429) and gives up at once on those that will not (another 4xx). ``history`` lists every attempt.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        RETRYING = "retrying", "Failed, trying again"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    UNFINISHED = (State.PENDING, State.RETRYING)

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.CharField(max_length=254, blank=True, help_text="The e-mail address; blank for a webhook.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    alert_count = models.PositiveIntegerField(default=0, help_text="Events the message lists.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next try is due, while unfinished."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the latest try failed, in plain words.")
    history = models.JSONField(
        default=list, blank=True, help_text='Each try: {"at", "outcome", "reason", "wait_seconds" before the next}.'
    )
    # A scheduled report's message: which report, and the time it was due (once per report and slot).
    report = models.ForeignKey(
        "ScheduledReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    report_slot = models.DateTimeField(
        null=True, blank=True, help_text="Scheduled reports: the time this message was due."
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name, verbose_name_plural = "alert delivery", "alert deliveries"
        indexes = [
            # The deliveries page, newest first.
            models.Index(fields=["-created_at", "-id"], name="delivery_created_idx"),
            # A channel's latest deliveries (the channel page).
            models.Index(fields=["channel", "-created_at"], name="delivery_channel_idx"),
            # The tick's rescue of unfinished deliveries whose task was lost.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_unfinished_idx",
                condition=models.Q(state__in=["pending", "retrying"]),
            ),
        ]
        constraints = [
            # What makes a report go once per due time, however many ticks or workers see it due
            # (and a report's latest messages, on the reports page).
            models.UniqueConstraint(fields=["report", "report_slot"], name="delivery_once_per_report_slot"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.channel} ({self.state})"

    @property
    def to(self) -> str:
        return self.recipient or self.channel.name


class ScheduledReport(models.Model):
    """A saved view's CSV, sent to its owner on a schedule (``command_center.alerts.reports``).

    Daily, or weekly on ``weekday`` (0 is Monday), at ``at`` in ``time_zone``. By e-mail the CSV is
    attached (a link to the console's export when it is bigger than ``REPORT_ATTACH_MAX_BYTES``);
    to a webhook it is always a link, which asks whoever follows it to sign in. Each message is a
    ``Delivery``, recorded and retried like an alert's. Slots before ``scheduled_at`` (when the
    schedule was last set) are not sent: a report made or changed at 09:00 for 08:00 starts tomorrow.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_reports")
    view = models.ForeignKey("command_center.SavedView", on_delete=models.CASCADE, related_name="reports")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="reports")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, choices=Weekday.choices)
    at = models.TimeField(help_text="The time of day it is sent, in time_zone.")
    time_zone = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    scheduled_at = models.DateTimeField(
        default=timezone.now, help_text="When the schedule was last set: earlier slots are not sent."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(frequency="weekly") | models.Q(weekday__isnull=False),
                name="report_weekly_needs_weekday",
                violation_error_message="A weekly report needs its day of the week.",
            ),
        ]

    def __str__(self):
        return f"{self.view.name} · {self.get_frequency_display().lower()} → {self.channel}"
