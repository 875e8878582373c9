"""The attention queue: what needs a person, across every group and carrier, as the syncs found it.

The list and its export share one FilterSet; the item page shows the history and the notes;
acknowledge, assign and snooze are POST-only, need ``command_center.work_attentionitem`` and
change nothing when repeated (``command_center.attention``).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from command_center import attention, column_choice, notes
from command_center.column_choice import Choice, Columns
from command_center.filters import DateField, FilterSet
from command_center.lists import ISO, Column, Listing
from command_center.models import AttentionItem
from command_center.roles import OPERATOR
from connections.filters import DropdownCheckboxes, carrier_choices
from connections.models import Group
from members.filters import group_filter
from members.models import Employee

WORK_PERMISSION = "command_center.work_attentionitem"
REFUSED = (
    "Only Operators can acknowledge, assign or snooze attention items. Ask an administrator for the Operator role."
)

ATTENTION_SORTS = {
    "opened": "opened_at",
    "first_detected": "first_detected_at",
    "detected": "last_detected_at",
    "closed": "closed_at",
    "kind": "kind",
    "summary": "summary",
    "carrier": "carrier__name",
    "group": "group__name",
    "assignee": "assigned_to__username",
    "snoozed": "snoozed_until",
}
STATE_CHOICES = [("open", "Open"), ("snoozed", "Snoozed"), ("closed", "Closed"), ("all", "Open, snoozed or closed")]
AGE_CHOICES = [("1", "More than a day"), ("7", "More than a week"), ("30", "More than 30 days")]


def assignable_users():
    """The people an item can be given to: those who may work items (Operators, superusers)."""
    User = get_user_model()
    return (
        User.objects.filter(Q(groups__name=OPERATOR) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("username")
    )


def assignee_choices():
    return [
        ("mine", "Me"),
        ("unassigned", "Nobody"),
        *[(str(pk), name) for pk, name in assignable_users().values_list("pk", "username")],
    ]


class AttentionFilter(FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "What is wrong, or a record id"}),
    )
    state = django_filters.ChoiceFilter(label="State", choices=STATE_CHOICES, empty_label=None, method="filter_state")
    kind = django_filters.MultipleChoiceFilter(
        label="Kind",
        choices=AttentionItem.Kind.choices,
        widget=DropdownCheckboxes(placeholder="Any kind"),
        distinct=False,
    )
    carrier = django_filters.ModelChoiceFilter(label="Carrier", queryset=carrier_choices, empty_label="All carriers")
    group = group_filter()
    assignee = django_filters.ChoiceFilter(
        label="Assigned to", choices=assignee_choices, empty_label="Anyone", method="filter_assignee"
    )
    age = django_filters.ChoiceFilter(
        label="Open for", choices=AGE_CHOICES, empty_label="Any time", method="filter_age"
    )

    class Meta:
        model = AttentionItem
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("state"):
            queryset = self.filter_state(queryset, "state", "open")  # the default view: open and awake
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(summary__icontains=value) | Q(object_id=value.lower()))

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        return {
            "open": lambda: queryset.awake(today),
            "snoozed": lambda: queryset.snoozed(today),
            "closed": lambda: queryset.closed(),
        }.get(value, lambda: queryset)()

    @extend_schema_field(OpenApiTypes.STR)  # "mine", "unassigned" or a user's id
    def filter_assignee(self, queryset, name, value):
        if value == "mine":
            user = getattr(self.request, "user", None)
            return queryset.filter(assigned_to=user) if user is not None and user.is_authenticated else queryset.none()
        if value == "unassigned":
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=int(value))

    def filter_age(self, queryset, name, value):
        return queryset.filter(opened_at__lt=timezone.now() - dt.timedelta(days=int(value)))


ATTENTION_COLUMNS = [
    Column("Item id", "id"),
    Column("Kind", "kind"),
    Column("What is wrong", "summary"),
    Column("Record type", "resource"),
    Column("Record id", "object_id"),
    Column("Carrier", "carrier__name"),
    Column("Carrier id", "carrier_id"),
    Column("Group", "group__name"),
    Column("Group id", "group_id"),
    Column("Employee id", "employee_id"),
    Column("First detected", "first_detected_at", ISO),
    Column("Last detected", "last_detected_at", ISO),
    Column("Opened", "opened_at", ISO),
    Column("Closed", "closed_at", ISO),
    Column("Acknowledged by", "acknowledged_by__username"),
    Column("Acknowledged at", "acknowledged_at", ISO),
    Column("Assigned to", "assigned_to__username"),
    Column("Snoozed until", "snoozed_until", ISO),
]
# The columns a person may choose (?cols=...), and the CSV columns each one holds.
ATTENTION_TABLE = Columns(
    Choice(
        "what",
        "What needs attention",
        ("Kind", "What is wrong", "Record type", "Record id", "Employee id"),
        required=True,
    ),
    Choice("where", "Carrier / group", ("Carrier", "Carrier id", "Group", "Group id")),
    Choice("opened", "Open for", ("Opened", "Closed", "First detected")),
    Choice("detected", "Last seen", ("Last detected",)),
    Choice("assignee", "Assigned to", ("Assigned to",)),
    Choice("state", "State", ("Acknowledged by", "Acknowledged at", "Snoozed until")),
)


def items_for_list():
    """The items with what their rows show. Groups and employees are fetched by primary key for the page's
    rows alone (prefetch): joined before the LIMIT, the planner hashed every group and employee first
    (470 ms for a page of 200 among 47,000 items, against a few ms)."""
    return AttentionItem.objects.select_related("carrier", "assigned_to", "acknowledged_by").prefetch_related(
        Prefetch("group", Group.objects.only("id", "name")),
        Prefetch("employee", Employee.objects.only("id", "first_name", "last_name")),
    )


def _filterset(request, queryset=None):
    return AttentionFilter(
        request.GET, queryset=queryset if queryset is not None else items_for_list(), request=request
    )


@vary_on_headers("HX-Request")
def attention_list(request):
    listing = Listing(
        request,
        _filterset(request),
        sorts=ATTENTION_SORTS,
        default_sort="opened",
        columns=ATTENTION_TABLE,
        extra_context={"today": timezone.localdate(), "now": timezone.now()},
    )
    listing.page.object_list = attention.attach_links(listing.page.object_list)
    return listing.render("attention/attention_list.html")


def attention_export(request):
    filterset = _filterset(request, AttentionItem.objects.all())
    return column_choice.export(
        request,
        filterset,
        ATTENTION_TABLE,
        ATTENTION_COLUMNS,
        "attention",
        sorts=ATTENTION_SORTS,
        default_sort="opened",
    )


# --- One item ------------------------------------------------------------------------------------


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=assignable_users(),
        required=False,
        empty_label="Nobody",
        error_messages={"invalid_choice": "Choose one of the Operators listed."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()


class SnoozeForm(forms.Form):
    until = DateField(label="Snooze until", required=False)

    def clean_until(self):
        until, today = self.cleaned_data.get("until"), timezone.localdate()
        if until is not None and until <= today:
            raise forms.ValidationError("Pick a day after today: the item comes back to the open queue that morning.")
        if until is not None and until > today + dt.timedelta(days=attention.MAX_SNOOZE_DAYS):
            raise forms.ValidationError(f"Snooze for at most {attention.MAX_SNOOZE_DAYS} days.")
        return until


def attention_detail(request, pk):
    return _detail_response(request, get_object_or_404(items_for_list(), pk=pk))


def _detail_response(request, item, *, message="", errors=(), status=200, assign_form=None, snooze_form=None):
    """The item page; htmx gets the part below the heading (state, actions, history, notes)."""
    today = timezone.localdate()
    record = attention.record_of(item)
    (item,) = attention.attach_links([item])
    context = {
        "item": item,
        "record": record,
        "events": item.events.select_related("actor", "run").order_by("at", "id"),
        "thread": notes.thread_for(item),
        "assign_form": assign_form or AssignForm(initial={"assignee": item.assigned_to_id}),
        "snooze_form": snooze_form or SnoozeForm(initial={"until": item.snoozed_until or today + dt.timedelta(days=1)}),
        "tomorrow": today + dt.timedelta(days=1),
        "today": today,
        "now": timezone.now(),
        "message": message,
        "errors": errors,
    }
    template = "attention/attention_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#item"
    return TemplateResponse(request, template, context, status=status)


def _get_item_for_action(request, pk):
    """The item, if the user may work items at all (403 in plain words otherwise: a Viewer)."""
    if not request.user.has_perm(WORK_PERMISSION):
        raise PermissionDenied(REFUSED)
    return get_object_or_404(items_for_list(), pk=pk)


def _acted(request, item, done):
    """After an action: htmx gets the item part with the outcome; a plain form post goes back to the item."""
    if request.htmx:
        return _detail_response(request, items_for_list().get(pk=item.pk), message=done.message)
    (messages.success if done.changed else messages.info)(request, done.message)
    return redirect("attention_detail", pk=item.pk)


@vary_on_headers("HX-Request")
def attention_acknowledge(request, pk):
    item = _get_item_for_action(request, pk)
    if request.method != "POST":
        return redirect("attention_detail", pk=item.pk)
    return _acted(request, item, attention.acknowledge(item, request.user))


@vary_on_headers("HX-Request")
def attention_assign(request, pk):
    item = _get_item_for_action(request, pk)
    if request.method != "POST":
        return redirect("attention_detail", pk=item.pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, item, errors=form.errors.get("assignee", []), assign_form=form, status=422)
    return _acted(request, item, attention.assign(item, request.user, form.cleaned_data["assignee"]))


@vary_on_headers("HX-Request")
def attention_snooze(request, pk):
    item = _get_item_for_action(request, pk)
    if request.method != "POST":
        return redirect("attention_detail", pk=item.pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, item, errors=form.errors.get("until", []), snooze_form=form, status=422)
    return _acted(request, item, attention.snooze(item, request.user, form.cleaned_data["until"]))
