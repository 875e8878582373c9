"""One FilterSet per list, shared by the page, its CSV export and the API.

A bad value (``?status=bogus``, a malformed id) makes the form invalid: the page
answers 400 with the message beside the field and an empty table, never a 500.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from command_center.filters import DateFilter, FilterSet
from command_center.sync.records import pasted_noyo_id

from .models import (
    Carrier,
    ConnectionStatus,
    DisconnectionReason,
    DisconnectionSourceType,
    DisconnectionStatus,
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    RenewalDecision,
    RenewalDecisionStatus,
    RequestType,
)

# A DBA-name search matching more groups than this is too vague to be useful; the first ones are kept.
MAX_DBA_GROUPS = 1000
# Searches matching up to this many connections are turned into an id list (see ``search``).
MAX_SEARCH_IDS = 1000


class TickField(forms.BooleanField):
    """True when ticked; None (no filter, nothing in the export's file name) when not."""

    def __init__(self, *args, **kwargs):
        kwargs["required"] = False
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return True if super().to_python(value) else None


class DropdownCheckboxes(forms.CheckboxSelectMultiple):
    """Several choices as tick boxes in a drop-down: compact in the filter bar, one click each."""

    template_name = "connections/widgets/dropdown_checkboxes.html"

    def __init__(self, placeholder="Any", attrs=None, choices=()):
        self.placeholder = placeholder
        super().__init__(attrs, choices)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["placeholder"] = self.placeholder
        return context


@extend_schema_field(OpenApiTypes.BOOL)
class Checkbox(django_filters.Filter):
    """A tick box: ticked filters, unticked (or absent) leaves the list alone."""

    field_class = TickField


def carrier_choices(request=None):
    return Carrier.objects.order_by("name")


class ConnectionFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Group, DBA name, carrier group id or id"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=ConnectionStatus.choices,
        widget=DropdownCheckboxes(placeholder="Any status"),
        distinct=False,  # no join to duplicate rows; DISTINCT would sort every column of every match
    )
    carrier = django_filters.ModelChoiceFilter(label="Carrier", queryset=carrier_choices, empty_label="All carriers")
    organization = django_filters.UUIDFilter(
        label="Organization",
        method="filter_organization",
        widget=forms.TextInput(attrs={"placeholder": "Organization id", "size": 12}),
    )
    request_type = django_filters.ChoiceFilter(
        label="Request type", choices=RequestType.choices, empty_label="Any type"
    )
    stuck = Checkbox(label="Stuck", method="filter_stuck")
    attention = Checkbox(label="Needs attention", method="filter_attention")

    class Meta:
        model = GroupConnection
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(
                Q(pk=noyo_id) | Q(group_id=noyo_id) | Q(organization_id=noyo_id) | Q(carrier_id=noyo_id)
            )
        # The DBA name lives on the group. Its matches are read first (one small query) so that
        # Postgres sees a plain id list and ORs three index scans, instead of filtering every row
        # against a subquery it cannot estimate.
        dba_groups = list(
            Group.objects.filter(dba_name__icontains=value).order_by().values_list("pk", flat=True)[:MAX_DBA_GROUPS]
        )
        matches = Q(group_name__icontains=value) | Q(carrier_group_id__icontains=value)
        if dba_groups:
            matches |= Q(group_id__in=dba_groups)
        # A search usually matches a handful of rows. Read their ids first: given "ORDER BY
        # modified LIMIT 50" over a rare match, Postgres walks the modified index through every
        # row hoping to meet one soon (4.6 s at 1M rows, against 30 ms this way).
        found = list(queryset.filter(matches).order_by().values_list("pk", flat=True)[: MAX_SEARCH_IDS + 1])
        return queryset.filter(pk__in=found) if len(found) <= MAX_SEARCH_IDS else queryset.filter(matches)

    def filter_organization(self, queryset, name, value):
        return queryset.filter(organization_id=str(value)) if value else queryset

    def filter_stuck(self, queryset, name, value):
        return queryset.stuck() if value else queryset

    def filter_attention(self, queryset, name, value):
        return queryset.needing_attention() if value else queryset  # the list applies its own sort


def connections_for_list():
    return GroupConnection.objects.select_related("carrier")


class GroupFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, DBA name or id"}),
    )
    carrier = django_filters.ModelChoiceFilter(
        label="Carrier", queryset=carrier_choices, empty_label="All carriers", method="filter_carrier"
    )
    connection_status = django_filters.MultipleChoiceFilter(
        label="Connection status",
        choices=ConnectionStatus.choices,
        method="filter_connection_status",
        widget=DropdownCheckboxes(placeholder="Any status"),
        distinct=False,
    )

    class Meta:
        model = Group
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(pk=noyo_id)
        return queryset.filter(Q(name__icontains=value) | Q(dba_name__icontains=value))

    @extend_schema_field(OpenApiTypes.STR)  # a carrier id (the schema cannot tell it from the method)
    def filter_carrier(self, queryset, name, value):
        if not value or self.form.cleaned_data.get("connection_status"):
            return queryset  # applied with the status, to the same connection
        return queryset.filter(pk__in=GroupConnection.objects.present().filter(carrier=value).values("group_id"))

    def filter_connection_status(self, queryset, name, value):
        """Groups with a connection in one of these statuses (to the chosen carrier, if one is)."""
        if not value:
            return queryset
        connections = GroupConnection.objects.present().filter(status__in=value)
        if self.form.cleaned_data.get("carrier"):
            connections = connections.filter(carrier=self.form.cleaned_data["carrier"])
        return queryset.filter(pk__in=connections.values("group_id"))


def groups_for_list():
    return Group.objects.present()


class CarrierFilter(FilterSet):
    """The carriers list: by name or id, Sync/Send kind, missing reference data, connections in a status."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Carrier name or id"}),
    )
    kind = django_filters.MultipleChoiceFilter(
        label="Kind", choices=Carrier.Kind.choices, widget=DropdownCheckboxes(placeholder="Any kind"), distinct=False
    )
    reference_missing = Checkbox(label="Reference data missing", method="filter_reference_missing")
    connection_status = django_filters.MultipleChoiceFilter(
        label="Has connections",
        choices=ConnectionStatus.choices,
        method="filter_connection_status",
        widget=DropdownCheckboxes(placeholder="In any status"),
        distinct=False,
    )

    class Meta:
        model = Carrier
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(pk=noyo_id)
        return queryset.filter(Q(name__icontains=value) | Q(pk__istartswith=value))

    def filter_reference_missing(self, queryset, name, value):
        return queryset.missing_reference() if value else queryset

    def filter_connection_status(self, queryset, name, value):
        """Carriers with at least one connection (still at Noyo) in one of these statuses."""
        if not value:
            return queryset
        return queryset.filter(pk__in=GroupConnection.objects.present().filter(status__in=value).values("carrier_id"))


class RenewalFilter(FilterSet):
    """The renewal decisions list: status, carrier, renewal date range, group."""

    q = django_filters.CharFilter(
        label="Group",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Group name, DBA name or id"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=RenewalDecisionStatus.choices,
        widget=DropdownCheckboxes(placeholder="Any status"),
        distinct=False,
    )
    carrier = django_filters.ModelChoiceFilter(
        label="Carrier", queryset=carrier_choices, empty_label="All carriers", method="filter_carrier"
    )
    renewal_from = DateFilter(label="Renewal from", field_name="renewal_date", lookup_expr="gte")
    renewal_to = DateFilter(label="Renewal to", field_name="renewal_date", lookup_expr="lte")

    class Meta:
        model = RenewalDecision
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(Q(pk=noyo_id) | Q(group_id=noyo_id))
        groups = Group.objects.filter(Q(name__icontains=value) | Q(dba_name__icontains=value)).order_by().values("pk")
        return queryset.filter(group_id__in=groups)

    @extend_schema_field(OpenApiTypes.STR)  # a carrier id
    def filter_carrier(self, queryset, name, value):
        return queryset.with_carrier(value.pk) if value else queryset


class DisconnectionFilter(FilterSet):
    """The disconnection requests across every group: what waits for review, and what became of the rest."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Group name, group id or request id"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=DisconnectionStatus.choices,
        widget=DropdownCheckboxes(placeholder="Any status"),
        distinct=False,
    )
    carrier = django_filters.ModelChoiceFilter(label="Carrier", queryset=carrier_choices, empty_label="All carriers")
    reason = django_filters.ChoiceFilter(label="Reason", choices=DisconnectionReason.choices, empty_label="Any reason")
    source_type = django_filters.ChoiceFilter(
        label="Started by", choices=DisconnectionSourceType.choices, empty_label="Anyone"
    )

    class Meta:
        model = GroupDisconnectionRequest
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if noyo_id := pasted_noyo_id(value):
            return queryset.filter(Q(pk=noyo_id) | Q(group_id=noyo_id))
        return queryset.filter(Q(group_name__icontains=value) | Q(group__name__icontains=value))


def disconnections_for_list():
    """Every mirrored disconnection request, with its carrier, and ``review_rank`` 0 for those waiting
    for review (the default sort puts them first)."""
    waiting = Case(
        When(status=DisconnectionStatus.NEEDS_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return GroupDisconnectionRequest.objects.present().select_related("carrier").annotate(review_rank=waiting)
