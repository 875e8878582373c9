"""Administrators set up alert channels here; subscriptions, alerts and deliveries can be looked at."""

from django.contrib import admin
from django.db import models
from django.urls import reverse

from command_center.sync.admin import ViewOnlyAdmin

from .models import Alert, Channel, Delivery, Subscription


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "enabled", "state", "last_sent_at", "last_failed_at")
    list_filter = ("kind", "enabled")
    fields = (
        "name",
        "kind",
        "url",
        "enabled",
        "consecutive_failures",
        "last_sent_at",
        "last_failed_at",
        "last_failure",
    )
    readonly_fields = ("consecutive_failures", "last_sent_at", "last_failed_at", "last_failure")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a URL typed without a scheme is https

    @admin.display(description="State")
    def state(self, channel):
        if channel.is_failing:
            return f"Failing ({channel.consecutive_failures} in a row)"
        return "Latest message failed" if channel.consecutive_failures else "Working"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "topic", "attention_kind", "carrier", "family", "stale_minutes", "channel", "created_at")
    list_filter = ("topic", "channel")
    list_select_related = ("user", "carrier", "channel")
    raw_id_fields = ("user", "carrier")


class ReadOnly(ViewOnlyAdmin):
    """Written by the alert tasks only. Never deleted either: an alert gone would be made, and sent, again."""


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ("created_at", "text", "subscription", "delivery")
    list_select_related = ("subscription__user", "subscription__channel", "delivery")
    list_filter = ("topic",)
    exclude = ("attention_item", "retry_attempt", "noyo_action")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("created_at", "channel", "recipient", "subject", "state", "attempts", "reason")
    list_filter = ("state", "channel")
    list_select_related = ("channel",)

    def view_on_site(self, delivery):
        return reverse("alerts:delivery_detail", args=[delivery.pk])
