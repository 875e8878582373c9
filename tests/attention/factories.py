"""Attention items for page tests, made directly (derivation has its own tests)."""

import itertools

from django.utils import timezone

from command_center.models import AttentionItem
from tests.factories import make_connection

_seq = itertools.count(1)


def make_item(kind=AttentionItem.Kind.CONNECTION_NEEDS_ACTION, record=None, **fields):
    """An open item about ``record`` (a new unable_to_connect connection by default)."""
    now = timezone.now()
    if record is None and "object_id" not in fields:
        record = make_connection(status="unable_to_connect", setup_error="The carrier does not know this group number.")
    defaults = {
        "kind": kind,
        "resource": record._meta.label_lower if record is not None else "connections.groupconnection",
        "object_id": str(record.pk) if record is not None else "",
        "carrier_id": getattr(record, "carrier_id", None),
        "group_id": getattr(record, "group_id", None),
        "employee_id": getattr(record, "employee_id", None),
        "summary": f"Unable to connect: problem {next(_seq)}",
        "first_detected_at": now,
        "last_detected_at": now,
        "opened_at": now,
    }
    return AttentionItem.objects.create(**{**defaults, **fields})
