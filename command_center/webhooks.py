"""Noyo webhooks: verifying them, and re-fetching the record an event names.

Noyo's events carry no data, only ``{"data": {"id": ...}, "event": {"type": ...}}``; the
receiver verifies the signature and queues ``tasks.refetch_object``, which GETs the record
and writes it through the same mapping as a sync, so a status change shows within seconds.

Noyo signs the raw body (``x-noyo-signature``, hex HMAC-SHA256) and not its ``x-noyo-timestamp``,
so the timestamp alone cannot stop a captured delivery being sent again with a fresh one: each
accepted body is remembered (``remember``) and the same body again is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

# Event type prefix -> what to re-fetch.
EVENT_KINDS = {
    "group_connection_request": "group_connection",
    "group_disconnection_request": "disconnection_request",
    "member_snapshot": "snapshot",
    "member_snapshot_carrier_fulfillment_status": "snapshot",
    "difference": "difference",
    "group": "group",
}
MAX_AGE = dt.timedelta(minutes=5)


ALREADY_RECEIVED = "This delivery was already received at {when}; a delivery is accepted once."


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        self.status, self.reason = status, reason
        super().__init__(reason)


def verify(secret: str, body: bytes, signature: str, timestamp: str, now: dt.datetime | None = None) -> None:
    """Raise ``Refused`` unless the signature is the hex HMAC-SHA256 of ``body`` and the timestamp is fresh."""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise Refused(401, "The signature does not match.")
    sent = parse_timestamp(timestamp)
    if sent is None:
        raise Refused(401, "The timestamp is missing or not a time.")
    now = now or dt.datetime.now(dt.UTC)
    if abs(now - sent) > MAX_AGE:
        raise Refused(401, "The timestamp is more than 5 minutes away from now.")


def parse_timestamp(value: str) -> dt.datetime | None:
    """Noyo sends ISO 8601; epoch seconds are read too."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def remember(body: bytes, event_type: str = "", object_id: str = "", now: dt.datetime | None = None) -> None:
    """Record an accepted delivery; ``Refused(409)`` if this body was already received.

    The body is what Noyo signs, and each event has its own id in it, so two deliveries with the
    same body are one delivery sent twice. Receipts older than NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS are
    deleted here, as new ones arrive, so no cleanup job is needed.
    """
    from django.conf import settings
    from django.db import IntegrityError, transaction

    from command_center.models import WebhookReceipt

    now = now or dt.datetime.now(dt.UTC)
    digest = hashlib.sha256(body).hexdigest()
    WebhookReceipt.objects.filter(
        received__lt=now - dt.timedelta(hours=settings.NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS)
    ).delete()
    try:
        # A savepoint: the unique constraint refuses the second of two copies however close together.
        with transaction.atomic():
            WebhookReceipt.objects.create(
                digest=digest, received=now, event_type=event_type[:100], object_id=object_id[:64]
            )
    except IntegrityError:
        first = WebhookReceipt.objects.filter(digest=digest).values_list("received", flat=True).first()
        when = first.astimezone(dt.UTC).isoformat() if first else "an earlier time"
        raise Refused(409, ALREADY_RECEIVED.format(when=when)) from None


def target(event: object) -> tuple[str, str]:
    """(kind, id) of the record an event names; ``Refused(400)`` when the body says nothing usable."""
    from command_center.sync.records import normalize_noyo_id

    if not isinstance(event, dict):
        raise Refused(400, "The body is not a JSON object.")
    data, meta = event.get("data"), event.get("event")
    object_id = normalize_noyo_id(data.get("id")) if isinstance(data, dict) else None
    event_type = meta.get("type") if isinstance(meta, dict) else None
    if not isinstance(event_type, str):
        event_type = event.get("type") if isinstance(event.get("type"), str) else None
    if object_id is None or not event_type:
        raise Refused(400, "The body names no event type or no record id.")
    kind = EVENT_KINDS.get(event_type.rsplit(".", 1)[0])
    if kind is None:
        raise Refused(400, f"Unknown event type {event_type[:80]!r}.")
    return kind, object_id


def refetch(kind: str, object_id: str, noyo=None):
    """GET one record from Noyo and write it through the sync's mapping; return the row."""
    from command_center.noyo.service import noyo_client

    if noyo is None:
        with noyo_client() as client:
            return refetch(kind, object_id, client)
    from connections import sync as connections_sync
    from members import sync as members_sync

    if kind == "group_connection":
        return connections_sync.mirror_group_connection(noyo.get_group_connection(object_id))
    if kind == "disconnection_request":
        return connections_sync.mirror_disconnection_request(noyo.get_group_disconnection_request(object_id))
    if kind == "group":
        return connections_sync.mirror_group(noyo.get_group(object_id))
    if kind == "snapshot":
        return members_sync.mirror_snapshot(noyo.get_member_snapshot(object_id))
    if kind == "difference":
        return members_sync.mirror_difference(noyo.get_difference(object_id))
    raise ValueError(f"Cannot re-fetch a {kind}")
