"""The connections console: dashboard, group connections (list, detail, retry), groups, carriers.

Every page reads the mirror only; the retry views are the one place that calls
Noyo, through ``connections.retry``.
"""

from __future__ import annotations

import json
import uuid

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection as db
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Replace
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from command_center import column_choice, notes
from command_center.column_choice import Choice, Columns
from command_center.json_cells import JsonCell
from command_center.lists import COUNT_LIMIT, ISO, YES_NO, Column, Format, Listing
from command_center.models import StatusChange, StatusCount
from command_center.noyo import contract
from command_center.sync.records import label_for
from command_center.templatetags.cc import tone

from . import readable_renewals as readable
from . import retry as retries
from .explain import noyo_console_url, status_meaning
from .filters import CarrierFilter, ConnectionFilter, GroupFilter, RenewalFilter, connections_for_list, groups_for_list
from .forms import RetryForm
from .models import (
    ATTENTION_STATUSES,
    MISSING_REFERENCE,
    Carrier,
    CarrierStatusCount,
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    Plan,
    RenewalDecision,
    RenewalDecisionStatus,
    RetryAttempt,
    stuck_days,
)

RETRY_PERMISSION = "connections.retry_groupconnection"

# Every sort is served by an index, so its first page and its last pages stay fast at 1M rows: a
# column's ties are broken by ``modified`` (newest first) where that index has it. Not offered:
# carrier (its name is on another table, so no index of this one can order by it: 2 s at 1M rows;
# filter by carrier instead) and setup error (free text; search finds an error's words). The page says so.
CONNECTION_SORTS = {
    "group": "group_name",  # gc_group_name_idx
    "carrier_group_id": ("carrier_group_id", "carrier_id"),  # gc_carrier_group_id_idx
    "status": ("status", "-modified"),  # gc_status_modified_idx
    "request_type": ("request_type", "-modified"),  # gc_request_type_modified_idx
    "since": "status_changed_at",  # gc_status_changed_idx
    "modified": "modified",  # gc_modified_idx
}
# The API still sorts by them: it walks by cursor, and its callers pass a sort on purpose.
API_CONNECTION_SORTS = {**CONNECTION_SORTS, "carrier": "carrier__name", "error": "setup_error"}
NOT_SORTABLE = "Not sortable by carrier or setup error (filter by carrier, or search for an error's words)."
GROUP_SORTS = {"name": "name", "dba_name": "dba_name", "organization": "organization_id", "modified": "modified"}


CONNECTION_COLUMNS = [
    Column("Connection id", "id"),
    Column("Group name", "group_name"),
    Column("Group id", "group_id"),
    Column("Carrier", "carrier__name"),
    Column("Carrier id", "carrier_id"),
    Column("Carrier group id", "carrier_group_id"),
    Column("Status", "status"),
    Column("Request type", "request_type"),
    Column("In status since", "status_changed_at", ISO),
    Column("Modified", "modified", ISO),
    Column("Created", "created", ISO),
    Column("Organization id", "organization_id"),
    Column("Federal EIN", "federal_ein"),
    Column("Setup error", "setup_error"),
]
GROUP_COLUMNS = [
    Column("Group id", "id"),
    Column("Name", "name"),
    Column("DBA name", "dba_name"),
    Column("Organization id", "organization_id"),
    Column("Federal EIN", "federal_ein"),
    Column("SIC code", "sic_code"),
    Column("Created", "created", ISO),
    Column("Modified", "modified", ISO),
]

# The columns a person may choose on each list (?cols=...), and the CSV columns each one holds.
CONNECTION_TABLE = Columns(
    Choice("group", "Group", ("Group name", "Group id"), required=True),
    Choice("carrier", "Carrier", ("Carrier", "Carrier id")),
    Choice("carrier_group_id", "Carrier group id", ("Carrier group id",)),
    Choice("status", "Status", ("Status",), required=True),
    Choice("request_type", "Type", ("Request type",)),
    Choice("since", "In status for", ("In status since",)),
    Choice("modified", "Last modified", ("Modified",)),
    Choice("error", "Setup error", ("Setup error",)),
)
GROUP_TABLE = Columns(
    Choice("name", "Name", ("Name",), required=True),
    Choice("dba_name", "DBA name", ("DBA name",)),
    Choice("connections", "Connections"),
    Choice("organization", "Organization", ("Organization id",)),
    Choice("modified", "Last modified", ("Modified",)),
)
CARRIER_TABLE = Columns(
    Choice("name", "Name", ("Name",), required=True),
    Choice("kind", "Kind", ("Kind",)),
    Choice("reference", "Reference data", ("Reference data missing",)),
    Choice(
        "carrier_group_id",
        "Carrier group id",
        ("Name for the carrier group id", "Carrier group id format", "Format hint", "Format example"),
    ),
    Choice("cadence", "File cadence", ("File cadence",)),
    Choice("connections", "Connections", ("Connections",)),
    Choice("attention", "Needing action", ("Needing action",)),
    Choice("by_status", "By status"),
)
RENEWAL_TABLE = Columns(
    Choice("renewal_date", "Renewal date", ("Renewal date",), required=True),
    Choice("group", "Group", ("Group name",)),
    Choice("status", "Status", ("Status",)),
    Choice("issues", "Issues", ("Issues",)),
    Choice("expectations", "Expected of the carriers", ("Carriers", "Carrier ids")),
    Choice("modified", "Last modified", ("Modified",)),
)


# --- Dashboard -----------------------------------------------------------------------


def dashboard(request):
    from command_center.attention import open_counts_by_kind
    from members.models import FulfillmentSummary, MemberRequest, TrackingDifference

    present = GroupConnection.objects.present()
    counts = _bounded_counts(
        attention_total=present.needing_attention(),
        failed_requests=MemberRequest.objects.failed(),
        invalid_fulfillments=FulfillmentSummary.objects.invalid(),
        renewals_not_ready=RenewalDecision.objects.not_ready(),
        disconnections_waiting=GroupDisconnectionRequest.objects.needing_review(),
        unresolved_differences=TrackingDifference.objects.unresolved(),
        **{f"status_{status}": present.filter(status=status) for status in ATTENTION_STATUSES},
    )
    context = {
        "chart": _status_chart(present, {status: counts.pop(f"status_{status}") for status in ATTENTION_STATUSES}),
        "attention": present.needing_attention().select_related("carrier")[:12],
        **counts,
        "stuck_days": stuck_days(),
        "changes": _latest_changes(limit=10),
        "attention_by_kind": (by_kind := open_counts_by_kind()),
        "attention_open": _nav_count(sum(kind["count"] for kind in by_kind)),
        "now": timezone.now(),
        "count_limit": COUNT_LIMIT,
    }
    return TemplateResponse(request, "connections/dashboard.html", context)


def _bounded_counts(**querysets) -> dict[str, int]:
    """``_bounded_count`` of each queryset, all in one query (a scalar subquery each): the dashboard
    asks for nine counts, and nine round trips were most of its query budget."""
    parts, params, names = [], [], []
    for name, queryset in querysets.items():
        limited = queryset.order_by().values("pk")[: COUNT_LIMIT + 1]
        try:
            sql, sql_params = limited.query.get_compiler(using=limited.db).as_sql()
        except EmptyResultSet:  # a filter that matches nothing
            sql, sql_params = "SELECT 1 WHERE 1 = 0", ()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) {name})")
        params.extend(sql_params)
        names.append(name)
    with db.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(names, cursor.fetchone()))


def _nav_count(n):
    """The nav's count of open attention items, from the dashboard's own counts (one query fewer)."""
    return "" if not n else f"{COUNT_LIMIT:,}+" if n > COUNT_LIMIT else f"{n:,}"


def _bounded_count(queryset):
    """An exact count up to COUNT_LIMIT (shown as "1,000+" past it): never a COUNT of a whole big table."""
    return queryset.order_by()[: COUNT_LIMIT + 1].count()


def _status_chart(queryset, live: dict[str, int]):
    """One bar per status (every known one, then any Noyo sent that we do not know), linking to the list.

    The counts are the summary the connections sync leaves (``connections.sync.count_connection_statuses``),
    never a count of every connection per page view. The statuses that need a person are counted live
    as well (bounded, from an index): a retry or webhook since the sync may have moved a connection into
    one, and the chart must never show fewer failing than there are (``live``: those bounded counts).
    Before any sync has counted, it counts live."""
    summary = list(StatusCount.objects.for_resource(GroupConnection))
    if summary:
        counts = {row.status: row.count for row in summary}
        # The connections the sync counted: a connection that moved into a failing status since is in its
        # old bar and in the live one, and must not count twice in the total.
        total = sum(counts.values())
        for status, n in live.items():
            counts[status] = n if n <= COUNT_LIMIT else max(n, counts.get(status, 0))
    else:
        counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
        total = sum(counts.values())
    statuses = list(contract.GROUP_CONNECTION_STATUSES) + sorted(
        s for s in counts if s not in contract.GROUP_CONNECTION_STATUSES
    )
    top = max(counts.values(), default=0) or 1
    list_url = reverse("connections:connection_list")
    return {
        "total": total,
        "counted_at": summary[0].counted_at if summary else None,
        "bars": [
            {
                "status": status,
                "label": label_for(status) if status else "No status",
                "count": counts.get(status, 0),
                "tone": tone(status),
                "percent": round(100 * counts.get(status, 0) / top, 1),
                "url": f"{list_url}?{urlencode({'status': status})}",
            }
            for status in statuses
        ],
    }


def _latest_changes(limit):
    """The latest status changes of connections, each with its connection's group and carrier name
    (read in the same query: a second one for the connections cost a query of the page's budget)."""
    connection = GroupConnection.objects.filter(pk=OuterRef("object_id"))
    return list(
        StatusChange.objects.for_resource(GroupConnection)
        .latest_first()
        .annotate(
            connection_known=Exists(connection),
            group_name=Subquery(connection.values("group_name")[:1]),
            carrier_name=Subquery(connection.values("carrier__name")[:1]),
        )[:limit]
    )


# --- Group connections ---------------------------------------------------------------


def _connection_listing(request):
    filterset = ConnectionFilter(request.GET, queryset=connections_for_list())
    return Listing(
        request,
        filterset,
        sorts=CONNECTION_SORTS,
        default_sort="-modified",
        columns=CONNECTION_TABLE,
        extra_context={
            "batch": uuid.uuid4(),
            "stuck_days": stuck_days(),
            "bulk_limit": retries.BULK_LIMIT,
            "not_sortable": NOT_SORTABLE,
        },
    )


@vary_on_headers("HX-Request")
def connection_list(request):
    return _connection_listing(request).render("connections/connection_list.html")


def connection_export(request):
    filterset = ConnectionFilter(request.GET, queryset=connections_for_list())
    return column_choice.export(
        request,
        filterset,
        CONNECTION_TABLE,
        CONNECTION_COLUMNS,
        "connections",
        sorts=CONNECTION_SORTS,
        default_sort="-modified",
    )


def connection_detail(request, pk):
    connection = get_object_or_404(GroupConnection.objects.select_related("carrier", "group"), pk=pk)
    attempts = connection.retry_attempts.exclude(state=RetryAttempt.State.READY).select_related("requested_by")
    context = {
        "connection": connection,
        "meaning": status_meaning(connection.status, connection.carrier.kind if connection.carrier else ""),
        "timeline": StatusChange.objects.for_object(connection),
        "attempts": attempts[:50],
        "raw_json": json.dumps(connection.raw_masked, indent=2, sort_keys=True),
        "console_url": noyo_console_url(connection),
        "notes": notes.thread_for(connection),
    }
    return TemplateResponse(request, "connections/connection_detail.html", context)


def _get_connection_for_retry(request, pk):
    """The connection, if the user may retry connections at all (403 otherwise: a Viewer)."""
    if not request.user.has_perm(RETRY_PERMISSION):
        raise PermissionDenied("Only Operators can retry connections.")
    return get_object_or_404(GroupConnection.objects.select_related("carrier", "group"), pk=pk)


def _retry_response(request, connection, *, form=None, attempt=None, status=200):
    """The retry panel: the form, or an attempt's outcome. htmx gets the panel alone."""
    template = "connections/connection_retry.html"
    if request.htmx and not request.htmx.boosted:
        template += "#retry-panel"
    context = {
        "connection": connection,
        "form": form,
        "attempt": attempt,
        "recent_attempts": connection.retry_attempts.exclude(state=RetryAttempt.State.READY).select_related(
            "requested_by"
        )[:5],
    }
    return TemplateResponse(request, template, context, status=status)


def _fresh_form(request, connection):
    attempt = retries.prepare_attempt(connection, request.user)
    return RetryForm(initial=RetryForm.initial_for(connection, attempt), connection=connection)


@vary_on_headers("HX-Request")
def connection_retry(request, pk):
    """GET: the retry form, prefilled. POST: send the attempt the form carries, once, and show its outcome."""
    connection = _get_connection_for_retry(request, pk)
    if request.method != "POST":
        if not connection.is_retryable:
            return _retry_response(request, connection)
        return _retry_response(request, connection, form=_fresh_form(request, connection))

    form = RetryForm(request.POST, connection=connection)
    attempt = _attempt_for(connection, request.POST.get("token"))
    if attempt is None:
        return _retry_response(request, connection, form=_expired_form(request, connection), status=422)
    if attempt.state != RetryAttempt.State.READY:
        return _outcome_response(request, connection, attempt)  # sent already: a resend or a second click
    if not form.is_valid():
        return _retry_response(request, connection, form=form, status=422)

    attempt = retries.perform_retry(attempt, request.user, form.values())
    connection.refresh_from_db()
    return _outcome_response(request, connection, attempt)


def _attempt_for(connection, token):
    try:
        return RetryAttempt.objects.filter(token=uuid.UUID(str(token)), connection=connection).first()
    except ValueError:
        return None


def _expired_form(request, connection):
    """The form as typed, with a new token: the one sent is unknown (pruned, or from elsewhere)."""
    data = request.POST.copy()
    data["token"] = str(retries.prepare_attempt(connection, request.user).token)
    form = RetryForm(data, connection=connection)
    form.is_valid()
    form.add_error(None, "This retry form was out of date, so nothing was sent. Check the values and send it again.")
    return form


def _outcome_response(request, connection, attempt):
    """A finished attempt's outcome; a failed one comes back as the form, as typed, beside Noyo's words."""
    if attempt.state == RetryAttempt.State.IN_FLIGHT:
        return _retry_response(request, connection, attempt=attempt, status=202)
    if attempt.state == RetryAttempt.State.FAILED and connection.is_retryable:
        fresh = retries.prepare_attempt(connection, request.user)
        form = RetryForm(RetryForm.initial_for(connection, fresh, source=attempt), connection=connection)
        form.is_valid()
        form.add_noyo_errors(attempt.field_errors)
        return _retry_response(request, connection, form=form, attempt=attempt, status=422)
    status = 422 if attempt.state == RetryAttempt.State.FAILED else 200
    return _retry_response(request, connection, attempt=attempt, status=status)


def retry_attempt(request, pk, token):
    """An attempt's outcome, polled while it is in flight (htmx stops polling on 286)."""
    connection = _get_connection_for_retry(request, pk)
    attempt = get_object_or_404(RetryAttempt, token=token, connection=connection)
    if attempt.state == RetryAttempt.State.IN_FLIGHT:
        return _retry_response(request, connection, attempt=attempt, status=200)
    response = _outcome_response(request, connection, attempt)
    if request.htmx:
        response.status_code = 286
    return response


@require_POST
def connection_bulk_retry(request):
    """Retry every ticked connection once, with its current ids; one outcome per row."""
    if not request.user.has_perm(RETRY_PERMISSION):
        raise PermissionDenied("Only Operators can retry connections.")
    ids = list(dict.fromkeys(request.POST.getlist("ids")))
    problem = _bulk_problem(ids, request.POST.get("batch", ""))
    if problem:
        return TemplateResponse(request, "connections/bulk_outcome.html", {"problem": problem}, status=400)
    batch = uuid.UUID(request.POST["batch"])
    connections = GroupConnection.objects.select_related("carrier").in_bulk(ids)
    outcomes = [_bulk_retry_one(request, connections.get(pk), pk, batch) for pk in ids]
    response = TemplateResponse(request, "connections/bulk_outcome.html", {"outcomes": outcomes})
    response["HX-Trigger"] = "connectionsChanged"
    return response


def _bulk_problem(ids, batch):
    problem = retries.bulk_problem(ids)
    if problem:
        return problem
    try:
        uuid.UUID(batch)
    except ValueError:
        return "This list is out of date: reload the page and tick the connections again."
    return ""


def _bulk_retry_one(request, connection, pk, batch):
    if connection is None:
        return {"pk": pk, "connection": None, "attempt": None, "message": retries.NOT_MIRRORED}
    attempt = retries.retry_in_batch(connection, request.user, batch)
    return {"pk": pk, "connection": connection, "attempt": attempt, "message": attempt.message}


# --- Groups ---------------------------------------------------------------------------


@vary_on_headers("HX-Request")
def group_list(request):
    filterset = GroupFilter(request.GET, queryset=groups_for_list())
    listing = Listing(request, filterset, sorts=GROUP_SORTS, default_sort="name", columns=GROUP_TABLE)
    attach_connection_counts(listing.page.object_list)
    return listing.render("connections/group_list.html")


def attach_connection_counts(groups):
    """Each group's connections by status, for the rows on this page only (one query)."""
    groups = list(groups)
    counts = (
        GroupConnection.objects.present()
        .filter(group_id__in=[g.pk for g in groups])
        .order_by()
        .values_list("group_id", "status")
        .annotate(n=Count("pk"))
    )
    by_group = {}
    for group_id, status, n in counts:
        by_group.setdefault(group_id, []).append((status, n))
    for group in groups:
        group.connection_counts = sorted(by_group.get(group.pk, []))


def group_export(request):
    filterset = GroupFilter(request.GET, queryset=groups_for_list())
    return column_choice.export(
        request, filterset, GROUP_TABLE, GROUP_COLUMNS, "groups", sorts=GROUP_SORTS, default_sort="name"
    )


def group_detail(request, pk):
    group = get_object_or_404(Group, pk=pk)
    context = {
        "group": group,
        "connections": group.connections.select_related("carrier").order_by("carrier__name"),
        "disconnections": group.disconnection_requests.select_related("carrier").order_by("-modified"),
        "enrollments": group.group_enrollments.select_related("carrier").order_by("line_of_coverage", "carrier__name"),
        "plans": group.plans.select_related("carrier").order_by("line_of_coverage", "name"),
        "contacts": group.contacts.select_related("carrier").order_by("last_name", "first_name"),
        "locations": group.locations.order_by("display_name"),
        "configurations": group.carrier_configurations.select_related("carrier").order_by("carrier__name"),
        "renewals": group.renewal_decisions.order_by("-renewal_date"),
        "latest_audit": group.latest_audits.order_by("-completed_at").first(),
        "raw_json": json.dumps(group.raw_masked, indent=2, sort_keys=True),
        "notes": notes.thread_for(group),
    }
    return TemplateResponse(request, "connections/group_detail.html", context)


# --- Carriers -------------------------------------------------------------------------

# Ties are broken by name (then id), so carriers with equal counts stay in a readable order.
CARRIER_SORTS = {
    "name": "name",
    "kind": ("kind", "name"),
    "reference": ("reference_is_missing", "name"),
    "connections": ("connection_total", "name"),
    "attention": ("attention_total", "name"),
}
CARRIER_COLUMNS = [
    Column("Carrier id", "id"),
    Column("Name", "name"),
    Column("Kind", "kind"),
    Column("Name for the carrier group id", "carrier_group_id_label"),
    Column("Carrier group id format", "carrier_group_id_format"),
    Column("Format hint", "format_hint"),
    Column("Format example", "format_example"),
    Column("File cadence", "file_cadence"),
    Column("Authorization steps", "authorization_steps"),
    Column("Sandbox test ids", "sandbox_test_ids"),
    Column("Reference data missing", "reference_is_missing", YES_NO),
    Column("Connections", "connection_total"),
    Column("Needing action", "attention_total"),
    Column("First seen", "first_seen", ISO),
]


def carriers_for_list():
    """Carriers with their connection counts and whether reference data is missing: what the list sorts by and
    the CSV exports.

    The totals are the summary the connections sync leaves (``connections.sync.count_connection_statuses``),
    never a count of every connection per view; a carrier the sync has not counted yet is counted live. Those
    needing action are always counted live (on the carrier+status index), since a retry or webhook since the
    sync may have moved a connection into or out of them."""
    summary = CarrierStatusCount.objects.filter(carrier=OuterRef("pk")).order_by().values("carrier")
    counted = summary.annotate(n=Sum("count")).values("n")
    live = _connections_of_carrier().annotate(n=Count("*")).values("n")
    attention = _connections_of_carrier().filter(status__in=ATTENTION_STATUSES).annotate(n=Count("*")).values("n")
    return Carrier.objects.annotate(
        # COALESCE stops at the first value: the live count runs only for a carrier with no summary rows.
        connection_total=Coalesce(Subquery(counted), Subquery(live), 0),
        attention_total=Coalesce(Subquery(attention), 0),
        reference_is_missing=ExpressionWrapper(MISSING_REFERENCE, output_field=BooleanField()),
    )


def _connections_of_carrier():
    return GroupConnection.objects.present().filter(carrier_id=OuterRef("pk")).order_by().values("carrier_id")


@vary_on_headers("HX-Request")
def carrier_list(request):
    filterset = CarrierFilter(request.GET, queryset=carriers_for_list())
    counted_at = CarrierStatusCount.objects.values_list("counted_at", flat=True).first()
    listing = Listing(
        request,
        filterset,
        sorts=CARRIER_SORTS,
        default_sort="name",
        columns=CARRIER_TABLE,
        extra_context={"counted_at": counted_at},
    )
    attach_status_counts(listing.page.object_list)
    return listing.render("connections/carrier_list.html")


def attach_status_counts(carriers):
    """Each carrier's connections by status, for the rows on this page only: from the sync's summary, with the
    statuses needing action counted live (and every status of a carrier the sync has not counted yet)."""
    carriers = list(carriers)
    ids = [c.pk for c in carriers]
    by_carrier = {}
    for carrier_id, status, n in CarrierStatusCount.objects.filter(carrier_id__in=ids).values_list(
        "carrier_id", "status", "count"
    ):
        if status not in ATTENTION_STATUSES:
            by_carrier.setdefault(carrier_id, {})[status] = n
        by_carrier.setdefault(carrier_id, {})
    uncounted = [pk for pk in ids if pk not in by_carrier]
    live = GroupConnection.objects.present().filter(
        Q(carrier_id__in=ids, status__in=ATTENTION_STATUSES) | Q(carrier_id__in=uncounted)
    )
    for carrier_id, status, n in live.order_by().values_list("carrier_id", "status").annotate(n=Count("*")):
        by_carrier.setdefault(carrier_id, {})[status] = n
    for carrier in carriers:
        carrier.status_counts = _ordered_counts(by_carrier.get(carrier.pk, {}))


def carrier_export(request):
    filterset = CarrierFilter(request.GET, queryset=carriers_for_list())
    return column_choice.export(
        request, filterset, CARRIER_TABLE, CARRIER_COLUMNS, "carriers", sorts=CARRIER_SORTS, default_sort="name"
    )


def _ordered_counts(counts: dict):
    known = [(s, counts[s]) for s in contract.GROUP_CONNECTION_STATUSES if counts.get(s)]
    return known + sorted((s, n) for s, n in counts.items() if s not in contract.GROUP_CONNECTION_STATUSES)


def carrier_detail(request, pk):
    carrier = get_object_or_404(Carrier, pk=pk)
    counts = dict(
        GroupConnection.objects.present()
        .filter(carrier=carrier)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    list_url = reverse("connections:connection_list")
    context = {
        "carrier": carrier,
        "status_counts": [
            (status, n, f"{list_url}?{urlencode({'carrier': carrier.pk, 'status': status})}")
            for status, n in _ordered_counts(counts)
        ],
        "connection_total": sum(counts.values()),
        "connections_url": f"{list_url}?{urlencode({'carrier': carrier.pk})}",
        "attention": GroupConnection.objects.needing_attention().filter(carrier=carrier)[:10],
        "renewals_not_ready": _bounded_count(RenewalDecision.objects.not_ready().with_carrier(carrier.pk)),
        "renewals_url": f"{reverse('connections:renewal_list')}?{urlencode({'carrier': carrier.pk, 'status': 'not_ready'})}",
        "can_edit": request.user.is_staff and request.user.has_perm("connections.change_carrier"),
        "count_limit": COUNT_LIMIT,
    }
    return TemplateResponse(request, "connections/carrier_detail.html", context)


# --- Renewal decisions --------------------------------------------------------------------

# Default: not_ready first (the ones to work on), then by renewal date, soonest first.
RENEWAL_SORTS = {
    "attention": ("readiness", "renewal_date"),
    "renewal_date": "renewal_date",
    "group": "group__name",
    "status": "status",
    "modified": "modified",
}


def renewals_for_list():
    readiness = Case(When(status=RenewalDecisionStatus.NOT_READY, then=Value(0)), default=Value(1))
    return RenewalDecision.objects.present().select_related("group").annotate(readiness=readiness)


@vary_on_headers("HX-Request")
def renewal_list(request):
    filterset = RenewalFilter(request.GET, queryset=renewals_for_list())
    listing = Listing(request, filterset, sorts=RENEWAL_SORTS, default_sort="attention", columns=RENEWAL_TABLE)
    attach_readable_renewals(listing.page.object_list)
    return listing.render("connections/renewal_list.html")


def attach_readable_renewals(renewals):
    """Each row's issues and carrier expectations in words, the carriers read once for the page."""
    renewals = list(renewals)
    carriers = Carrier.objects.in_bulk(readable.carrier_ids_in(renewals))
    for renewal in renewals:
        renewal.readable_issues = readable.describe_issues(renewal, carriers)
        renewal.readable_expectations = readable.describe_expectations(renewal, carriers)


# Noyo's "a,b" as "a b".
CARRIER_IDS = Format(
    lambda ids: " ".join((ids or "").split(",")),
    lambda field: Replace(field, Value(","), Value(" "), output_field=TextField()),
)


def carrier_names(ids, names: dict) -> str:
    """Noyo's "a,b" as the carriers' names, "Aetna; b", an id not mirrored as it is."""
    return "; ".join(names.get(i, i) for i in (ids or "").split(",") if i)


def carrier_names_sql(names: dict):
    """``carrier_names`` in SQL."""

    def build(ids, literal):
        def name(carrier_id):
            return readable.carrier_name_sql(carrier_id, names, literal)

        # Two ids or fewer (most renewals) without a subquery: it cost more than the names.
        parts = [f"NULLIF(split_part({ids}, ',', {n}), '')" for n in (1, 2)]
        return (
            f"CASE WHEN {ids} NOT LIKE '%%,%%,%%' THEN concat_ws('; ', {name(parts[0])}, {name(parts[1])}) "
            f"ELSE (SELECT string_agg({name('part.id')}, '; ' ORDER BY part.n) "
            f"FROM unnest(string_to_array({ids}, ',')) WITH ORDINALITY AS part(id, n) WHERE part.id <> '') END"
        )

    return build


def _renewal_columns():
    names = dict(Carrier.objects.values_list("pk", "name"))
    return [
        Column("Renewal decision id", "id"),
        Column("Group id", "group_id"),
        Column("Group name", "group__name"),
        Column("Renewal date", "renewal_date", ISO),
        Column("Status", "status"),
        Column(
            "Issues",
            "issues",
            Format(
                lambda issues: readable.issues_text(issues, names),
                lambda field: JsonCell(field, readable.issues_sql(names)),
            ),
        ),
        Column("Carrier ids", "carrier_ids", CARRIER_IDS),
        Column(
            "Carriers",
            "carrier_ids",
            Format(lambda ids: carrier_names(ids, names), lambda field: JsonCell(field, carrier_names_sql(names))),
        ),
        Column("Created", "created", ISO),
        Column("Modified", "modified", ISO),
    ]


def renewal_export(request):
    filterset = RenewalFilter(request.GET, queryset=renewals_for_list())
    return column_choice.export(
        request, filterset, RENEWAL_TABLE, _renewal_columns(), "renewals", sorts=RENEWAL_SORTS, default_sort="attention"
    )


def renewal_detail(request, pk):
    renewal = get_object_or_404(RenewalDecision.objects.select_related("group"), pk=pk)
    carriers = Carrier.objects.in_bulk(renewal.carrier_id_list)
    plans = Plan.objects.in_bulk(readable.plan_ids_in(renewal))
    context = {
        "renewal": renewal,
        "issues": readable.describe_issues(renewal, carriers),
        "expectations": readable.describe_expectations(renewal, carriers, plans),
        "raw_json": json.dumps(renewal.raw_masked, indent=2, sort_keys=True),
    }
    return TemplateResponse(request, "connections/renewal_detail.html", context)
