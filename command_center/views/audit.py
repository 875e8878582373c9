"""The audit log: every retry, manual sync and export, filterable and exportable, never editable."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from command_center import column_choice
from command_center.column_choice import Choice, Columns
from command_center.filters import DateFilter, FilterSet
from command_center.json_cells import JsonCell, json_text, truthy
from command_center.lists import ISO, Column, Format, Listing
from command_center.models import AuditEntry

AUDIT_SORTS = {"created": "created", "action": "action", "outcome": "outcome", "actor": "actor__username"}


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "“To” is before “From”.")
        return data


def actor_choices(request=None):
    # Only people who did something: the dropdown stays short.
    User = get_user_model()
    return User.objects.filter(pk__in=AuditEntry.objects.values("actor_id")).order_by("username")


class AuditFilter(FilterSet):
    action = django_filters.ChoiceFilter(label="Action", choices=AuditEntry.Action.choices, empty_label="Any action")
    outcome = django_filters.ChoiceFilter(
        label="Outcome", choices=AuditEntry.Outcome.choices, empty_label="Any outcome"
    )
    actor = django_filters.ModelChoiceFilter(label="Who", queryset=actor_choices, empty_label="Anyone")
    since = DateFilter(label="From", method="filter_since")
    until = DateFilter(label="To", method="filter_until")
    object_id = django_filters.CharFilter(
        label="Record id", widget=forms.TextInput(attrs={"placeholder": "Connection or run id"})
    )

    class Meta:
        model = AuditEntry
        fields = []
        form = AuditFilterForm

    def filter_since(self, queryset, name, value):
        return queryset.filter(created__gte=_start_of(value)) if value else queryset

    def filter_until(self, queryset, name, value):
        # "To" includes the whole day.
        return queryset.filter(created__lt=_start_of(value + dt.timedelta(days=1))) if value else queryset


def _start_of(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# The details as JSON, printed as PostgreSQL prints jsonb (so COPY can write the export), nothing when empty.
DETAILS = Format(
    lambda value: json_text(value) if value else "",
    lambda field: JsonCell(field, lambda details, literal: f"CASE WHEN {truthy(details)} THEN ({details})::text END"),
)

AUDIT_COLUMNS = [
    Column("When", "created", ISO),
    Column("Who", "actor__username"),
    Column("API key", "api_key_name"),
    Column("Action", "action"),
    Column("Outcome", "outcome"),
    Column("Record type", "object_type"),
    Column("Record id", "object_id"),
    Column("Summary", "summary"),
    Column("Details", "details", DETAILS),
]


def entries_for_list():
    return AuditEntry.objects.select_related("actor")


# The columns a person may choose (?cols=...), and the CSV columns each one holds.
AUDIT_TABLE = Columns(
    Choice("created", "When", ("When",), required=True),
    Choice("actor", "Who", ("Who", "API key")),
    Choice("action", "Action", ("Action",)),
    Choice("outcome", "Outcome", ("Outcome",)),
    Choice("what", "What", ("Record type", "Record id", "Summary")),
    Choice("details", "Details", ("Details",)),
)


@vary_on_headers("HX-Request")
def audit_list(request):
    filterset = AuditFilter(request.GET, queryset=entries_for_list())
    listing = Listing(request, filterset, sorts=AUDIT_SORTS, default_sort="-created", columns=AUDIT_TABLE)
    return listing.render("audit/audit_list.html")


def audit_export(request):
    # The export records itself in the log; the file holds what was there when it was asked for.
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    filterset = AuditFilter(request.GET, queryset=entries_for_list().filter(pk__lte=last))
    return column_choice.export(
        request, filterset, AUDIT_TABLE, AUDIT_COLUMNS, "audit", sorts=AUDIT_SORTS, default_sort="-created"
    )
