"""The members console: employees and their coverage, member snapshots, legacy member requests.

Every page reads the mirror only. Lists go through ``command_center.lists`` (filters,
sort, bounded counts, htmx partials, audited CSV); each list costs a handful of
queries whatever the size of its table. SSNs are shown masked (last four digits)
to everyone, and no export has an SSN column.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import connection
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from command_center import column_choice, notes
from command_center.lists import (
    COUNT_LIMIT,
    BoundedCountPaginator,
    Column,
    Listing,
    _page_number,
    _per_page,
    export_csv,
    filtered,
    order_by_sort,
    valid_sort,
)
from command_center.models import StatusChange
from command_center.noyo import contract
from command_center.sync.records import label_for, mask_ssns
from connections.models import Carrier, Plan

from . import columns, readable
from .filters import (
    ENROLLMENT_SORTS,
    DifferenceFilter,
    EmployeeFilter,
    EnrollmentFilter,
    FulfillmentFilter,
    MemberRequestFilter,
    SnapshotFilter,
    TransactionFilter,
    differences_for_list,
    employee_sorts,
    employees_for_list,
    fulfillments_for_list,
    legacy_transaction_params,
    member_requests_for_list,
    snapshots_for_list,
    status_on,
    transactions_for_list,
    uses_fulfillments,
    with_search_sort,
)
from .forms import AsOfForm
from .models import (
    DIFFERENCE_QUEUE_ORDER,
    Dependent,
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberSnapshot,
    MemberTransaction,
    SnapshotStatus,
    TrackingDifference,
)
from .sync import DETAILS_PER_RUN

SNAPSHOT_SORTS = {"created": "created"}
MEMBERREQUEST_SORTS = {"created": "created"}
TRANSACTION_SORTS = {"created": "created", "verified": "verified"}
# "queue" (the default) is DIFFERENCE_QUEUE_ORDER, which one field cannot say: see QueueListing.
DIFFERENCE_SORTS = {"queue": "created", "created": "created", "resolved": "resolved", "impact": "impact_score"}

# The summary page counts each cell up to this many rows ("1,000+" past it), as the lists do:
# exact where it matters (invalid, failed) and bounded where it would scan a large table.
SUMMARY_COUNT_LIMIT = COUNT_LIMIT
# Fulfillment statuses in the order the summary shows them: what needs someone first.
FULFILLMENT_ORDER = ("invalid", "processing", "scheduled", "sent", "no_changes", "replaced")
SNAPSHOT_STATUS_ORDER = ("failed", "processing", "submitted", "completed", "replaced", "canceled")
# What each carrier fulfillment status means (ENDPOINTS.md §14.4).
FULFILLMENT_MEANINGS = {
    "processing": "Changes are being identified and queued for this carrier.",
    "sent": "All changes for this carrier were sent.",
    "invalid": "A data problem stopped the changes from reaching this carrier.",
    "scheduled": "Changes are queued for the carrier's next scheduled file.",
    "no_changes": "Nothing to send to this carrier.",
    "replaced": "A later snapshot superseded these changes.",
}
DIFFERENCE_TONES = {"missing_from_carrier": "bad", "field_mismatch": "warn", "missing_from_platform": "info"}
# Difference types seen (ENDPOINTS.md §15; the full list is unconfirmed): others show as their label.
DIFFERENCE_TYPES = {
    "dob": "Date of birth",
    "missing_ie": "Missing individual enrollment",
    "ie_effective_end_date": "Enrollment end date",
    "ie_effective_start_date": "Enrollment start date",
}
# Rows shown in the short lists of the employee page before "see all".
RECENT = 10


def _person(first, last):
    return " ".join(p for p in (first, last) if p)


# --- Employees ------------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def employee_list(request):
    filterset = EmployeeFilter(request.GET, queryset=with_search_sort(employees_for_list()))
    listing = Listing(
        request, filterset, sorts=employee_sorts(request.GET), default_sort="name", columns=columns.EMPLOYEE_TABLE
    )
    return listing.render("members/employee_list.html")


@require_safe
def employee_export(request):
    queryset = columns.EMPLOYEES.queryset(with_search_sort(Employee.objects.present()))
    return _export(
        request,
        EmployeeFilter(request.GET, queryset=queryset),
        columns.EMPLOYEES,
        employee_sorts(request.GET),
        "name",
        columns.EMPLOYEE_TABLE,
    )


@require_safe
@vary_on_headers("HX-Request")
def employee_detail(request, pk):
    """Person, employment, family and coverage; enrollment statuses recomputed "as of" a date (htmx)."""
    employee = get_object_or_404(Employee.objects.select_related("group"), pk=pk)
    form = AsOfForm(request.GET or None, initial={"as_of": timezone.localdate()})
    as_of = form.day()
    # The family as Noyo has it now: records removed upstream are history, not coverage.
    dependents = list(employee.dependents.present().order_by("date_of_birth", "first_name"))
    people = {employee.pk: employee.full_name, **{d.pk: d.full_name for d in dependents}}
    enrollments = list(
        IndividualEnrollment.objects.present()
        .filter(employee=employee)
        .select_related("plan", "carrier")
        .order_by("line_of_coverage", "individual_type", "effective_start_date", "pk")
    )
    for enrollment in enrollments:
        enrollment.status_on = enrollment.status_as_of(as_of)
        enrollment.member_name = people.get(enrollment.individual_id, "")
    premiums = list(
        employee.premiums.present()
        .select_related("carrier")
        .order_by("carrier__name", "premium_type", "effective_start_date")
    )
    for premium in premiums:
        premium.in_force = _in_force(premium, as_of)
    context = {
        "employee": employee,
        "form": form,
        "as_of": as_of,
        "dependents": dependents,
        "enrollments": enrollments,
        "premiums": premiums,
        "snapshots": _recent_snapshots(employee),
        "member_requests": employee.member_requests.defer("raw").order_by("-created", "-pk")[:RECENT],
        "snapshot_list_url": _url("members:snapshot_list", employee=employee.pk),
        "request_list_url": _url("members:memberrequest_list", employee=employee.pk),
        "enrollment_export_url": _url("members:enrollment_export", employee=employee.pk, as_of=as_of.isoformat()),
        "notes": notes.thread_for(employee),
    }
    template = "members/employee_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#coverage"
    return TemplateResponse(request, template, context, status=200 if form.is_valid() or not request.GET else 400)


def _in_force(record, day) -> bool:
    start, end = record.effective_start_date, record.effective_end_date
    return (start is None or start <= day) and (end is None or day <= end)


def _recent_snapshots(employee):
    snapshots = list(employee.snapshots.defer("raw").order_by("-created", "-pk")[:RECENT])
    attach_fulfillments(snapshots)
    return snapshots


def attach_fulfillments(snapshots):
    """Each snapshot's carrier fulfillments, in one query, worst first."""
    by_snapshot = defaultdict(list)
    summaries = (
        FulfillmentSummary.objects.present()
        .filter(snapshot_id__in=[s.pk for s in snapshots])
        .select_related("carrier")
        .defer("raw")
    )
    for summary in summaries:
        by_snapshot[summary.snapshot_id].append(summary)
    for snapshot in snapshots:
        snapshot.fulfillments = sorted(by_snapshot[snapshot.pk], key=_worst_first)


def _worst_first(summary):
    rank = FULFILLMENT_ORDER.index(summary.status) if summary.status in FULFILLMENT_ORDER else -1
    return rank, summary.carrier.name if summary.carrier else summary.carrier_id or ""


@require_safe
def enrollment_export(request):
    """Enrollments of the employees on screen (or of one employee), with each status recomputed as of a date."""
    form = AsOfForm(request.GET)
    as_of = form.day()
    queryset = IndividualEnrollment.objects.present().annotate(csv_status_on=status_on(as_of))
    export = columns.ENROLLMENTS._replace(
        columns=[*columns.ENROLLMENTS.columns, Column(f"Status as of {as_of.isoformat()}", "csv_status_on")]
    )
    return _export(request, EnrollmentFilter(request.GET, queryset=queryset), export, ENROLLMENT_SORTS, "line")


# --- Member snapshots -----------------------------------------------------------------------


def error_parts(error) -> dict:
    """An error for a page: the message, and its code and field to show quietly beside it."""
    if not isinstance(error, dict):
        return {"message": readable.mask_ssns_in_text(str(error)), "code": "", "field": ""}
    return {
        "message": readable.mask_ssns_in_text(str(error.get("message") or error.get("detail") or "")),
        "code": str(error.get("code") or ""),
        "field": str(error.get("field") or ""),
    }


@require_safe
@vary_on_headers("HX-Request")
def snapshot_list(request):
    """Snapshots, or with a carrier or fulfillment status asked for, their carrier fulfillments."""
    if uses_fulfillments(request.GET):
        filterset = FulfillmentFilter(request.GET, queryset=fulfillments_for_list())
        listing = Listing(
            request, filterset, sorts=SNAPSHOT_SORTS, default_sort="-created", columns=columns.SNAPSHOT_TABLE
        )
        for summary in listing.page.object_list:
            summary.error_lines = [error_parts(e) for e in summary.errors or ()]
        listing.extra_context = {"fulfillment_rows": True}
    else:
        filterset = SnapshotFilter(request.GET, queryset=snapshots_for_list())
        listing = Listing(
            request, filterset, sorts=SNAPSHOT_SORTS, default_sort="-created", columns=columns.SNAPSHOT_TABLE
        )
        attach_fulfillments(listing.page.object_list)
    return listing.render("members/snapshot_list.html")


@require_safe
def snapshot_export(request):
    queryset = columns.SNAPSHOTS.queryset(MemberSnapshot.objects.present())
    return _export(
        request,
        SnapshotFilter(request.GET, queryset=queryset),
        columns.SNAPSHOTS,
        SNAPSHOT_SORTS,
        "-created",
        columns.SNAPSHOT_TABLE,
    )


@require_safe
def fulfillment_export(request):
    queryset = columns.FULFILLMENTS.queryset(FulfillmentSummary.objects.present())
    return _export(
        request,
        FulfillmentFilter(request.GET, queryset=queryset),
        columns.FULFILLMENTS,
        SNAPSHOT_SORTS,
        "-created",
        columns.SNAPSHOT_TABLE,
    )


@require_safe
def snapshot_detail(request, pk):
    snapshot = get_object_or_404(MemberSnapshot.objects.select_related("employee", "group"), pk=pk)
    summaries = sorted(snapshot.fulfillment_summaries.present().select_related("carrier"), key=_worst_first)
    for summary in summaries:
        summary.error_lines = [error_parts(e) for e in summary.errors or ()]
        summary.meaning = FULFILLMENT_MEANINGS.get(summary.status, "")
    differences = list(snapshot.differences.select_related("carrier").order_by("-impact_score", "-created", "pk")[:200])
    for difference in differences:
        difference.field_rows = _difference_fields(difference)
        difference.tone = DIFFERENCE_TONES.get(difference.classification, "unknown")
        difference.type_label = DIFFERENCE_TYPES.get(difference.difference_type) or label_for(
            difference.difference_type or ""
        )
    chain = snapshot.chain()
    context = {
        "snapshot": snapshot,
        "summaries": summaries,
        "differences": differences,
        "timeline": _timeline(snapshot, summaries),
        "chain": chain if len(chain) > 1 else [],
        "snapshot_errors": [error_parts(e) for e in snapshot.errors or ()],
        "raw_json": _json(snapshot.raw_masked),
        "differences_url": _url("members:difference_list", snapshot=snapshot.pk),
        "employee_transactions_url": _url("members:transaction_list", employee=snapshot.employee_id)
        if snapshot.employee_id
        else "",
        "details_per_run": DETAILS_PER_RUN,
        **_submitted(snapshot),
    }
    return TemplateResponse(request, "members/snapshot_detail.html", context)


def _submitted(snapshot) -> dict:
    """What the snapshot sent, readable and as masked JSON, and the members it created, linked where mirrored.

    The payload comes from the single snapshot's read (``submitted``), or from ``raw`` when the
    snapshot was written from a single read (a webhook) before the column existed.
    """
    payload = snapshot.submitted
    if payload is None and isinstance((snapshot.raw or {}).get("member_snapshot"), dict):
        payload = snapshot.raw["member_snapshot"]
    created = snapshot.created_members or (snapshot.raw or {}).get("created_members") or []
    created = [m for m in created if isinstance(m, dict)] if isinstance(created, list) else []
    people, plan_ids, carrier_ids = readable.snapshot_referenced_ids(payload)
    people |= {str(m.get("id")) for m in created if m.get("id")}
    mirrored = _mirrored_people(people)
    names = readable.Names(people={pk: person["name"] for pk, person in mirrored.items()})
    names.people.update({k: v for k, v in readable.snapshot_people_names(payload).items() if k not in names.people})
    if plan_ids:
        names.plans.update(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "name"))
    if carrier_ids:
        names.carriers.update(Carrier.objects.filter(pk__in=carrier_ids).values_list("pk", "name"))
    submitted = readable.describe_snapshot(payload, names) if payload is not None else None
    for person in submitted.people if submitted else ():
        person.mirrored = mirrored.get(person.id)
    return {
        "submitted": submitted,
        "submitted_json": _json(mask_ssns(payload)) if payload is not None else "",
        "created_members": [
            {
                "id": str(m.get("id") or ""),
                "custom_id": str(m.get("custom_individual_id") or ""),
                "type": str(m.get("type") or ""),
                "mirrored": mirrored.get(str(m.get("id") or "")),
            }
            for m in created
        ],
    }


def _mirrored_people(ids) -> dict[str, dict]:
    """``{id: {name, employee_id, kind}}`` of the employees and dependents mirrored among ``ids``: two queries."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    found = {}
    for pk, first, last in Employee.objects.filter(pk__in=ids).values_list("pk", "first_name", "last_name"):
        found[pk] = {"name": _person(first, last), "employee_id": pk, "kind": "employee"}
    for pk, employee_id, first, last in Dependent.objects.filter(pk__in=ids).values_list(
        "pk", "employee_id", "first_name", "last_name"
    ):
        found[pk] = {"name": _person(first, last), "employee_id": employee_id, "kind": "dependent"}
    return found


def _difference_fields(difference: TrackingDifference) -> list[readable.FieldRow]:
    return readable.difference_fields(difference.fields, difference.classification)


def _timeline(record, children=(), child_label=None):
    """The record's status changes, with its children's (carrier fulfillments, transactions), oldest first."""
    changes = list(StatusChange.objects.for_object(record))
    if children:
        resource = children[0]._meta.label_lower
        labels = {str(child.pk): (child_label or _carrier_label)(child) for child in children}
        child_changes = StatusChange.objects.filter(resource=resource, object_id__in=list(labels)).order_by(
            "observed_at", "id"
        )
        for change in child_changes:
            change.subject = labels.get(change.object_id, "")
            changes.append(change)
        changes.sort(key=lambda c: (c.observed_at, c.id))
    return changes


def _carrier_label(child):
    return child.carrier.name if getattr(child, "carrier", None) else (child.carrier_id or "")


@require_safe
def snapshot_summary(request):
    """Snapshots by status and carrier fulfillments by carrier × status, each a link to the list."""
    statuses = _ordered(SNAPSHOT_STATUS_ORDER, SnapshotStatus.values)
    fulfillment_statuses = _ordered(FULFILLMENT_ORDER, contract.FULFILLMENT_STATUSES)
    carriers = list(Carrier.objects.order_by("name"))
    present_snapshots = MemberSnapshot.objects.present()
    present_summaries = FulfillmentSummary.objects.present()
    cells = {("status", s): present_snapshots.filter(status=s) for s in statuses}
    for carrier in carriers:
        for s in fulfillment_statuses:
            cells[(carrier.pk, s)] = present_summaries.filter(carrier_id=carrier.pk, status=s)
    counts = bounded_counts(cells, SUMMARY_COUNT_LIMIT)
    list_url = reverse("members:snapshot_list")
    status_counts = [
        {"status": s, "count": counts[("status", s)], "url": f"{list_url}?{urlencode({'status': s})}"} for s in statuses
    ]
    rows = []
    for carrier in carriers:
        row_cells = [
            {
                "status": s,
                "count": counts[(carrier.pk, s)],
                "url": f"{list_url}?{urlencode({'carrier': carrier.pk, 'fulfillment_status': s})}",
            }
            for s in fulfillment_statuses
        ]
        if any(cell["count"] for cell in row_cells):
            rows.append({"carrier": carrier, "cells": row_cells, "invalid": counts[(carrier.pk, "invalid")]})
    # Carriers with invalid fulfillments first, most first; then by name.
    rows.sort(key=lambda row: (-row["invalid"], row["carrier"].name))
    context = {
        "status_counts": status_counts,
        "fulfillment_statuses": fulfillment_statuses,
        "rows": rows,
        "limit": SUMMARY_COUNT_LIMIT,
        "invalid_url": f"{list_url}?fulfillment_status=invalid",
    }
    return TemplateResponse(request, "members/snapshot_summary.html", context)


def _ordered(preferred, known):
    return tuple(s for s in preferred if s in known) + tuple(s for s in known if s not in preferred)


def bounded_counts(querysets: dict, limit: int) -> dict:
    """``{key: min(count, limit + 1)}`` for each queryset, in one query.

    Each count reads at most ``limit + 1`` index entries, so the page costs the
    same at 1,000 rows and at 1,000,000; a count past the limit is shown as "1,000+".
    """
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        sql, values = queryset.order_by().values("pk")[: limit + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS bounded)")
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row))


# --- Member requests ------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def memberrequest_list(request):
    filterset = MemberRequestFilter(request.GET, queryset=member_requests_for_list())
    listing = Listing(
        request, filterset, sorts=MEMBERREQUEST_SORTS, default_sort="-created", columns=columns.MEMBER_REQUEST_TABLE
    )
    return listing.render("members/memberrequest_list.html")


@require_safe
def memberrequest_export(request):
    queryset = columns.MEMBER_REQUESTS.queryset(MemberRequest.objects.present())
    return _export(
        request,
        MemberRequestFilter(request.GET, queryset=queryset),
        columns.MEMBER_REQUESTS,
        MEMBERREQUEST_SORTS,
        "-created",
        columns.MEMBER_REQUEST_TABLE,
    )


@require_safe
def memberrequest_transaction_export(request):
    """The transactions of the requests the requests list shows: its parameters, renamed for the transactions filters."""
    return HttpResponseRedirect(
        f"{reverse('members:transaction_export')}?{legacy_transaction_params(request.GET).urlencode()}"
    )


# --- Member transactions ----------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def transaction_list(request):
    filterset = TransactionFilter(request.GET, queryset=transactions_for_list())
    listing = Listing(
        request, filterset, sorts=TRANSACTION_SORTS, default_sort="-created", columns=columns.TRANSACTION_TABLE
    )
    for transaction in listing.page.object_list:
        transaction.status_detail = readable.transaction_status_detail(
            transaction.status, transaction.verified, transaction.first_error
        )
    return listing.render("members/transaction_list.html")


@require_safe
def transaction_export(request):
    """The transactions list as on screen; or the transactions of one ``member_request``."""
    queryset = columns.TRANSACTIONS.queryset(MemberTransaction.objects.present())
    return _export(
        request,
        TransactionFilter(request.GET, queryset=queryset),
        columns.TRANSACTIONS,
        TRANSACTION_SORTS,
        "-created",
        columns.TRANSACTION_TABLE,
    )


@require_safe
def transaction_detail(request, pk):
    transaction = get_object_or_404(
        MemberTransaction.objects.select_related("carrier", "member_request", "employee"), pk=pk
    )
    body, result = transaction.body, transaction.result
    names = _names_in(body, result, transaction)
    context = {
        "transaction": transaction,
        "status_detail": readable.transaction_status_detail(
            transaction.status, transaction.verified, _first_error(result)
        ),
        "body": readable.describe_transaction_body(body, names),
        "result": readable.describe_result(result, names),
        "body_json": _json(mask_ssns(body)),
        "result_json": _json(mask_ssns(result)),
        "raw_json": _json(transaction.raw_masked),
        "timeline": _timeline(transaction),
        "siblings_url": _url("members:transaction_list", member_request=transaction.member_request_id)
        if transaction.member_request_id
        else "",
    }
    return TemplateResponse(request, "members/transaction_detail.html", context)


def _first_error(result):
    errors = result.get("errors") if isinstance(result, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else None
    return (first.get("message") or first.get("detail")) if isinstance(first, dict) else (str(first) if first else None)


# --- Tracking differences ---------------------------------------------------------------------


class QueueListing(Listing):
    """The differences queue: its default sort is DIFFERENCE_QUEUE_ORDER (open first, then oldest first),
    served by ``diff_queue_idx``; any other sort is a column's, as on every list."""

    def __post_init__(self):
        self.sort = valid_sort(self.request, self.sorts, self.default_sort)
        self.queryset = queue_ordered(filtered(self.filterset), self.sort, self.sorts)
        self.per_page = per_page = _per_page(self.request)
        number = _page_number(self.request, per_page)
        self.paginator = BoundedCountPaginator(self.queryset, per_page, number)
        self.page = self.paginator.get_page(number)


def queue_ordered(queryset, sort, sorts):
    return queryset.order_by(*DIFFERENCE_QUEUE_ORDER) if sort == "queue" else order_by_sort(queryset, sort, sorts)


@require_safe
@vary_on_headers("HX-Request")
def difference_list(request):
    filterset = DifferenceFilter(request.GET, queryset=differences_for_list())
    listing = QueueListing(
        request, filterset, sorts=DIFFERENCE_SORTS, default_sort="queue", columns=columns.DIFFERENCE_TABLE
    )
    describe_differences(listing.page.object_list)
    return listing.render("members/difference_list.html")


def describe_differences(differences):
    """Each difference's fields in words, and what it is about (the dependent or enrollment it names): two queries."""
    differences = list(differences)
    dependents = [d.object_id for d in differences if d.object_type == "dependent" and d.object_id]
    enrollments = [d.object_id for d in differences if d.object_type == "individual_enrollment" and d.object_id]
    names = (
        {
            pk: _person(first, last)
            for pk, first, last in Dependent.objects.filter(pk__in=dependents).values_list(
                "pk", "first_name", "last_name"
            )
        }
        if dependents
        else {}
    )
    lines = (
        dict(IndividualEnrollment.objects.filter(pk__in=enrollments).values_list("pk", "line_of_coverage"))
        if enrollments
        else {}
    )
    for difference in differences:
        difference.field_rows = _difference_fields(difference)
        difference.tone = DIFFERENCE_TONES.get(difference.classification, "unknown")
        difference.type_label = DIFFERENCE_TYPES.get(difference.difference_type) or label_for(
            difference.difference_type or ""
        )
        subject = label_for(difference.object_type) if difference.object_type else ""
        if difference.object_id in names:
            subject = f"{subject} {names[difference.object_id]}"
        elif difference.object_id in lines:
            subject = f"{label_for(lines[difference.object_id])} enrollment"
        difference.subject = subject


@require_safe
def difference_export(request):
    # The queue's order is given to the rows: export_csv keeps it when it is given no sorts.
    queryset = columns.DIFFERENCES.queryset(TrackingDifference.objects.present()).order_by(*DIFFERENCE_QUEUE_ORDER)
    filterset = DifferenceFilter(request.GET, queryset=queryset)
    sorts = None if valid_sort(request, DIFFERENCE_SORTS, "queue") == "queue" else DIFFERENCE_SORTS
    return _export(request, filterset, columns.DIFFERENCES, sorts, "queue", columns.DIFFERENCE_TABLE)


@require_safe
def memberrequest_detail(request, pk):
    member_request = get_object_or_404(MemberRequest.objects.select_related("employee", "group"), pk=pk)
    transactions = list(member_request.transactions.select_related("carrier").defer("raw").order_by("created", "pk"))
    body, result = member_request.body, member_request.result
    names = _names_in(body, result, member_request)
    context = {
        "member_request": member_request,
        "transactions": transactions,
        "missing_transactions": _missing_transactions(member_request, transactions),
        "body": readable.describe_body(body, names),
        "result": readable.describe_result(result, names),
        "body_json": _json(mask_ssns(body)),
        "result_json": _json(mask_ssns(result)),
        "raw_json": _json(member_request.raw_masked),
        "timeline": _timeline(member_request, transactions, child_label=_transaction_label),
        "transaction_export_url": _url("members:transaction_export", member_request=member_request.pk),
        "transaction_list_url": _url("members:transaction_list", member_request=member_request.pk),
    }
    return TemplateResponse(request, "members/memberrequest_detail.html", context)


def _transaction_label(transaction):
    carrier = _carrier_label(transaction)
    kind = transaction.label_of("transaction_type")
    return f"{kind} at {carrier}" if carrier else kind


def _missing_transactions(member_request, transactions) -> int:
    """How many of the request's transaction ids are not mirrored (yet)."""
    ids = member_request.transaction_ids if isinstance(member_request.transaction_ids, list) else []
    return len(set(map(str, ids)) - {t.pk for t in transactions})


def _names_in(body, result, record) -> readable.Names:
    """Names of the people, plans and carriers the body and result of a request (or transaction) mention:
    three or four small queries."""
    people_ids, plan_ids, carrier_ids = readable.referenced_ids(body, result)
    names = readable.Names()
    if record.employee_id:
        people_ids.add(record.employee_id)
    if people_ids:
        for model in (Employee, Dependent):
            for pk, first, last in model.objects.filter(pk__in=people_ids).values_list("pk", "first_name", "last_name"):
                names.people[pk] = _person(first, last)
    if plan_ids:
        names.plans.update(Plan.objects.filter(pk__in=plan_ids).values_list("pk", "name"))
    if carrier_ids:
        names.carriers.update(Carrier.objects.filter(pk__in=carrier_ids).values_list("pk", "name"))
    return names


# --- Small helpers --------------------------------------------------------------------------


def _export(request, filterset, export, sorts=None, default_sort="-pk", table=None):
    """The export, with the columns the address chose of the list's ``table`` (every column without one)."""
    if table is None:
        return export_csv(request, filterset, export.columns, export.stem, sorts=sorts, default_sort=default_sort)
    return column_choice.export(
        request, filterset, table, export.columns, export.stem, sorts=sorts, default_sort=default_sort
    )


def _url(name, **params):
    return f"{reverse(name)}?{urlencode(params)}"


def _json(value) -> str:
    """Pretty JSON of a payload already passed through ``mask_ssns``; SSNs written into text are masked too."""
    return readable.mask_ssns_in_text(json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False))
