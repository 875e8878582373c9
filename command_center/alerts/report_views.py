"""Scheduled reports' pages: your reports, scheduling one from a saved view, changing or deleting one.

Anyone signed in may schedule a report of a saved view they can open (their own or one shared with
them): it only reads, and the CSV is made as they would make it. Only the report's owner, or staff,
may change or delete it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from command_center.models import SavedView

from . import reports
from .forms import ReportForm
from .models import Delivery, ScheduledReport
from .views import VIEW_DELIVERIES

MAX_PER_PERSON = 50
RECENT = 10


def _get_report_for_user(request, pk) -> ScheduledReport:
    report = get_object_or_404(ScheduledReport.objects.select_related("view", "channel", "owner"), pk=pk)
    if report.owner_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied("Only the report's owner, or staff, may change it.")
    return report


def report_list(request):
    """Your reports (staff: everyone's), when each goes next and how its latest message went."""
    found = ScheduledReport.objects.select_related("view", "channel", "owner").order_by("view__name", "pk")
    if not request.user.is_staff:
        found = found.filter(owner=request.user)
    found = list(found)
    now = timezone.now()
    latest = {}
    for delivery in Delivery.objects.filter(report__in=found, report_slot__gte=now - dt.timedelta(days=8)).order_by(
        "report_id", "-report_slot"
    ):
        latest.setdefault(delivery.report_id, delivery)
    rows = [
        {
            "report": report,
            "schedule": reports.schedule_words(report),
            "list": reports.list_label(report),
            "next": reports.next_slot(report, now) if report.enabled else None,
            "latest": latest.get(report.pk),
        }
        for report in found
    ]
    context = {"rows": rows, "can_view_deliveries": request.user.has_perm(VIEW_DELIVERIES)}
    return TemplateResponse(request, "alerts/report_list.html", context)


def report_create(request, view_pk):
    """Schedule a report of a saved view, for oneself."""
    view = get_object_or_404(SavedView, pk=view_pk)
    if view.list_name not in reports.REPORTABLE:
        raise Http404("This list has no CSV export, so it cannot be a report.")
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if ScheduledReport.objects.filter(owner=request.user).count() >= MAX_PER_PERSON:
            form.add_error(None, f"You have {MAX_PER_PERSON} scheduled reports. Delete one first.")
        else:
            report = form.save(commit=False)
            report.owner, report.view = request.user, view
            report.save()
            messages.success(
                request,
                f"Scheduled “{view.name}”: {_lowered(reports.schedule_words(report))}, "
                f"by {report.channel.name}. The first goes {_when(report)}.",
            )
            return redirect("alerts:report_list")
    context = {"form": form, "view": view, "list_label": reports.REPORTABLE[view.list_name][1], "report": None}
    return TemplateResponse(request, "alerts/report_form.html", context, status=400 if form.errors else 200)


def report_edit(request, pk):
    """Change a report's schedule or channel, or pause it; its latest messages below."""
    report = _get_report_for_user(request, pk)
    form = ReportForm(request.POST or None, instance=report, user=request.user)
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.scheduled_at = timezone.now()  # the new schedule starts now: no slot it passed is sent
        report.save()
        messages.success(
            request,
            f"Changed “{report.view.name}”: {_lowered(reports.schedule_words(report))}"
            + (f", next {_when(report)}." if report.enabled else ", paused."),
        )
        return redirect("alerts:report_list")
    context = {
        "form": form,
        "view": report.view,
        "list_label": reports.list_label(report),
        "report": report,
        "deliveries": report.deliveries.select_related("channel").order_by("-report_slot")[:RECENT],
        "can_view_deliveries": request.user.has_perm(VIEW_DELIVERIES),
    }
    return TemplateResponse(request, "alerts/report_form.html", context, status=400 if form.errors else 200)


@require_POST
def report_delete(request, pk):
    report = _get_report_for_user(request, pk)
    report.delete()
    messages.success(
        request, f"Deleted the report “{report.view.name}”. Messages already sent stay on the deliveries page."
    )
    return redirect("alerts:report_list")


def _lowered(words: str) -> str:
    """ "Weekly on Monday…" in the middle of a sentence: "weekly on Monday…"."""
    return words[:1].lower() + words[1:]


def _when(report) -> str:
    from django.utils.formats import date_format

    slot = reports.next_slot(report, timezone.now()).astimezone(reports.zone_of(report))
    return f"{date_format(slot, 'l j F Y')} at {slot:%H:%M} ({report.time_zone})"
