"""One FilterSet per members list, shared by the page and its CSV export.

A bad value (``?status=bogus``, ``?date_of_birth=31/02``, an end date before the
start date, a name matching too many employees) makes the form invalid: the page
answers 400 with the message beside the field and an empty table, never a 500.

Group and employee filters take a name or an id (``?group=<uuid>`` is what other
pages link to). A name is resolved to at most ``MATCH_LIMIT`` ids first, so the
big tables are filtered with ``IN (...)`` on their indexed foreign key rather
than joined to a name search. Every filter and sort is served by an index (see
``members.models`` and migration 0003).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, F, Prefetch, Q, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Upper
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from command_center.filters import DateFilter, FilterSet
from command_center.sync.records import pasted_noyo_id
from connections.models import Carrier, Group, Plan

from .models import (
    DIFFERENCE_OPEN,
    DifferenceClassification,
    Employee,
    EnrollmentStatus,
    FulfillmentStatus,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberRequestStatus,
    MemberRequestType,
    MemberSnapshot,
    MemberTransaction,
    SnapshotStatus,
    TrackingDifference,
    TransactionStatus,
    TransactionType,
)

# A group or employee name may stand for at most this many records.
MATCH_LIMIT = 200
# A differences search matching up to this many rows is read as an id list first (see DifferenceFilter.search).
MAX_SEARCH_IDS = 1000


def carriers(request=None):
    return Carrier.objects.order_by("name")


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the site's time zone: a range on the raw column keeps its index."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- Group and employee references: a name or an id ----------------------------------------------


@dataclass(frozen=True)
class Match:
    """What a group or employee field resolved to. Prints as what was typed (for file names)."""

    text: str
    ids: tuple[str, ...]
    names: tuple[str, ...]

    def __str__(self):
        return self.text

    @property
    def single_name(self) -> str:
        return self.names[0] if len(self.ids) == 1 and self.names else ""


def search_employees(queryset, text: str):
    """Employees by an exact id (as pasted: quotes, braces or no dashes), else by name or e-mail."""
    if noyo_id := pasted_noyo_id(text):
        return queryset.filter(pk=noyo_id)
    return queryset.search(text)


def resolve_employees(text: str) -> list[tuple[str, str]]:
    rows = search_employees(Employee.objects.all(), text).order_by().values_list("pk", "first_name", "last_name")
    return [(pk, f"{first} {last}".strip()) for pk, first, last in rows[: MATCH_LIMIT + 1]]


def resolve_groups(text: str) -> list[tuple[str, str]]:
    if noyo_id := pasted_noyo_id(text):
        groups = Group.objects.filter(pk=noyo_id)
    else:
        groups = Group.objects.filter(Q(name__icontains=text) | Q(dba_name__icontains=text))
    return list(groups.order_by().values_list("pk", "name")[: MATCH_LIMIT + 1])


class ReferenceField(forms.CharField):
    """A name or an id, cleaned to a ``Match`` of at most MATCH_LIMIT ids (one query)."""

    def __init__(self, *, resolve, noun, **kwargs):
        self.resolve, self.noun = resolve, noun
        super().__init__(**kwargs)

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        found = self.resolve(text)
        if len(found) > MATCH_LIMIT:
            raise ValidationError(
                f"More than {MATCH_LIMIT} {self.noun}s match “{text}”. Type more of the name, or paste the {self.noun} id."
            )
        if not found and (noyo_id := pasted_noyo_id(text)):
            # An id not mirrored yet still filters: records may point at it before it arrives.
            found = [(noyo_id, "")]
        return Match(text, tuple(pk for pk, _ in found), tuple(name for _, name in found[:3]))


@extend_schema_field(OpenApiTypes.STR)  # a name or an id
class ReferenceFilter(django_filters.Filter):
    field_class = ReferenceField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": value.ids})


def group_filter(field_name="group_id", **kwargs):
    return ReferenceFilter(
        field_name=field_name,
        label="Group",
        resolve=resolve_groups,
        noun="group",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Group name or id"}),
        **kwargs,
    )


def employee_filter(field_name="employee_id"):
    return ReferenceFilter(
        field_name=field_name,
        label="Employee",
        resolve=resolve_employees,
        noun="employee",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Employee name or id"}),
    )


# --- Created-date ranges ---------------------------------------------------------------------------


class DateRangeForm(forms.Form):
    """The filter form of lists with a created-date range: the range must not run backwards."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", "The end date is before the start date.")
        return cleaned


def created_range():
    """The "Created from" and "Created to" filters, declared last in each FilterSet so they show last."""
    return (
        DateFilter(label="Created from", method="filter_created_from"),
        DateFilter(label="Created to", method="filter_created_to"),
    )


class CreatedRangeFilterSet(FilterSet):
    # The column holding the created time (a join for transactions, which follow their request).
    created_field = "created"

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.created_field}__gte": start_of(value)}) if value else queryset

    def filter_created_to(self, queryset, name, value):
        """Inclusive: everything created on the end date too."""
        return (
            queryset.filter(**{f"{self.created_field}__lt": start_of(value + dt.timedelta(days=1))})
            if value
            else queryset
        )


# --- Employees and their enrollments ------------------------------------------------------------


class EmployeeFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, e-mail or employee id"}),
    )
    date_of_birth = DateFilter(label="Date of birth")
    group = group_filter()

    class Meta:
        model = Employee
        fields = []

    def search(self, queryset, name, value):
        return search_employees(queryset, value)


def employee_sorts(params) -> dict[str, str]:
    """The employees list's sorts. A name search sorts by ``UPPER(last_name)``, which no index
    provides: walking the name index in order while searching that same name (every "Smith"
    sits at S) read half the table; the trigram match and a top-N sort read only the matches."""
    sorts = {"name": "last_name", "hire_date": "hire_date", "date_of_birth": "date_of_birth"}
    if (params.get("q") or "").strip():
        sorts["name"] = "search_sort_name"
    return sorts


def with_search_sort(queryset):
    return queryset.annotate(search_sort_name=Upper("last_name"))


# The lists fetch the page's rows alone, then their employees, groups, snapshots and carriers by
# primary key (prefetch): a join before the LIMIT can make the planner hash a whole table first
# (85 ms instead of 1 ms for 20 employees' requests out of 1,000,000).
def _names(model, *fields):
    return model.objects.only("id", *fields)


def employees_for_list():
    return (
        Employee.objects.present()
        .only(
            "id",
            "first_name",
            "middle_name",
            "last_name",
            "date_of_birth",
            "employment_status",
            "hire_date",
            "lines_of_coverage",
            "removed_upstream_at",
            "group_id",
        )
        .prefetch_related(Prefetch("group", _names(Group, "name")))
    )


class EnrollmentFilter(FilterSet):
    """Enrollments of the employees the employees list shows (same parameters), or of one ``employee``.

    ``as_of`` filters nothing: the export adds a "status as of" column for that date.
    """

    q = django_filters.CharFilter(label="Search", method="search")
    date_of_birth = DateFilter(label="Date of birth", field_name="employee__date_of_birth")
    group = group_filter()
    employee = employee_filter()
    as_of = DateFilter(label="As of", method="keep")

    class Meta:
        model = IndividualEnrollment
        fields = []

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(employee__in=search_employees(Employee.objects.all(), value).values("pk"))

    def keep(self, queryset, name, value):
        return queryset


# The enrollments export (and API) sorts; the default is the model's order: by line, then start date.
ENROLLMENT_SORTS = {
    "line": ("line_of_coverage", "effective_start_date"),
    "start": "effective_start_date",
    "end": "effective_end_date",
    "status": "status",
}


def enrollments_for_list():
    return IndividualEnrollment.objects.present().prefetch_related(
        Prefetch("employee", _names(Employee, "first_name", "last_name")),
        Prefetch("plan", Plan.objects.only("id", "name")),
        "carrier",
    )


def status_on(day: dt.date):
    """``IndividualEnrollment.status_as_of(day)`` in SQL, for the streamed export.

    tests/members/test_enrollment_export.py checks both agree on every case.
    """
    return Case(
        When(effective_start_date__isnull=True, then=F("status")),
        When(effective_start_date__gt=day, then=Value(EnrollmentStatus.PENDING.value)),
        When(effective_end_date__lt=day, then=Value(EnrollmentStatus.TERMINATED.value)),
        default=Value(EnrollmentStatus.ACTIVE.value),
        output_field=CharField(),
    )


# --- Member snapshots and their carrier fulfillments ---------------------------------------------


class SnapshotFilter(CreatedRangeFilterSet):
    """The snapshots list's filters. With a carrier or a fulfillment status the list shows carrier
    fulfillments instead (``FulfillmentFilter``, same parameters): see ``uses_fulfillments``."""

    status = django_filters.ChoiceFilter(label="Status", choices=SnapshotStatus.choices, empty_label="Any status")
    group = group_filter()
    employee = employee_filter()
    # Both applied in filter_queryset, together, to the same fulfillment.
    carrier = extend_schema_field(OpenApiTypes.STR)(  # a carrier id
        django_filters.ModelChoiceFilter(label="Carrier", queryset=carriers, empty_label="All carriers", method="keep")
    )
    fulfillment_status = django_filters.ChoiceFilter(
        label="Carrier fulfillment", choices=FulfillmentStatus.choices, empty_label="Any fulfillment", method="keep"
    )

    created_from, created_to = created_range()

    class Meta:
        model = MemberSnapshot
        form = DateRangeForm
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        carrier, fulfillment = self.form.cleaned_data.get("carrier"), self.form.cleaned_data.get("fulfillment_status")
        if carrier or fulfillment:
            # Only the export of snapshots gets here with these set; the page lists fulfillments instead.
            summaries = FulfillmentSummary.objects.present()
            if carrier:
                summaries = summaries.filter(carrier=carrier)
            if fulfillment:
                summaries = summaries.filter(status=fulfillment)
            queryset = queryset.filter(pk__in=summaries.values("snapshot_id"))
        return queryset

    def keep(self, queryset, name, value):
        return queryset


def uses_fulfillments(params) -> bool:
    """Whether the snapshots page lists carrier fulfillments (a carrier or fulfillment status is asked for).

    Listed from the fulfillments table, sorted by their own ``created`` (the snapshot's),
    a rare status such as ``invalid`` is read from its index instead of probing every
    snapshot for a matching fulfillment (2 ms instead of 270 ms at 150,000 snapshots).
    """
    return bool(params.get("carrier") or params.get("fulfillment_status"))


def snapshots_for_list():
    return (
        MemberSnapshot.objects.present()
        .only(
            "id",
            "created",
            "modified",
            "status",
            "status_changed_at",
            "replaced_by_id",
            "removed_upstream_at",
            "employee_id",
            "group_id",
        )
        .prefetch_related(
            Prefetch("employee", _names(Employee, "first_name", "last_name")), Prefetch("group", _names(Group, "name"))
        )
    )


class FulfillmentFilter(CreatedRangeFilterSet):
    """Carrier fulfillments, with the snapshots list's parameters.

    Summaries carry the snapshot's group, employee and created time, so only the
    snapshot status needs the snapshot; carrier and fulfillment status apply to the row itself.
    """

    status = django_filters.ChoiceFilter(
        label="Status", choices=SnapshotStatus.choices, field_name="snapshot__status", empty_label="Any status"
    )
    group = group_filter()
    employee = employee_filter()
    carrier = django_filters.ModelChoiceFilter(label="Carrier", queryset=carriers, empty_label="All carriers")
    fulfillment_status = django_filters.ChoiceFilter(
        label="Carrier fulfillment",
        choices=FulfillmentStatus.choices,
        field_name="status",
        empty_label="Any fulfillment",
    )

    created_from, created_to = created_range()

    class Meta:
        model = FulfillmentSummary
        form = DateRangeForm
        fields = []


def fulfillments_for_list():
    return (
        FulfillmentSummary.objects.present()
        .only(
            "id",
            "created",
            "status",
            "errors",
            "status_changed_at",
            "snapshot_id",
            "carrier_id",
            "employee_id",
            "group_id",
        )
        .prefetch_related(
            Prefetch("snapshot", _names(MemberSnapshot, "status", "created")),
            Prefetch("employee", _names(Employee, "first_name", "last_name")),
            Prefetch("group", _names(Group, "name")),
            "carrier",
        )
    )


# --- Member requests and transactions ---------------------------------------------------------


class MemberRequestFilter(CreatedRangeFilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=MemberRequestStatus.choices, empty_label="Any status")
    request_type = django_filters.ChoiceFilter(
        label="Request type", choices=MemberRequestType.choices, empty_label="Any type"
    )
    group = group_filter()
    employee = employee_filter()

    created_from, created_to = created_range()

    class Meta:
        model = MemberRequest
        form = DateRangeForm
        fields = []


def member_requests_for_list():
    # ``raw`` (about 1 KB a row) stays in the database: the list shows columns only.
    return (
        MemberRequest.objects.present()
        .only(
            "id",
            "created",
            "modified",
            "request_type",
            "status",
            "status_changed_at",
            "transaction_ids",
            "removed_upstream_at",
            "employee_id",
            "group_id",
        )
        .prefetch_related(
            Prefetch("employee", _names(Employee, "first_name", "last_name")), Prefetch("group", _names(Group, "name"))
        )
    )


class TransactionFilter(CreatedRangeFilterSet):
    """The transactions list and its export; the request page's export names one ``member_request``.

    ``request_status`` and ``request_type`` are the member requests list's ``status`` and
    ``request_type``: its "Export transactions" goes through ``legacy_transaction_params``.
    """

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Transaction or request id, employee name or id"}
        ),
    )
    status = django_filters.ChoiceFilter(label="Status", choices=TransactionStatus.choices, empty_label="Any status")
    transaction_type = django_filters.ChoiceFilter(
        label="Type", choices=TransactionType.choices, empty_label="Any type"
    )
    carrier = django_filters.ModelChoiceFilter(label="Carrier", queryset=carriers, empty_label="All carriers")
    verified = django_filters.ChoiceFilter(
        label="Verified",
        choices=[("yes", "Verified"), ("no", "Not verified")],
        empty_label="Verified or not",
        method="filter_verified",
    )
    # Set by the requests list's "Export transactions" (and links): a join to the requests, kept off the form.
    request_status = django_filters.ChoiceFilter(
        label="Request status",
        choices=MemberRequestStatus.choices,
        field_name="member_request__status",
        widget=forms.HiddenInput,
    )
    request_type = django_filters.ChoiceFilter(
        label="Request type",
        choices=MemberRequestType.choices,
        field_name="member_request__request_type",
        widget=forms.HiddenInput,
    )
    group = group_filter(method="filter_group")
    # Set by links (a snapshot's employee, the requests list's export); the search finds employees by name.
    employee = ReferenceFilter(
        field_name="employee_id", label="Employee", resolve=resolve_employees, noun="employee", widget=forms.HiddenInput
    )
    member_request = django_filters.CharFilter(
        label="Member request id", field_name="member_request_id", widget=forms.HiddenInput
    )

    created_from, created_to = created_range()

    class Meta:
        model = MemberTransaction
        form = DateRangeForm
        fields = []

    def search(self, queryset, name, value):
        """An id (the transaction's, its request's or its employee's), or an employee's name."""
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(Q(pk=noyo_id) | Q(member_request_id=noyo_id) | Q(employee_id=noyo_id))
        return queryset.filter(employee_id__in=_employee_ids(value))

    def filter_group(self, queryset, name, match):
        """The group as its employees (a request's group is its employee's): the employee index serves it, where
        a join to the requests read a million of them for one group."""
        if match is None:
            return queryset
        return queryset.filter(employee_id__in=Employee.objects.filter(group_id__in=match.ids).values("pk"))

    def filter_verified(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(verified__isnull=False)
        if value == "no":
            return queryset.filter(verified__isnull=True)
        return queryset


def legacy_transaction_params(params):
    """The member requests list's parameters as the transactions filters name them (its ``status`` is the requests')."""
    renamed = params.copy()
    renamed.pop("page", None)
    renamed.pop("sort", None)
    if "status" in renamed:
        renamed.setlist("request_status", renamed.pop("status"))
    return renamed


def _employee_ids(text: str):
    """The employees a name matches: their ids when few (an IN list on an indexed column), else a subquery."""
    matches = Employee.objects.search(text).order_by().values_list("pk", flat=True)
    found = list(matches[: MATCH_LIMIT + 1])
    return found if len(found) <= MATCH_LIMIT else matches


# The transactions list reads the first error of a failed transaction's result in SQL, not the whole raw payload.
TRANSACTION_ERROR = KT("raw__result__errors__0__message")


def transactions_for_list():
    return (
        MemberTransaction.objects.present()
        .only(
            "id",
            "created",
            "modified",
            "transaction_type",
            "status",
            "status_changed_at",
            "verified",
            "lines_of_coverage",
            "removed_upstream_at",
            "member_request_id",
            "employee_id",
            "carrier_id",
        )
        .annotate(first_error=TRANSACTION_ERROR)
        .prefetch_related(
            Prefetch("member_request", _names(MemberRequest, "request_type", "status")),
            Prefetch("employee", _names(Employee, "first_name", "last_name")),
            "carrier",
        )
    )


# --- Tracking differences ------------------------------------------------------------------------


class DifferenceFilter(FilterSet):
    """The tracking differences queue and its export."""

    OPEN, DISCREPANCY, RESOLVED, DISMISSED = "unresolved", "discrepancy", "resolved", "dismissed"
    STATES = [
        (OPEN, "Unresolved"),
        (DISCREPANCY, "Unresolved, carrier check failed"),
        (RESOLVED, "Resolved"),
        (DISMISSED, "Dismissed or suppressed"),
    ]

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Employee name or id, a field or a value"}),
    )
    state = django_filters.ChoiceFilter(
        label="Resolved?", choices=STATES, empty_label="Resolved or not", method="filter_state"
    )
    classification = django_filters.ChoiceFilter(
        label="Classification", choices=DifferenceClassification.choices, empty_label="Any classification"
    )
    carrier = django_filters.ModelChoiceFilter(label="Carrier", queryset=carriers, empty_label="All carriers")
    group = group_filter()
    snapshot = django_filters.CharFilter(label="Snapshot id", field_name="snapshot_id", widget=forms.HiddenInput)

    class Meta:
        model = TrackingDifference
        fields = []

    def filter_state(self, queryset, name, value):
        if value == self.OPEN:
            return queryset.filter(DIFFERENCE_OPEN)
        if value == self.DISCREPANCY:
            return queryset.filter(DIFFERENCE_OPEN, discrepancy_time__isnull=False)
        if value == self.RESOLVED:
            return queryset.filter(resolved__isnull=False)
        if value == self.DISMISSED:
            return queryset.filter(resolved__isnull=True).filter(Q(is_dismissed=True) | Q(is_suppressed=True))
        return queryset

    def search(self, queryset, name, value):
        """An id (the difference's, its employee's, snapshot's or object's), or an employee's name, a
        difference type, a field's key or a value (the fields' JSON as text: the table is small)."""
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(
                Q(pk=noyo_id) | Q(employee_id=noyo_id) | Q(snapshot_id=noyo_id) | Q(object_id=noyo_id)
            )
        words = value.replace(" ", "_")  # "date of birth" finds date_of_birth
        matches = Q(difference_type__icontains=words) | Q(fields_text__icontains=words)
        if words != value:
            matches |= Q(fields_text__icontains=value)
        employees = _employee_ids(value)
        if not isinstance(employees, list) or employees:
            matches |= Q(employee_id__in=employees)
        queryset = queryset.annotate(fields_text=Cast("fields", TextField()))
        # Read the matches' ids once (trigram indexes on Postgres): the count and the page then read
        # them by id, instead of each matching every row's fields again.
        found = list(queryset.filter(matches).order_by().values_list("pk", flat=True)[: MAX_SEARCH_IDS + 1])
        return queryset.filter(pk__in=found) if len(found) <= MAX_SEARCH_IDS else queryset.filter(matches)


def differences_for_list():
    return (
        TrackingDifference.objects.present()
        .defer("raw")
        .prefetch_related(
            Prefetch("employee", _names(Employee, "first_name", "last_name")),
            Prefetch("group", _names(Group, "name")),
            "carrier",
        )
    )
