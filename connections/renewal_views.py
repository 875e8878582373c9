"""Sending a new renewal decision to Noyo from the console.

The form reads the mirror only (the group, the carriers it is connected to, its plans with each);
the POST is the one place that calls Noyo, once per form, through ``connections.actions`` (the kind
is in ``connections.renew``). On success the decision is mirrored from Noyo's answer and the
operator lands on its page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from . import actions
from .connect_views import _matches, _safe_id
from .models import Carrier, Group, NoyoAction
from .renewal_forms import RenewalEntry, connected_carriers

CREATE_PERMISSION = "connections.create_renewaldecision"
KIND = NoyoAction.Kind.CREATE_RENEWAL
TEMPLATE = "connections/renewal_create.html"
# The group's renewal decisions shown beside the form, latest first.
RENEWALS_SHOWN = 10


@vary_on_headers("HX-Request")
def renewal_create(request):
    """GET: the form (``?group=`` preselects the group, ``?carrier=`` the carrier). POST: send it, once;
    or, with ``add_line``, show the form again with one more line (nothing sent)."""
    if not request.user.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("Only Operators can send renewal decisions to Noyo.")
    group = _group_asked(request)
    target = request.htmx.target if request.htmx else None
    if target == "group-matches" or group is None:
        return _page(request, None, group, partial="group-matches" if target == "group-matches" else None)
    carriers = connected_carriers(group)
    if request.method != "POST":
        entry = _entry(request, group, carriers, initial={"carrier": request.GET.get("carrier", "")})
        if target == "lines":  # another carrier chosen: its lines, in the form already on the page
            return _page(request, entry, group, partial="lines")
        entry.form.initial["token"] = actions.prepare(KIND, request.user, target_id=group.pk, group_id=group.pk).token
        return _page(request, entry, group)

    if "add_line" in request.POST:  # one more row, nothing sent; what was typed stays
        entry = _entry(request, group, carriers, data=request.POST, add_row=True)
        return _page(request, entry, group, partial="lines" if target == "lines" else None, quiet=True)
    if "change_carrier" in request.POST:  # without JavaScript: the chosen carrier's lines, nothing sent
        kept = {name: request.POST.get(name, "") for name in ("carrier", "renewal_date", "token")}
        return _page(request, _entry(request, group, carriers, initial=kept), group)
    action = actions.find(request.POST.get("token"), KIND, target_id=group.pk)
    entry = _entry(request, group, carriers, data=request.POST)
    if action is None:
        entry = _entry(request, group, carriers, data=_with_token(request.POST, _fresh_token(request, group)))
        entry.is_valid()
        entry.form.add_error(
            None, "This form was out of date, so nothing was sent. Check the values and send it again."
        )
        return _page(request, entry, group, status=422)
    if action.state != NoyoAction.State.READY:
        return _outcome(request, action, group, carriers)  # sent already: a resend or a second click
    if not entry.is_valid():
        return _page(request, entry, group, status=422, refused=True)
    action = actions.perform(action, request.user, entry.values())
    return _outcome(request, action, group, carriers)


def _entry(request, group, carriers, **kwargs) -> RenewalEntry:
    return RenewalEntry(group, carriers, lines_url=reverse("connections:renewal_create"), **kwargs)


def _fresh_token(request, group):
    return actions.prepare(KIND, request.user, target_id=group.pk, group_id=group.pk).token


def _with_token(data, token):
    data = data.copy()
    data["token"] = str(token)
    return data


def _outcome(request, action, group, carriers):
    """Succeeded: on the new decision's page. Failed: the form again, everything kept, beside Noyo's
    words. Skipped or in flight: said on the form's page, with a link."""
    State = NoyoAction.State
    if action.state == State.SUCCEEDED and action.result_id:
        messages.success(request, action.message)
        return redirect("connections:renewal_detail", pk=action.result_id)
    if action.state == State.FAILED:
        entry = _entry(request, group, carriers, sent=action.values, token=_fresh_token(request, group))
        entry.add_noyo_errors(action.field_errors)
        return _page(request, entry, group, action=action, status=422)
    return _page(request, None, group, action=action, status=202 if action.state == State.IN_FLIGHT else 200)


def _page(request, entry, group, *, action=None, status=200, partial=None, quiet=False, refused=False):
    template = f"{TEMPLATE}#{partial}" if partial else TEMPLATE
    context = {
        "entry": entry,
        "quiet": quiet,
        "refused": refused,
        "form": entry.form if entry else None,
        "group": group,
        "group_asked": _safe_id(request.GET.get("group") or request.POST.get("group")),
        "action": action,
        "find": (request.GET.get("find") or "").strip()[:200],
        "matches": _matches(request) if group is None else [],
        "renewals": _renewals_of(group) if group and not partial else [],
    }
    return TemplateResponse(request, template, context, status=status)


def _renewals_of(group):
    """The group's latest renewal decisions, each with the names of the carriers it names (two queries)."""
    renewals = list(group.renewal_decisions.present().order_by("-renewal_date", "pk")[:RENEWALS_SHOWN])
    names = dict(
        Carrier.objects.filter(pk__in={i for r in renewals for i in r.carrier_id_list}).values_list("pk", "name")
    )
    for renewal in renewals:
        renewal.carrier_names = [names.get(i, f"Carrier {i[:8]}") for i in renewal.carrier_id_list]
    return renewals


def _group_asked(request) -> Group | None:
    group_id = _safe_id(request.POST.get("group") if request.method == "POST" else request.GET.get("group"))
    return Group.objects.present().filter(pk=group_id).first() if group_id else None
