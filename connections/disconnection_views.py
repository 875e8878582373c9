"""Disconnection requests across every group: the review queue, one request, and its confirm / reject.

The list and the detail read the mirror only; confirm and reject are the one place that
calls Noyo, once per form, through ``connections.actions`` (kinds in ``connections.review``).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.vary import vary_on_headers

from command_center import column_choice
from command_center.column_choice import Choice, Columns
from command_center.lists import ISO, Column, Listing
from command_center.models import StatusChange

from . import actions
from .filters import DisconnectionFilter, disconnections_for_list
from .forms import DecisionForm
from .models import GroupConnection, GroupDisconnectionRequest, NoyoAction

REVIEW_PERMISSION = "connections.review_groupdisconnectionrequest"
KINDS = {"confirm": NoyoAction.Kind.CONFIRM_DISCONNECTION, "reject": NoyoAction.Kind.REJECT_DISCONNECTION}

DISCONNECTION_SORTS = {
    # The default: those waiting for review first, then the newest.
    "review": ("review_rank", "-created"),
    "group": "group_name",
    "carrier": "carrier__name",
    "status": "status",
    "reason": "reason",
    "source": "source_type",
    "ends": "effective_end_date",
    "created": "created",
    "decided": "decided",
    "modified": "modified",
}


DISCONNECTION_COLUMNS = [
    Column("Request id", "id"),
    Column("Group name", "group_name"),
    Column("Group id", "group_id"),
    Column("Carrier", "carrier__name"),
    Column("Carrier id", "carrier_id"),
    Column("Status", "status"),
    Column("Reason", "reason"),
    Column("Started by", "source_type"),
    Column("Source id", "source_id"),
    Column("Effective end date", "effective_end_date", ISO),
    Column("Created", "created", ISO),
    Column("Decided", "decided", ISO),
    Column("Completed", "completed", ISO),
    Column("Modified", "modified", ISO),
    Column("Organization id", "organization_id"),
]

# The columns a person may choose (?cols=...), and the CSV columns each one holds.
DISCONNECTION_TABLE = Columns(
    Choice("group", "Group", ("Group name", "Group id"), required=True),
    Choice("carrier", "Carrier", ("Carrier", "Carrier id")),
    Choice("status", "Status", ("Status",), required=True),
    Choice("reason", "Reason", ("Reason",)),
    Choice("source", "Started by", ("Started by", "Source id")),
    Choice("ends", "Ends", ("Effective end date",)),
    Choice("age", "Age", ("Created",)),
    Choice("decided", "Decided", ("Decided",)),
)


@vary_on_headers("HX-Request")
def disconnection_list(request):
    filterset = DisconnectionFilter(request.GET, queryset=disconnections_for_list())
    listing = Listing(request, filterset, sorts=DISCONNECTION_SORTS, default_sort="review", columns=DISCONNECTION_TABLE)
    return listing.render("connections/disconnection_list.html")


def disconnection_export(request):
    filterset = DisconnectionFilter(request.GET, queryset=disconnections_for_list())
    return column_choice.export(
        request,
        filterset,
        DISCONNECTION_TABLE,
        DISCONNECTION_COLUMNS,
        "disconnections",
        sorts=DISCONNECTION_SORTS,
        default_sort="review",
    )


def disconnection_detail(request, pk):
    disconnection = get_object_or_404(GroupDisconnectionRequest.objects.select_related("carrier", "group"), pk=pk)
    connections = GroupConnection.objects.filter(group_id=disconnection.group_id, carrier_id=disconnection.carrier_id)
    context = {
        "disconnection": disconnection,
        "connections": connections.order_by("-modified")[:20]
        if disconnection.group_id and disconnection.carrier_id
        else [],
        "timeline": StatusChange.objects.for_object(disconnection),
        "actions": NoyoAction.objects.about(disconnection.pk).select_related("requested_by")[:50],
        "raw_json": json.dumps(disconnection.raw_masked, indent=2, sort_keys=True),
    }
    return TemplateResponse(request, "connections/disconnection_detail.html", context)


def _get_disconnection_for_review(request, pk):
    """The request, if the user may confirm or reject disconnections at all (403 otherwise: a Viewer)."""
    if not request.user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied("Only Operators can confirm or reject disconnection requests.")
    return get_object_or_404(GroupDisconnectionRequest.objects.select_related("carrier", "group"), pk=pk)


def disconnection_confirm(request, pk):
    return _decide(request, pk, "confirm")


def disconnection_reject(request, pk):
    return _decide(request, pk, "reject")


def _decide(request, pk, decision):
    """GET: the confirmation step. POST: send the decision the form carries, once; back to the request."""
    disconnection = _get_disconnection_for_review(request, pk)
    if request.method != "POST":
        if not disconnection.needs_review:
            return _decision_page(request, disconnection, decision, form=None)
        return _decision_page(request, disconnection, decision, form=_fresh_form(request, disconnection, decision))

    action = actions.find(request.POST.get("token"), KINDS[decision], target_id=disconnection.pk)
    form = DecisionForm(request.POST, decision=decision)
    if action is None:
        form = _fresh_form(request, disconnection, decision, data=request.POST)
        form.add_error(None, "This form was out of date, so nothing was sent. Check it and send it again.")
        return _decision_page(request, disconnection, decision, form=form, status=422)
    if action.state != NoyoAction.State.READY:
        return _outcome(request, disconnection, decision, action)  # sent already: a resend or a second click
    if not form.is_valid():
        return _decision_page(request, disconnection, decision, form=form, status=422)
    action = actions.perform(action, request.user, form.values())
    return _outcome(request, disconnection, decision, action)


def _fresh_form(request, disconnection, decision, data=None, source=None):
    """A form carrying a new action's token: empty, as typed (``data``), or a failed action's values (``source``)."""
    action = actions.prepare(
        KINDS[decision],
        request.user,
        target_id=disconnection.pk,
        group_id=disconnection.group_id,
        carrier_id=disconnection.carrier_id,
        old_status=disconnection.status,
    )
    if data is not None:
        data = data.copy()
        data["token"] = str(action.token)
        form = DecisionForm(data, decision=decision)
        form.is_valid()
        return form
    if source is not None:
        form = DecisionForm({**source.values, "token": str(action.token)}, decision=decision)
        form.is_valid()
        return form
    return DecisionForm(initial={"token": action.token}, decision=decision)


def _outcome(request, disconnection, decision, action):
    """Succeeded or skipped: back on the request's page, the outcome on top. Failed: the form again,
    as typed, beside Noyo's words (while the request still waits for review)."""
    State = NoyoAction.State
    if action.state == State.IN_FLIGHT:
        return _decision_page(request, disconnection, decision, form=None, action=action, status=202)
    disconnection.refresh_from_db()
    if action.state == State.FAILED and disconnection.needs_review:
        form = _fresh_form(request, disconnection, decision, source=action)
        form.add_noyo_errors(action.field_errors)
        return _decision_page(request, disconnection, decision, form=form, action=action, status=422)
    level = {State.SUCCEEDED: messages.SUCCESS, State.SKIPPED: messages.WARNING}.get(action.state, messages.ERROR)
    messages.add_message(request, level, action.message)
    return redirect("connections:disconnection_detail", pk=disconnection.pk)


def _decision_page(request, disconnection, decision, *, form, action=None, status=200):
    context = {"disconnection": disconnection, "decision": decision, "form": form, "action": action}
    return TemplateResponse(request, "connections/disconnection_review.html", context, status=status)
