"""Template helpers for the Syncs pages."""

import datetime as dt
import json

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def duration(run):
    """How long a run took (or has taken so far): "4.2 s", "3 min 12 s", "1 h 05 min"; "" if it never started."""
    if run.started_at is None:
        return ""
    end = run.finished_at or timezone.now()
    return human_seconds((end - run.started_at).total_seconds())


def human_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@register.filter
def run_tone(status):
    """The notice colour for a run's message."""
    return {"succeeded": "ok", "partial": "warn", "failed": "bad", "skipped": "warn"}.get(status, "info")


@register.filter
def kind_label(kind):
    from command_center.sync.families import FAMILIES, FULL

    if kind == FULL:
        return "Full"
    return FAMILIES[kind][0].capitalize() if kind in FAMILIES else str(kind or "").replace("_", " ").capitalize()


@register.filter
def since(value):
    if not value:
        return ""
    return human_seconds((timezone.now() - value).total_seconds()) if isinstance(value, dt.datetime) else ""


@register.filter
def pretty_json(value):
    """A payload as indented JSON, keys sorted; as text when it is not JSON."""
    try:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
