"""Small display helpers for the connections console."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from command_center.templatetags.cc import TIME_WORDS, ago

register = template.Library()


# Shared with every page (command_center's cc library); registered here too for the pages that load it.
register.filter("ago", ago)


@register.filter
def duration_since(value, now=None):
    """How long since ``value``: "under a minute", "3 hours", "2 weeks, 1 day"."""
    if not value:
        return ""
    now = now or timezone.now()
    if now - value < dt.timedelta(minutes=1):
        return "under a minute"
    return timesince(value, now, time_strings=TIME_WORDS)


@register.filter
def end_date(value):
    """An end date as "Dec 31, 2026"; Noyo's open-ended 9999-12-31 as "open-ended"."""
    if not value:
        return "—"
    if value.year == 9999:
        return "open-ended"
    return value.strftime("%b %-d, %Y")


@register.filter
def at_most(count, limit):
    """A bounded count for display: "1,000+" once it passed ``limit``, else the number."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    return f"{intcomma(limit)}+" if count > limit else intcomma(count)


@register.filter
def every(delta):
    """A schedule's interval in words: "5 minutes", "30 minutes", "hour", "2 hours"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes" if minutes != 1 else "minute"
    hours = minutes // 60
    return "hour" if hours == 1 else f"{hours} hours"
