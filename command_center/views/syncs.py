"""The Syncs pages: the list of runs, one run with live progress, and "Sync now"."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from command_center.audit import record_sync
from command_center.column_choice import Choice, Columns
from command_center.filters import FilterSet
from command_center.lists import Listing
from command_center.models import AuditEntry, SyncChunk, SyncRun
from command_center.sync import runs
from command_center.sync.families import FAMILIES, families_of, kind_label, ordered, resource_label
from command_center.sync.records import mask_ssns

SYNC_SORTS = {
    "created": "created",
    "kind": "kind",
    "status": "status",
    "api_calls": "api_calls",
    "started": "started_at",
}
KIND_CHOICES = [
    (kind, "Everything (full sync)" if kind == runs.FULL else runs.kind_label(kind).capitalize()) for kind in runs.KINDS
]
FAILURES_PER_PAGE = 50
# htmx stops polling when it gets this status.
STOP_POLLING = 286


class SyncRunFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label="Kind", choices=KIND_CHOICES, empty_label="Any kind")
    status = django_filters.ChoiceFilter(label="Status", choices=SyncRun.Status.choices, empty_label="Any status")
    trigger = django_filters.ChoiceFilter(label="Trigger", choices=SyncRun.Trigger.choices, empty_label="Any trigger")

    class Meta:
        model = SyncRun
        fields = []


class SyncStartForm(forms.Form):
    kind = forms.ChoiceField(label="What to sync", choices=KIND_CHOICES, initial=runs.FULL)


# The columns a person may choose (?cols=...); the list has no export.
SYNC_TABLE = Columns(
    Choice("run", "Run", required=True),
    Choice("kind", "Kind"),
    Choice("trigger", "Trigger"),
    Choice("started", "Started"),
    Choice("duration", "Duration"),
    Choice("status", "Status", required=True),
    Choice("read", "Read"),
    Choice("new", "New"),
    Choice("changed", "Changed"),
    Choice("removed", "Removed"),
    Choice("failed", "Failed"),
    Choice("api_calls", "API calls"),
)


def runs_for_list():
    return SyncRun.objects.select_related("requested_by")


@vary_on_headers("HX-Request")
def sync_list(request):
    filterset = SyncRunFilter(request.GET, queryset=runs_for_list())
    listing = Listing(
        request,
        filterset,
        sorts=SYNC_SORTS,
        default_sort="-created",
        columns=SYNC_TABLE,
        extra_context={"start_form": SyncStartForm()},
    )
    return listing.render("syncs/sync_list.html")


def sync_detail(request, pk):
    run = get_object_or_404(SyncRun.objects.select_related("requested_by"), pk=pk)
    failures = Paginator(run.failures.order_by("id"), FAILURES_PER_PAGE).get_page(request.GET.get("page"))
    for failure in failures:
        failure.masked_payload = mask_ssns(failure.payload)
    context = {**_progress_context(run), "failures": failures, "start_form": SyncStartForm(initial={"kind": run.kind})}
    return TemplateResponse(request, "syncs/sync_detail.html", context)


def sync_progress(request, pk):
    """The live part of a run's page, polled by htmx every 2 s; 286 once the run is over stops the polling."""
    run = get_object_or_404(SyncRun.objects.select_related("requested_by"), pk=pk)
    status = 200 if run.is_active else STOP_POLLING
    return TemplateResponse(request, "syncs/sync_detail.html#progress", _progress_context(run), status=status)


@require_POST
def sync_start(request):
    if not request.user.has_perm("command_center.start_sync"):
        raise PermissionDenied("Starting a sync needs the Operator role.")
    form = SyncStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to sync.")
        return redirect("sync_list")
    run = start_for(request.user, form.cleaned_data["kind"])
    if run.status == SyncRun.Status.SKIPPED:
        messages.warning(request, f"Not started: {run.message}")
    # No "queued" notice: the run's page says its state itself, and keeps saying it truly as it moves.
    url = reverse("sync_detail", args=[run.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def start_for(user, kind: str) -> SyncRun:
    """Start a sync a person asked for (the Syncs page's button, the API), audited either way."""
    run = runs.start_sync(kind, SyncRun.Trigger.USER, user)
    if run.status == SyncRun.Status.SKIPPED:
        record_sync(user, run, AuditEntry.Outcome.SKIPPED, note=f"Sync skipped: {run.message}")
    else:
        record_sync(user, run)
    return run


def _progress_context(run: SyncRun) -> dict:
    return {
        "run": run,
        "families": family_rows(run),
        "totals": run.totals,
        "absorbed": absorbed_lines(run.absorbed),
        "chunks": chunk_lines(run),
    }


def chunk_lines(run: SyncRun) -> list[str]:
    """How the run's per-parent lists were shared out among workers (``command_center.sync.chunks``), in plain words."""
    done, running, failed, cancelled = (
        SyncChunk.Status.DONE,
        SyncChunk.Status.RUNNING,
        SyncChunk.Status.FAILED,
        SyncChunk.Status.CANCELLED,
    )
    steps = (
        run.chunks.order_by()
        .values("step")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=done)),
            running=Count("pk", filter=Q(status=running)),
            failed=Count("pk", filter=Q(status=failed)),
            cancelled=Count("pk", filter=Q(status=cancelled)),
            again=Count("pk", filter=Q(attempts__gt=1)),
            workers=Count("worker", distinct=True, filter=~Q(worker="")),
            first=Min("pk"),
        )
        .order_by("first")
    )
    lines = []
    for step in steps:
        family, _, part = step["step"].partition(".")
        label = f"{kind_label(family).capitalize()}, {part.replace('_', ' ')}" if family in FAMILIES else step["step"]
        w = step["workers"]
        line = f"{label}: {step['done']:,} of {step['total']:,} chunks read, by {w:,} worker{'s' if w != 1 else ''}"
        extra = [
            f"{step[key]:,} {words}"
            for key, words in (
                ("running", "being read"),
                ("failed", "failed"),
                ("cancelled", "cancelled"),
                ("again", "read again after their worker stopped"),
            )
            if step[key]
        ]
        lines.append(line + (f" ({', '.join(extra)})" if extra else "") + ".")
    return lines


def family_rows(run: SyncRun) -> list[dict]:
    """The run's families in order, each with its outcome and its resources (``resource_rows``)."""
    resources = resource_rows(run)
    families = families_of(run.kind) if run.kind in runs.KINDS else []
    families += sorted({r["family"] for r in resources if r["family"] and r["family"] not in families})
    rows = []
    for family in families:
        outcome = (run.families or {}).get(family, {})
        status = outcome.get("status") or ("running" if run.is_active else "")
        rows.append(
            {
                "family": family,
                "label": runs.kind_label(family).capitalize(),
                "status": status,
                "message": outcome.get("message", ""),
                "resources": [r for r in resources if r["family"] == family],
            }
        )
    unplaced = [r for r in resources if r["family"] not in families]
    if unplaced:  # runs recorded before resources knew their family
        rows.append({"family": "", "label": "Resources", "status": "", "message": "", "resources": unplaced})
    return rows


def resource_rows(run: SyncRun) -> list[dict]:
    """One row per resource for the table and its progress bar (``percent`` None: no total known yet)."""
    rows = []
    for key, counts in ordered(run.resources):
        total, fetched = counts.get("total"), counts.get("fetched", 0)
        if counts.get("done"):
            percent = 100
        elif total:
            percent = min(100, round(100 * fetched / total))
        elif counts.get("parents"):
            percent = min(100, round(100 * counts.get("parents_done", 0) / counts["parents"]))
        else:
            percent = 0 if total == 0 else None
        if counts.get("unavailable"):
            state = "unavailable"
        elif counts.get("done"):
            state = "done" if counts.get("complete", True) else "incomplete"
        else:
            state = "running" if run.is_active else "failed"
        mirrored = sum(int(counts.get(k) or 0) for k in ("created", "updated", "unchanged", "repeated"))
        rows.append(
            {
                "key": key,
                "label": resource_label(key).capitalize(),
                "percent": percent,
                "state": state,
                # While a resource is read, a page is counted as read before its batch is written: not a gap yet.
                "mirrored": mirrored,
                "adds_up": state == "running" or fetched == mirrored + int(counts.get("failed") or 0),
                "family": counts.get("family", ""),
                "notes": counts.get("notes", []),
                **counts,
            }
        )
    return rows


def absorbed_lines(absorbed: dict) -> list[str]:
    """What the run absorbed from Noyo, in plain words; nothing when it met no trouble."""
    n = lambda key: int((absorbed or {}).get(key) or 0)  # noqa: E731
    times = lambda count: "once" if count == 1 else f"{count:,} times"  # noqa: E731
    lines = []
    if n("rate_limited"):
        waited = float(absorbed.get("rate_limited_wait_seconds") or 0)
        lines.append(
            f"Noyo asked us to slow down (429) {times(n('rate_limited'))}; the sync waited {waited:,.1f} s in all."
        )
    if n("server_errors_retried"):
        lines.append(f"Noyo had a server error (5xx) {times(n('server_errors_retried'))}; each call was asked again.")
    if n("connection_errors_retried"):
        lines.append(
            f"The connection to Noyo dropped or timed out {times(n('connection_errors_retried'))}; each call was asked again."
        )
    if n("tokens_refused"):
        lines.append(f"Noyo refused an expired token {times(n('tokens_refused'))}; a new one was fetched each time.")
    if n("tokens_fetched") > 1:
        lines.append(f"{n('tokens_fetched'):,} access tokens were fetched in all.")
    return lines
