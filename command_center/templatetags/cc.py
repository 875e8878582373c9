"""Template helpers shared by every page: status badges, sortable headers, masked values."""

import datetime as dt

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timesince import TIME_STRINGS, timesince, timeuntil
from django.utils.translation import get_language

from command_center.sync.records import label_for

register = template.Library()

# The one way a moment is written out, with its zone: "Dec 1, 2026 14:05 UTC".
MOMENT_FORMAT = "M j, Y H:i T"

# How each status looks, across every resource. Anything not listed shows as "unknown".
TONES = {
    "ok": {"completed", "sent", "active", "succeeded", "ready", "done", "resolved", "verified"},
    "info": {
        "created",
        "processing",
        "submitted",
        "scheduled",
        "queued",
        "running",
        "pending",
        "waiting_on_carrier",
        "noyo_review",
    },
    "warn": {"action_required", "carrier_authorization", "not_ready", "needs_review", "partial", "skipped"},
    "bad": {"unable_to_connect", "failed", "invalid", "rejected"},
    "idle": {"replaced", "no_changes", "canceled", "terminated", "discontinued", "removed"},
}
_TONE_OF = {status: tone for tone, statuses in TONES.items() for status in statuses}


@register.filter
def tone(status):
    return _TONE_OF.get(status or "", "unknown")


@register.simple_tag
def badge(status, label=None):
    """<span class="badge ok">Completed</span>; an unknown value is shown as it came, marked unknown."""
    if not status:
        return ""
    css = tone(status)
    title = "A status this version of Command Center does not know" if css == "unknown" else ""
    return format_html('<span class="badge {}" title="{}">{}</span>', css, title, label or label_for(status))


@register.filter
def label(value):
    return label_for(value) if value else ""


@register.simple_tag(takes_context=True)
def sort_header(context, key, title):
    """A column header that sorts by ``key`` (toggling direction), keeping the other query parameters."""
    request = context["request"]
    current = context.get("sort", "")
    descending_now = current == f"-{key}"
    ascending_now = current == key
    next_sort = f"-{key}" if ascending_now else key
    params = request.GET.copy()
    params["sort"] = next_sort
    params.pop("page", None)
    url = f"{request.path}?{params.urlencode()}"
    arrow = " ▲" if ascending_now else " ▼" if descending_now else ""
    css = "sorted" if arrow else ""
    return format_html(
        '<a href="{}" hx-get="{}" hx-target="#results" hx-push-url="true" class="{}">{}{}</a>',
        url,
        url,
        css,
        title,
        arrow,
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    params = context["request"].GET.copy()
    params["page"] = number
    return f"{context['request'].path}?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def export_url(context, url_name_path):
    """The export URL carrying the current filters and sort (not the page)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    return f"{url_name_path}?{params.urlencode()}" if params else url_name_path


@register.filter
def query_without(querydict, key):
    params = querydict.copy()
    params.pop(key, None)
    return urlencode(params, doseq=True)


@register.filter
def params_except(querydict, keys):
    """The query string's ``(key, value)`` pairs but those of the space-separated ``keys``.

    Read here, not as ``request.GET.lists`` in a template: a template looks ``lists`` up as a
    key first, so ``?lists=x`` handed it the string "x" to unpack (a 500)."""
    skip = set(keys.split())
    return [(key, value) for key, values in querydict.lists() if key not in skip for value in values]


# --- Times ------------------------------------------------------------------------------


@register.filter
def ago(value, now=None):
    """ "just now" within a minute, else "3 minutes ago"; a moment ahead of ours (the demo sandbox's
    clock runs fast) reads "in 3 minutes", not "0 minutes ago"."""
    if not value:
        return ""
    now = now or timezone.now()
    if abs(now - value) < dt.timedelta(minutes=1):
        return "just now"
    if value > now:
        return f"in {timeuntil(value, now, depth=1, time_strings=TIME_WORDS)}"
    return f"{timesince(value, now, depth=1, time_strings=TIME_WORDS)} ago"


class _TimeWords:
    """One of timesince's "%(num)d hours", translated once per language and number instead of on
    every call (a lazy plural is looked up again each time it is used; a list page uses hundreds)."""

    _texts: dict[tuple, str] = {}

    def __init__(self, unit: str):
        self.unit = unit

    def __mod__(self, params: dict) -> str:
        key = (get_language(), self.unit, params["num"])
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = TIME_STRINGS[self.unit] % params
        return text


# For timesince(..., time_strings=TIME_WORDS): the same words as its own.
TIME_WORDS = {unit: _TimeWords(unit) for unit in TIME_STRINGS}


@register.filter
def absolute(value):
    """The moment in the console's one format, its zone shown (a day alone: the day).

    Written out here rather than by ``date_format``, which parses the format and looks each month's
    name up again on every call: a list page writes a hundred of these. The same text (tests/core/test_times.py)."""
    if not value:
        return ""
    if not isinstance(value, dt.datetime):
        return f"{_month_abbr(value.month)} {value.day}, {value.year:04d}"
    local = timezone.localtime(value)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return date_format(local, MOMENT_FORMAT)  # the hour a clock goes back: date_format names no zone
    return (
        f"{_month_abbr(local.month)} {local.day}, {local.year:04d} {local.hour:02d}:{local.minute:02d} {local.tzname()}"
    )


_MONTH_ABBRS: dict[str | None, list[str]] = {}


def _month_abbr(month: int) -> str:
    """ "Dec": date_format's "M", read once per language."""
    language = get_language()
    if language not in _MONTH_ABBRS:
        _MONTH_ABBRS[language] = [""] + [str(MONTHS_3[n]).title() for n in range(1, 13)]
    return _MONTH_ABBRS[language][month]


@register.filter
def when(value, now=None):
    """A moment as every page shows it: how long ago, the exact time (with its zone) on hover."""
    if not isinstance(value, dt.datetime):
        return absolute(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), absolute(value), ago(value, now))


@register.inclusion_tag("includes/live_note.html", takes_context=True)
def live_note(context):
    """When a live region last refreshed, and how it goes on (static/js/app.js does the refreshing)."""
    return {"now": context.get("now") or timezone.now(), "seconds": settings.LIVE_REFRESH_SECONDS}


@register.simple_tag
def live_seconds():
    return settings.LIVE_REFRESH_SECONDS
