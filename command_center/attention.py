"""Attention items: every condition that needs a person, opened and closed by the syncs themselves.

Each kind of item (``AttentionItem.Kind``) is a ``Condition``: the rows of one mirrored model that
need a person (``GroupConnection.objects.needs_action()``, ``MemberRequest.objects.failed()`` ...),
owned by one sync resource (``group_connections``, ``member_requests`` ...). When a sync family
ends, ``derive_after_family`` (called from ``command_center.sync.runs`` once the family's outcome
is recorded) derives the kinds of every resource the family read, in bulk, with a fixed number of
statements per kind whatever the number of rows:

1. open: one ``INSERT … SELECT`` of the condition's rows, ``ON CONFLICT DO NOTHING`` (the unique
   constraint on kind + record keeps one row per record, open or closed);
2. reopen: one ``UPDATE`` of the closed items whose record is back in the condition;
3. refresh: one ``UPDATE`` of ``last_detected_at`` (and the summary, carrier, group, employee) of the
   open items still in it;
4. close: one ``UPDATE`` of the open items whose record is no longer in it, *only* when the
   resource's lists were read to the end (``Counts.complete``, the same test that decides
   ``removed_upstream_at``): a partial read closes nothing it may not have seen;
5. history: one ``INSERT … SELECT`` of events per transition (opened, reopened, closed), the items
   being those whose transition time is this pass's ``now``.

"A sync keeps failing" is derived the same way from the ``SyncFamily`` rows, after every family.
The people's verbs (acknowledge, assign, snooze) are below; each changes the row with a
conditional UPDATE, so a repeat changes nothing, and writes history and the audit log once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, Left
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from command_center.lists import COUNT_LIMIT
from command_center.models import AttentionEvent, AttentionItem, SyncFamily, SyncRun

logger = logging.getLogger("command_center.attention")

Kind = AttentionItem.Kind

SUMMARY_LENGTH = AttentionItem._meta.get_field("summary").max_length
DEFAULT_SYNC_FAILURES = 3


def sync_failures() -> int:
    """Failed attempts in a row after which a family's sync needs a person (settings.ATTENTION_SYNC_FAILURES)."""
    return max(1, int(getattr(settings, "ATTENTION_SYNC_FAILURES", DEFAULT_SYNC_FAILURES)))


# --- Conditions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One kind of attention item: which rows need a person, and what the item says about them.

    ``rows(now)`` is a queryset of the model filtered to the condition; ``summary()`` an SQL
    expression over its columns (plain words, at most SUMMARY_LENGTH); ``carrier``, ``group`` and
    ``employee`` name the columns the item copies (None: the model has none). ``resource`` is the
    sync resource (``command_center.sync.engine.Resource.key``) whose lists decide the condition;
    None for the sync family's own state, derived after every family.
    """

    kind: str
    model: Callable[[], type[models.Model]]
    rows: Callable[[dt.datetime], models.QuerySet]
    summary: Callable[[], models.Expression]
    resource: str | None
    carrier: str | None = "carrier_id"
    group: str | None = "group_id"
    employee: str | None = None

    @property
    def label(self) -> str:
        return Kind(self.kind).label

    def source(self, now) -> models.QuerySet:
        """The condition's rows as the item columns they give, named ``a_<column>``."""
        return self.annotated(self.rows(now)).values(
            "a_object_id", "a_carrier_id", "a_group_id", "a_employee_id", "a_summary"
        )

    def annotated(self, rows) -> models.QuerySet:
        def column(name):
            return F(name) if name else Value(None, output_field=CharField())

        return rows.order_by().annotate(
            a_object_id=F("pk"),
            a_carrier_id=column(self.carrier),
            a_group_id=column(self.group),
            a_employee_id=column(self.employee),
            a_summary=Left(self.summary(), SUMMARY_LENGTH),
        )


def _label(field: str, choices, blank: str = "") -> Case:
    """The display label of a choice column, in SQL: what the pages say for each value."""
    whens = [When(**{field: value}, then=Value(str(label))) for value, label in choices]
    return Case(*whens, When(**{field: ""}, then=Value(blank)), default=F(field), output_field=CharField())


def _prefixed(field: str, prefix: str, text: Callable[[], models.Expression]) -> Case:
    """``prefix + text`` when ``field`` is not blank, else nothing."""
    return Case(
        When(Q(**{field: ""}) | Q(**{f"{field}__isnull": True}), then=Value("")),
        default=Concat(Value(prefix), text(), output_field=CharField()),
        output_field=CharField(),
    )


def _connection_summary():
    """E.g. "Unable to connect: <the carrier's error>"; without an error, what the status means."""
    from connections.explain import STATUS_MEANINGS
    from connections.models import ConnectionStatus

    # The carrier's own wording where its kind is known, else the one that holds for Sync and Send alike.
    whens = []
    for status, (_, sync, send, either) in STATUS_MEANINGS.items():
        whens += [
            When(status=status, carrier__kind="sync", then=Value(f": {sync}")),
            When(status=status, carrier__kind="send", then=Value(f": {send or sync}")),
            When(status=status, then=Value(f": {either or sync}")),
        ]
    meaning = Case(*whens, default=Value(""), output_field=CharField())
    return Concat(
        _label("status", ConnectionStatus.choices),
        Case(
            When(setup_error="", then=meaning),
            default=Concat(Value(": "), F("setup_error"), output_field=CharField()),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _stuck_summary():
    from connections.models import ConnectionStatus, stuck_days

    days = stuck_days()
    return Concat(
        Value("Stuck in “"),
        _label("status", ConnectionStatus.choices),
        Value(f"” for more than {days} day{'s' * (days != 1)}"),
        output_field=CharField(),
    )


def _member_request_summary():
    from members.models import MemberRequestType

    return Concat(
        _label("request_type", MemberRequestType.choices, blank="Member"),
        Value(" request failed; it must be sent again as a new request"),
        output_field=CharField(),
    )


def _fulfillment_summary():
    """The first error Noyo gave for the carrier, when it gave one."""
    return Concat(
        Value("Fulfillment invalid at the carrier: "),
        Coalesce(
            KT("errors__0__message"),
            Value("a data problem stopped this carrier's part of the snapshot"),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _difference_summary():
    from members.models import DifferenceClassification

    return Concat(
        _label("classification", DifferenceClassification.choices, blank="Difference"),
        _prefixed("difference_type", ": ", lambda: F("difference_type")),
        Value(" (platform and carrier disagree)"),
        output_field=CharField(),
    )


def _disconnection_summary():
    from connections.models import DisconnectionReason

    return Concat(
        Value("Disconnection waiting for review"),
        _prefixed(
            "reason",
            " (",
            lambda: Concat(_label("reason", DisconnectionReason.choices), Value(")"), output_field=CharField()),
        ),
        Case(
            When(effective_end_date__isnull=True, then=Value("")),
            default=Concat(
                Value("; last day through Noyo "), Cast("effective_end_date", CharField()), output_field=CharField()
            ),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _renewal_summary():
    """The first issue Noyo lists for the renewal (the renewals reference: why it is not_ready)."""
    return Concat(
        Value("Renewal on "),
        Coalesce(Cast("renewal_date", CharField()), Value("an unknown date")),
        Value(" is not ready: "),
        Coalesce(KT("issues__0__message"), Value("Noyo lists issues to fix first"), output_field=CharField()),
        output_field=CharField(),
    )


def _sync_failing_summary():
    from command_center.sync.families import FAMILIES

    n = sync_failures()
    family = Case(
        *[When(family=key, then=Value(label)) for key, (label, _) in FAMILIES.items()],
        default=F("family"),
        output_field=CharField(),
    )
    return Concat(
        Value("The "),
        family,
        Value(f" sync failed {'its last ' + str(n) + ' attempts' if n > 1 else 'its last attempt'}: "),
        F("last_message"),
        output_field=CharField(),
    )


def _model(path: str):
    def get():
        from django.apps import apps

        return apps.get_model(path)

    return get


def _connections_needing_action(now):
    from connections.models import GroupConnection

    return GroupConnection.objects.needs_action()


def _connections_stuck(now):
    from connections.models import GroupConnection

    return GroupConnection.objects.stuck(now=now)


def _failed_member_requests(now):
    from members.models import MemberRequest

    return MemberRequest.objects.failed()


def _invalid_fulfillments(now):
    from members.models import FulfillmentSummary

    return FulfillmentSummary.objects.invalid()


def _unresolved_differences(now):
    """Differences nobody resolved, dismissed or suppressed (ENDPOINTS.md §15: those need no one)."""
    from members.models import TrackingDifference

    return TrackingDifference.objects.present().filter(resolved__isnull=True, is_dismissed=False, is_suppressed=False)


def _disconnections_to_review(now):
    from connections.models import GroupDisconnectionRequest

    return GroupDisconnectionRequest.objects.needing_review()


def _renewals_not_ready(now):
    from connections.models import RenewalDecision, RenewalDecisionStatus

    return RenewalDecision.objects.present().filter(status=RenewalDecisionStatus.NOT_READY)


def _families_failing(now):
    """The families whose latest ``sync_failures()`` attempts all failed (one small query per family)."""
    from command_center.sync.families import FAMILIES, FULL

    n = sync_failures()
    failing = []
    for family in FAMILIES:
        attempts = (
            SyncRun.objects.filter(kind__in=[family, FULL], families__has_key=family)
            .order_by("-created", "-pk")
            .values_list("families", flat=True)[:n]
        )
        outcomes = [(families or {}).get(family, {}).get("status") for families in attempts]
        if len(outcomes) == n and all(outcome == SyncRun.Status.FAILED for outcome in outcomes):
            failing.append(family)
    return SyncFamily.objects.filter(family__in=failing)


CONDITIONS: dict[str, Condition] = {
    condition.kind: condition
    for condition in (
        Condition(
            Kind.CONNECTION_NEEDS_ACTION,
            _model("connections.GroupConnection"),
            _connections_needing_action,
            _connection_summary,
            "group_connections",
        ),
        Condition(
            Kind.CONNECTION_STUCK,
            _model("connections.GroupConnection"),
            _connections_stuck,
            _stuck_summary,
            "group_connections",
        ),
        Condition(
            Kind.MEMBER_REQUEST_FAILED,
            _model("members.MemberRequest"),
            _failed_member_requests,
            _member_request_summary,
            "member_requests",
            carrier=None,
            employee="employee_id",
        ),
        Condition(
            Kind.FULFILLMENT_INVALID,
            _model("members.FulfillmentSummary"),
            _invalid_fulfillments,
            _fulfillment_summary,
            "fulfillment_summaries",
            employee="employee_id",
        ),
        Condition(
            Kind.TRACKING_DIFFERENCE,
            _model("members.TrackingDifference"),
            _unresolved_differences,
            _difference_summary,
            "differences",
            employee="employee_id",
        ),
        Condition(
            Kind.DISCONNECTION_REVIEW,
            _model("connections.GroupDisconnectionRequest"),
            _disconnections_to_review,
            _disconnection_summary,
            "disconnection_requests",
        ),
        Condition(
            Kind.RENEWAL_NOT_READY,
            _model("connections.RenewalDecision"),
            _renewals_not_ready,
            _renewal_summary,
            "renewal_decisions",
            carrier=None,
        ),
        Condition(
            Kind.SYNC_FAILING,
            _model("command_center.SyncFamily"),
            _families_failing,
            _sync_failing_summary,
            None,
            carrier=None,
            group=None,
        ),
    )
}


# --- Deriving ------------------------------------------------------------------------------------


@dataclass
class Derived:
    """What one pass did to one kind."""

    kind: str
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    complete: bool = True


def derive_after_family(family: str, counts: dict, run: SyncRun | None = None, now=None) -> list[Derived]:
    """Derive the kinds of every resource the family read (``counts``: resource key -> ``Counts``), then
    whether any family's sync keeps failing. Closing waits for a resource read to the end."""
    now = now or timezone.now()
    done = []
    for condition in CONDITIONS.values():
        if condition.resource is None or condition.resource not in counts:
            continue
        read = counts[condition.resource]
        done.append(derive(condition, now=now, complete=bool(read.complete) and not read.unavailable, run=run))
    done.append(derive(CONDITIONS[Kind.SYNC_FAILING.value], now=now, complete=True, run=run))
    return done


def derive(condition: Condition, *, now, complete: bool, run: SyncRun | None = None) -> Derived:
    """One pass over one kind: open, reopen, refresh, close (if ``complete``), and write the history."""
    label = condition.model()._meta.label_lower
    rows = condition.rows(now)
    source = condition.source(now)
    items = AttentionItem.objects.filter(kind=condition.kind, resource=label)
    in_condition = Exists(rows.filter(pk=OuterRef("object_id")))
    stamp = Value(now, output_field=models.DateTimeField())
    result = Derived(condition.kind, complete=complete)
    with transaction.atomic():
        _insert_select(
            AttentionItem,
            [
                "kind",
                "resource",
                "object_id",
                "carrier_id",
                "group_id",
                "employee_id",
                "summary",
                "first_detected_at",
                "last_detected_at",
                "opened_at",
            ],
            source.annotate(
                a_kind=Value(Kind(condition.kind).value),
                a_resource=Value(label),
                a_first=stamp,
                a_last=stamp,
                a_opened=stamp,
            ).values(
                "a_kind",
                "a_resource",
                "a_object_id",
                "a_carrier_id",
                "a_group_id",
                "a_employee_id",
                "a_summary",
                "a_first",
                "a_last",
                "a_opened",
            ),
        )
        result.reopened = (
            items.closed()
            .filter(in_condition)
            .update(closed_at=None, opened_at=now, acknowledged_by=None, acknowledged_at=None)
        )
        current = condition.annotated(rows.filter(pk=OuterRef("object_id")))
        items.open().filter(last_detected_at__lt=now).filter(in_condition).update(
            last_detected_at=now,
            # What the record says now: a summary changes with its status; a group or employee may arrive after it.
            **{
                column: Subquery(current.values(f"a_{column}")[:1])
                for column in ("summary", "carrier_id", "group_id", "employee_id")
            },
        )
        if complete:
            result.closed = items.open().exclude(in_condition).update(closed_at=now)
        seen_by = _seen_by(condition, run)
        result.opened = _history(
            items.filter(first_detected_at=now), AttentionEvent.Action.OPENED, now, run, f"First seen by {seen_by}."
        )
        _history(
            items.open().filter(opened_at=now).exclude(first_detected_at=now),
            AttentionEvent.Action.REOPENED,
            now,
            run,
            f"Seen again by {seen_by}.",
        )
        _history(
            items.filter(closed_at=now),
            AttentionEvent.Action.CLOSED,
            now,
            run,
            f"Closed by itself: {seen_by} no longer saw it.",
        )
    if result.opened or result.reopened or result.closed:
        logger.info(
            "Attention: %s opened %s, reopened %s, closed %s",
            condition.kind,
            result.opened,
            result.reopened,
            result.closed,
        )
    return result


def _seen_by(condition: Condition, run: SyncRun | None) -> str:
    """E.g. "the group connections sync (#12)"."""
    from command_center.sync.families import resource_label

    what = f"the {resource_label(condition.resource)} sync" if condition.resource else "the sync history"
    return f"{what} (#{run.pk})" if run is not None and run.pk else what


def _history(items, action: str, now, run, text: str) -> int:
    """One event per item of ``items`` (that has none for this action at this time yet): one INSERT … SELECT."""
    already = AttentionEvent.objects.filter(item=OuterRef("pk"), action=action, at=now)
    rows = (
        items.filter(~Exists(already))
        .order_by()
        .values(
            a_item=F("pk"),
            a_at=Value(now, output_field=models.DateTimeField()),
            a_action=Value(str(action)),
            # Cast: a bare NULL in a subquery is text to Postgres, which a bigint column refuses.
            a_run=Cast(Value(run.pk if run is not None else None), models.BigIntegerField()),
            a_text=Value(text[:300]),
        )
    )
    return _insert_select(AttentionEvent, ["item_id", "at", "action", "run_id", "text"], rows)


def _insert_select(model, columns: list[str], values_queryset, ignore_conflicts: bool = True) -> int:
    """``INSERT INTO model (columns) SELECT … FROM (values_queryset)``, one statement; the queryset's
    values, in order, feed the columns. Rows that would break a unique constraint are skipped."""
    names = list(values_queryset._fields)
    if len(names) != len(columns):
        raise ValueError(f"{len(columns)} columns but {len(names)} values")
    try:
        select, params = values_queryset.query.get_compiler(using=values_queryset.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing (``pk__in=[]``): nothing to insert
        return 0
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join('src.' + quote(n) for n in names)} FROM ({select}) src WHERE 1 = 1"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


# --- Reading ---------------------------------------------------------------------------------------


def open_count(today=None) -> str:
    """The nav's count of open, awake items: "" for none, "1,000+" past COUNT_LIMIT (a bounded count)."""
    n = AttentionItem.objects.awake(today).order_by()[: COUNT_LIMIT + 1].count()
    if not n:
        return ""
    return f"{COUNT_LIMIT:,}+" if n > COUNT_LIMIT else f"{n:,}"


def open_counts_by_kind(today=None) -> list[dict]:
    """Open, awake items per kind, every kind listed (the dashboard): one query, read from an index alone."""
    counts = dict(AttentionItem.objects.awake(today).order_by().values_list("kind").annotate(n=models.Count("*")))
    list_url = reverse("attention_list")
    return [
        {"kind": kind, "label": label, "count": counts.get(kind, 0), "url": f"{list_url}?{urlencode({'kind': kind})}"}
        for kind, label in Kind.choices
    ]


def record_url(item: AttentionItem, snapshot_id: str | None = None) -> str:
    """The page of the record the item is about ("" when it has none). Fulfillments and differences
    are shown on their snapshot's page (``snapshot_id``), or their employee's without one."""
    resource, object_id = item.resource, item.object_id
    if resource == "connections.groupconnection":
        return reverse("connections:connection_detail", args=[object_id])
    if resource == "members.memberrequest":
        return reverse("members:memberrequest_detail", args=[object_id])
    if resource == "connections.groupdisconnectionrequest":
        return reverse("connections:disconnection_detail", args=[object_id])
    if resource == "connections.renewaldecision":
        return reverse("connections:renewal_detail", args=[object_id])
    if resource == "command_center.syncfamily":
        return f"{reverse('sync_list')}?{urlencode({'kind': object_id})}"
    if resource in ("members.fulfillmentsummary", "members.trackingdifference"):
        if snapshot_id:
            return reverse("members:snapshot_detail", args=[snapshot_id])
        return reverse("members:employee_detail", args=[item.employee_id]) if item.employee_id else ""
    return ""


RECORD_KINDS = {
    "connections.groupconnection": "group connection",
    "members.memberrequest": "member request",
    "connections.groupdisconnectionrequest": "disconnection request",
    "connections.renewaldecision": "renewal decision",
    "command_center.syncfamily": "sync family",
    "members.fulfillmentsummary": "carrier fulfillment",
    "members.trackingdifference": "tracking difference",
}
# The page an item links to, in words ("Open the connection →").
RECORD_NAMES = {
    "connections.groupconnection": "the connection",
    "members.memberrequest": "the member request",
    "connections.groupdisconnectionrequest": "the disconnection request",
    "connections.renewaldecision": "the renewal decision",
    "command_center.syncfamily": "the syncs",
    "members.fulfillmentsummary": "the snapshot",
    "members.trackingdifference": "the snapshot",
}


def attach_links(items) -> list[AttentionItem]:
    """Give each item ``url`` (its record's page), ``record_name`` and ``record_kind``. Fulfillments and
    differences show on their snapshot's page: one query per such kind of record, whatever the number of items."""
    from django.apps import apps

    items = list(items)
    wanted: dict[str, set] = {}
    for item in items:
        if item.resource in ("members.fulfillmentsummary", "members.trackingdifference"):
            wanted.setdefault(item.resource, set()).add(item.object_id)
    snapshots = {}
    for label, ids in wanted.items():
        for pk, snapshot_id in apps.get_model(label)._base_manager.filter(pk__in=ids).values_list("pk", "snapshot_id"):
            snapshots[(label, pk)] = snapshot_id
    for item in items:
        snapshot_id = snapshots.get((item.resource, item.object_id))
        item.url = record_url(item, snapshot_id)
        item.record_name = RECORD_NAMES.get(item.resource, "the record")
        item.record_kind = RECORD_KINDS.get(item.resource, "record")
        if item.record_name == "the snapshot" and not snapshot_id:
            item.record_name = "the employee"
    return items


def record_of(item: AttentionItem):
    """The record the item is about, as mirrored now (None if it is not there)."""
    from django.apps import apps

    try:
        model = apps.get_model(item.resource)
    except (LookupError, ValueError):
        return None
    return model._base_manager.filter(pk=item.object_id).first()


# --- People's verbs ----------------------------------------------------------------------------------


@dataclass
class Done:
    """An action's outcome: whether it changed anything, and what to tell the person."""

    changed: bool
    message: str


def _closed_message(item) -> str:
    return "This item closed by itself when a sync no longer saw the problem; there is nothing to do on it."


def acknowledge(item: AttentionItem, user) -> Done:
    """Say someone has seen it. Once per opening: a repeat, or a second person, changes nothing."""
    from command_center.audit import record_attention

    now = timezone.now()
    with transaction.atomic():
        changed = AttentionItem.objects.filter(pk=item.pk, closed_at__isnull=True, acknowledged_at__isnull=True).update(
            acknowledged_by=user, acknowledged_at=now
        )
        item.refresh_from_db()
        if not changed:
            if not item.is_open:
                return Done(False, _closed_message(item))
            who = item.acknowledged_by.get_username() if item.acknowledged_by else "someone"
            return Done(
                False, f"Already acknowledged by {who} on {timezone.localtime(item.acknowledged_at):%b %-d at %H:%M}."
            )
        AttentionEvent.objects.create(item=item, at=now, action=AttentionEvent.Action.ACKNOWLEDGED, actor=user)
        record_attention(user, item, "acknowledge", f"Acknowledged “{item.summary}”")
    return Done(True, "Acknowledged: your teammates can see you have seen it.")


def assign(item: AttentionItem, user, assignee) -> Done:
    """Give it to ``assignee`` (a user, or None for nobody). Assigning to whoever has it changes nothing."""
    from command_center.audit import record_attention

    now = timezone.now()
    with transaction.atomic():
        others = AttentionItem.objects.filter(pk=item.pk, closed_at__isnull=True)
        others = others.exclude(assigned_to__isnull=True) if assignee is None else others.exclude(assigned_to=assignee)
        changed = others.update(assigned_to=assignee)
        item.refresh_from_db()
        if not changed:
            if not item.is_open:
                return Done(False, _closed_message(item))
            return Done(
                False,
                f"Already assigned to {_name(assignee, user)}."
                if assignee
                else "It is not assigned to anyone already.",
            )
        text = f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."
        AttentionEvent.objects.create(item=item, at=now, action=AttentionEvent.Action.ASSIGNED, actor=user, text=text)
        record_attention(
            user,
            item,
            "assign",
            f"{text[:-1]}: “{item.summary}”",
            {"assigned_to": assignee.get_username() if assignee else ""},
        )
    return Done(True, f"Assigned to {_name(assignee, user)}." if assignee else "Nobody has it now.")


def _name(assignee, user) -> str:
    return "you" if assignee is not None and assignee.pk == user.pk else assignee.get_username()


MAX_SNOOZE_DAYS = 365


def snooze(item: AttentionItem, user, until: dt.date | None) -> Done:
    """Hide it from the open queue until ``until`` (None: show it again now). The same day twice changes nothing."""
    from command_center.audit import record_attention

    now = timezone.now()
    with transaction.atomic():
        rows = AttentionItem.objects.filter(pk=item.pk, closed_at__isnull=True)
        rows = rows.exclude(snoozed_until__isnull=True) if until is None else rows.exclude(snoozed_until=until)
        changed = rows.update(snoozed_until=until)
        item.refresh_from_db()
        if not changed:
            if not item.is_open:
                return Done(False, _closed_message(item))
            return Done(False, f"Already snoozed until {until:%b %-d, %Y}." if until else "It is not snoozed.")
        if until is None:
            AttentionEvent.objects.create(
                item=item, at=now, action=AttentionEvent.Action.WOKEN, actor=user, text="Back in the open queue."
            )
            record_attention(user, item, "snooze", f"Ended the snooze of “{item.summary}”", {"snoozed_until": ""})
        else:
            text = f"Snoozed until {until:%b %-d, %Y}."
            AttentionEvent.objects.create(
                item=item, at=now, action=AttentionEvent.Action.SNOOZED, actor=user, text=text
            )
            record_attention(
                user,
                item,
                "snooze",
                f"Snoozed “{item.summary}” until {until.isoformat()}",
                {"snoozed_until": until.isoformat()},
            )
    return Done(
        True,
        f"Snoozed until {until:%b %-d, %Y}: it leaves the open queue until then."
        if until
        else "Back in the open queue.",
    )
