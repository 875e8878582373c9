"""What happened that a subscription asked to hear about: ``collect`` turns it into ``Alert`` rows.

Events are read from what the console already records, so nothing in the sync or the writes has
to call in here, and a failure here never stops a sync:

* an attention item opened or reopened (``AttentionItem.opened_at``, set by
  ``command_center.attention.derive``) since the subscription was made, still open, of the
  subscription's kind and carrier;
* a family whose latest successful sync (``SyncFamily.last_success_at``, written by
  ``command_center.sync.runs.record_outcome``) is older than the subscription's minutes: one
  outage is one event, named after the success before it, so it alerts once however long it lasts,
  and again only after a success and a new outage;
* a retry (``RetryAttempt``) or another write to Noyo (``NoyoAction``) that ended failed since the
  subscription was made.

Each event gives one ``Alert`` per subscription: the rows are inserted with ``ignore_conflicts``
against the unique (subscription, event) constraint, so a second tick, a second sync or a second
worker adds none. The queries skip what already has an alert, so a tick costs little when nothing
is new.

No alert text ever holds an SSN: it is built only from fields that cannot hold one (kind and status
labels, carrier and group names, family labels, user names, HTTP status codes), never from Noyo's
free text (a carrier's error, a request's message, a sync's message) nor anything about a member;
``safe_text`` masks anything SSN-shaped that reached a name all the same.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince

from command_center.models import AttentionItem, SyncFamily

from .models import Alert, Subscription

logger = logging.getLogger("command_center.alerts")

Topic = Subscription.Topic

# Alerts one subscription gets per kind of event in one tick; the rest come with the next tick.
PER_TICK = 1000
TEXT_LENGTH = Alert._meta.get_field("text").max_length


def collect(now: dt.datetime | None = None) -> int:
    """Record an alert for every new event of every active subscription; answers how many were new."""
    now = now or timezone.now()
    subscriptions = (
        Subscription.objects.filter(channel__enabled=True, user__is_active=True)
        .select_related("channel", "carrier")
        .order_by("pk")
    )
    families = list(SyncFamily.objects.order_by("family"))
    candidates: list[Alert] = []
    for subscription in subscriptions:
        try:
            with transaction.atomic():  # a savepoint: a failed query leaves the others usable
                candidates += new_alerts(subscription, families, now)
        except Exception:  # one subscription's bug must not silence everyone else's alerts
            logger.exception("Alerts: the events of subscription #%s could not be read", subscription.pk)
    for alert in candidates:
        alert.created_at = now
        alert.text = safe_text(alert.text)[:TEXT_LENGTH]
    # The queries above skipped what has an alert already; a tick running beside this one may have
    # made some meanwhile, and the constraint skips those.
    Alert.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=500)
    return len(candidates)


def new_alerts(subscription: Subscription, families: list[SyncFamily], now: dt.datetime) -> list[Alert]:
    """The subscription's events that have no alert yet, as unsaved alerts."""
    if subscription.topic == Topic.ATTENTION:
        return attention_alerts(subscription)
    if subscription.topic == Topic.FAMILY_STALE:
        return stale_alerts(subscription, families, now)
    if subscription.topic == Topic.WRITE_FAILED:
        return retry_alerts(subscription) + action_alerts(subscription)
    return []


def safe_text(text: str) -> str:
    """``text`` with anything shaped like an SSN masked: names come from Noyo, and a person may type anything."""
    from members.readable import mask_ssns_in_text

    return mask_ssns_in_text(" ".join(str(text).split()))


# --- Attention items -----------------------------------------------------------------------------


def attention_alerts(subscription: Subscription) -> list[Alert]:
    items = AttentionItem.objects.open().filter(opened_at__gte=subscription.created_at)
    if subscription.attention_kind:
        items = items.filter(kind=subscription.attention_kind)
    if subscription.carrier_id:
        items = items.filter(carrier_id=subscription.carrier_id)
    alerted = Alert.objects.filter(
        subscription=subscription, attention_item=OuterRef("pk"), occurred_at=OuterRef("opened_at")
    )
    items = list(
        items.filter(~Exists(alerted)).select_related("carrier", "group").order_by("opened_at", "pk")[:PER_TICK]
    )
    statuses = _connection_statuses(items)
    return [
        Alert(
            subscription=subscription,
            event=f"attention:{item.pk}:{item.opened_at.isoformat()}",
            topic=Topic.ATTENTION,
            occurred_at=item.opened_at,
            text=attention_text(item, statuses.get(item.object_id, "")),
            path=reverse("attention_detail", args=[item.pk]),
            attention_item=item,
        )
        for item in items
    ]


def _connection_statuses(items) -> dict[str, str]:
    """The mirrored status of the connections the items are about (one query)."""
    from connections.models import GroupConnection

    ids = [item.object_id for item in items if item.resource == "connections.groupconnection"]
    if not ids:
        return {}
    return dict(GroupConnection._base_manager.filter(pk__in=ids).values_list("pk", "status"))


def attention_text(item: AttentionItem, status: str = "") -> str:
    """E.g. "Connection needs action (Unable to connect): Acme Corp with Beta Health".

    Not the item's summary: it quotes the carrier's or Noyo's own words, which may hold anything.
    """
    from command_center.sync.families import FAMILIES
    from command_center.sync.records import label_for

    text = item.get_kind_display()
    if status:
        text += f" ({label_for(status)})"
    if item.resource == "command_center.syncfamily":
        return f"{text}: the {FAMILIES.get(item.object_id, (item.object_id,))[0]} sync"
    where = [name for name in (_group_name(item), item.carrier.name if item.carrier else "") if name]
    return f"{text}: {' with '.join(where)}" if where else text


def _group_name(item: AttentionItem) -> str:
    return (item.group.name or item.group.dba_name) if item.group else ""


# --- Families without a successful sync -----------------------------------------------------------


def stale_alerts(subscription: Subscription, families: list[SyncFamily], now: dt.datetime) -> list[Alert]:
    """One alert per outage of each family the subscription watches.

    The outage is measured from the family's latest success, or from when the subscription was made
    if the family never succeeded (there is nothing earlier to go by).
    """
    limit = dt.timedelta(minutes=subscription.stale_minutes or 60)
    alerts = []
    for family in families:
        if subscription.family and family.family != subscription.family:
            continue
        since = family.last_success_at or subscription.created_at
        if now - since < limit:
            continue
        alerts.append(
            Alert(
                subscription=subscription,
                event=f"stale:{family.family}:since:{family.last_success_at.isoformat() if family.last_success_at else 'never'}",
                topic=Topic.FAMILY_STALE,
                occurred_at=since + limit,
                text=stale_text(family, now),
                path=f"{reverse('sync_list')}?{urlencode({'kind': family.family})}",
            )
        )
    if not alerts:
        return alerts
    # An outage lasts many ticks: only its first makes news.
    known = set(
        Alert.objects.filter(subscription=subscription, event__in=[a.event for a in alerts]).values_list(
            "event", flat=True
        )
    )
    return [alert for alert in alerts if alert.event not in known]


def stale_text(family: SyncFamily, now: dt.datetime) -> str:
    """E.g. "No successful group connections sync for 1 hour, 5 minutes (last success May 1 09:00 UTC; the latest attempt failed)".

    Not the run's message: it may quote an error's own words.
    """
    from command_center.sync.families import kind_label

    label = kind_label(family.family)
    parts = []
    if family.last_success_at:
        head = f"No successful {label} sync for {_duration(family.last_success_at, now)}"
        parts.append(f"last success {_when(family.last_success_at)}")
    else:
        head = f"The {label} sync has never succeeded"
    if family.last_attempt_at:
        outcome = family.get_last_outcome_display().lower() if family.last_outcome else "no outcome recorded"
        parts.append(f"latest attempt {_when(family.last_attempt_at)}: {outcome}")
    elif not family.last_success_at:
        parts.append("it has never run")
    return f"{head} ({'; '.join(parts)})"


# --- Failed writes -------------------------------------------------------------------------------


def retry_alerts(subscription: Subscription) -> list[Alert]:
    from connections.models import RetryAttempt

    attempts = RetryAttempt.objects.filter(state=RetryAttempt.State.FAILED, finished_at__gte=subscription.created_at)
    if subscription.carrier_id:
        attempts = attempts.filter(connection__carrier_id=subscription.carrier_id)
    alerted = Alert.objects.filter(subscription=subscription, retry_attempt=OuterRef("pk"))
    attempts = attempts.filter(~Exists(alerted)).select_related(
        "connection__carrier", "connection__group", "requested_by"
    )
    return [
        Alert(
            subscription=subscription,
            event=f"retry:{attempt.pk}",
            topic=Topic.WRITE_FAILED,
            occurred_at=attempt.finished_at,
            text=retry_text(attempt),
            path=reverse("connections:connection_detail", args=[attempt.connection_id]),
            retry_attempt=attempt,
        )
        for attempt in attempts.order_by("finished_at", "pk")[:PER_TICK]
    ]


def retry_text(attempt) -> str:
    """E.g. "Retry of Acme Corp with Beta Health failed (Noyo answered 422), sent by otto.operator".

    Not the attempt's message: it holds Noyo's words.
    """
    connection = attempt.connection
    group = (connection.group.name if connection.group_id and connection.group else "") or connection.group_name
    where = " with ".join(name for name in (group, connection.carrier.name if connection.carrier else "") if name)
    text = f"Retry of {where or 'a group connection'} failed"
    text += f" (Noyo answered {attempt.noyo_status_code})" if attempt.noyo_status_code else " (no answer from Noyo)"
    if attempt.requested_by:
        text += f", sent by {attempt.requested_by.get_username()}"
    return text


def action_alerts(subscription: Subscription) -> list[Alert]:
    from connections.models import NoyoAction

    actions = NoyoAction.objects.filter(state=NoyoAction.State.FAILED, finished_at__gte=subscription.created_at)
    if subscription.carrier_id:
        actions = actions.filter(carrier_id=subscription.carrier_id)
    alerted = Alert.objects.filter(subscription=subscription, noyo_action=OuterRef("pk"))
    actions = list(
        actions.filter(~Exists(alerted)).select_related("requested_by").order_by("finished_at", "pk")[:PER_TICK]
    )
    names = _names(actions)
    return [
        Alert(
            subscription=subscription,
            event=f"action:{action.pk}",
            topic=Topic.WRITE_FAILED,
            occurred_at=action.finished_at,
            text=action_text(action, names),
            path=action_path(action),
            noyo_action=action,
        )
        for action in actions
    ]


def _names(actions) -> dict[str, str]:
    """Group and carrier names by id, for the actions' texts (two queries)."""
    from connections.models import Carrier, Group

    groups = dict(
        Group._base_manager.filter(pk__in={a.group_id for a in actions if a.group_id}).values_list("pk", "name")
    )
    carriers = dict(
        Carrier.objects.filter(pk__in={a.carrier_id for a in actions if a.carrier_id}).values_list("pk", "name")
    )
    return {**groups, **carriers}


def action_text(action, names: dict[str, str]) -> str:
    """E.g. "Confirm disconnection failed for Acme Corp with Beta Health (Noyo answered 409), sent by otto.operator"."""
    where = " with ".join(names[i] for i in (action.group_id, action.carrier_id) if i and names.get(i))
    text = f"{action.get_kind_display()} failed" + (f" for {where}" if where else "")
    text += f" (Noyo answered {action.noyo_status_code})" if action.noyo_status_code else " (no answer from Noyo)"
    if action.requested_by:
        text += f", sent by {action.requested_by.get_username()}"
    return text


def action_path(action) -> str:
    from connections.models import NoyoAction

    Kind = NoyoAction.Kind
    if action.kind in (Kind.CONFIRM_DISCONNECTION, Kind.REJECT_DISCONNECTION) and action.target_id:
        return reverse("connections:disconnection_detail", args=[action.target_id])
    if action.group_id:
        return reverse("connections:group_detail", args=[action.group_id])
    return reverse("connections:connection_list")


# --- Words ---------------------------------------------------------------------------------------


def _duration(since: dt.datetime, now: dt.datetime) -> str:
    return timesince(since, now).replace("\xa0", " ")


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%b %-d %H:%M %Z")
