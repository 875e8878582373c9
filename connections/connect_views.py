"""Creating a group connection from the console, and the outcome page of any write sent to Noyo.

The form reads the mirror only (the groups to pick from, the carriers and their formats); the
POST is the one place that calls Noyo, once per form, through ``connections.actions`` (the
kind is in ``connections.connect``). On success the new connection is mirrored from Noyo's
answer and the operator lands on its page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from command_center.sync.records import NOYO_ID_LENGTH, normalize_noyo_id

from . import actions
from .forms import ConnectForm
from .models import Carrier, Group, GroupConnection, NoyoAction

CREATE_PERMISSION = "connections.create_groupconnection"
KIND = NoyoAction.Kind.CREATE_CONNECTION
# Groups a search on the form offers at most.
GROUP_MATCHES = 10


@vary_on_headers("HX-Request")
def connection_create(request):
    """GET: the form (``?group=`` preselects a group, ``?carrier=`` a carrier). POST: send it, once."""
    if not request.user.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("Only Operators can create group connections.")
    target = request.htmx.target if request.htmx else None
    if target in ("carrier-hint", "group-matches"):
        return _create_page(request, None, _group_asked(request), partial=target)
    group = _group_asked(request)
    if request.method != "POST":
        return _create_page(request, _fresh_form(request, group), group)

    action = actions.find(request.POST.get("token"), KIND)
    form = ConnectForm(request.POST, group=group, hint_url=_hint_url())
    if action is None:
        form = _fresh_form(request, group, data=request.POST)
        form.add_error(None, "This form was out of date, so nothing was sent. Check the values and send it again.")
        return _create_page(request, form, group, status=422)
    if action.state != NoyoAction.State.READY:
        return _outcome(request, action, group)  # sent already: a resend or a second click
    if not form.is_valid():
        return _create_page(request, form, group, status=422)
    action = actions.perform(action, request.user, form.values())
    return _outcome(request, action, group)


def _hint_url():
    return reverse("connections:connection_create")


def _fresh_form(request, group, data=None, source=None):
    """A form carrying a new action's token: empty (the group and carrier asked for), as typed, or a failed action's values."""
    action = actions.prepare(
        KIND, request.user, target_id=group.pk if group else "", group_id=group.pk if group else ""
    )
    if data is not None:
        data = data.copy()
        data["token"] = str(action.token)
        form = ConnectForm(data, group=group, hint_url=_hint_url())
        form.is_valid()
        return form
    if source is not None:
        form = ConnectForm(
            ConnectForm.initial_for(source, group) | {"token": action.token}, group=group, hint_url=_hint_url()
        )
        form.is_valid()
        return form
    initial = ConnectForm.initial_for(action, group, carrier_id=_safe_id(request.GET.get("carrier")))
    return ConnectForm(initial=initial, group=group, hint_url=_hint_url())


def _outcome(request, action, group):
    """Succeeded: on the new connection's page. Failed: the form again, everything typed kept,
    beside Noyo's words. Skipped or in flight: said on the form's page, with a link."""
    State = NoyoAction.State
    if action.state == State.SUCCEEDED and action.result_id:
        messages.success(request, action.message)
        return redirect("connections:connection_detail", pk=action.result_id)
    if action.state == State.FAILED:
        form = _fresh_form(request, group, source=action)
        form.add_noyo_errors(action.field_errors)
        return _create_page(request, form, group, action=action, status=422)
    return _create_page(request, None, group, action=action, status=202 if action.state == State.IN_FLIGHT else 200)


def _create_page(request, form, group, *, action=None, status=200, partial=None):
    template = "connections/connection_create.html"
    if partial:
        template += f"#{partial}"
    context = {
        "form": form,
        "group": group,
        "group_asked": _safe_id(request.GET.get("group") or request.POST.get("group")),
        "action": action,
        "existing": _existing(action),
        "hint_carrier": _hint_carrier(request, form),
        "find": (request.GET.get("find") or "").strip()[:200],
        "matches": _matches(request),
        "group_connections": group.connections.select_related("carrier").order_by("carrier__name") if group else [],
    }
    return TemplateResponse(request, template, context, status=status)


def _safe_id(value) -> str:
    """A value fit to look a mirrored row up by (no NUL byte, not longer than an id); '' otherwise."""
    value = (value or "").strip()
    return value if value and "\x00" not in value and len(value) <= NOYO_ID_LENGTH else ""


def _group_asked(request) -> Group | None:
    group_id = _safe_id(request.POST.get("group") if request.method == "POST" else request.GET.get("group"))
    return Group.objects.present().filter(pk=group_id).first() if group_id else None


def _hint_carrier(request, form) -> Carrier | None:
    """The carrier whose format is shown beside the id: the one chosen (or being chosen, on an htmx change)."""
    carrier_id = request.GET.get("carrier") if request.method != "POST" else request.POST.get("carrier")
    if form is not None and form.is_bound and not carrier_id:
        carrier_id = form.data.get("carrier")
    if form is not None and not form.is_bound:
        carrier_id = form.initial.get("carrier") or carrier_id
    carrier_id = _safe_id(carrier_id)
    return Carrier.objects.filter(pk=carrier_id).first() if carrier_id else None


def _matches(request):
    """Groups matching the form's "find a group" search: by name, DBA name or id, a few at most."""
    text = (request.GET.get("find") or "").strip()
    if not text or "\x00" in text:
        return []
    noyo_id = normalize_noyo_id(text)
    if noyo_id:
        found = Group.objects.present().filter(pk=noyo_id)
    else:
        found = Group.objects.present().filter(Q(name__icontains=text[:200]) | Q(dba_name__icontains=text[:200]))
    return list(found.order_by("name", "pk")[:GROUP_MATCHES])


def _existing(action) -> GroupConnection | None:
    """The connection an outcome points at (the one made, or the one Noyo already had)."""
    if action is None or not action.result_id:
        return None
    return GroupConnection.objects.select_related("carrier").filter(pk=action.result_id).first()


@vary_on_headers("HX-Request")
def action_outcome(request, token):
    """One write's outcome, polled while it is in flight (htmx stops polling on 286)."""
    action = get_object_or_404(NoyoAction.objects.select_related("requested_by"), token=token)
    context = {
        "action": action,
        "existing": _existing(action) if action.kind == KIND else None,
        "disconnection_id": action.target_id if "disconnection" in action.kind else "",
        "renewal_id": action.result_id if action.kind == NoyoAction.Kind.CREATE_RENEWAL else "",
    }
    template = "connections/action_outcome.html"
    if request.htmx and not request.htmx.boosted:
        template += "#outcome"
    status = 286 if request.htmx and action.is_finished else 200
    return TemplateResponse(request, template, context, status=status)
