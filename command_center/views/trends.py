"""Trends: what changed day by day over the last 30 or 90 days, as charts that link to the lists they count."""

from django import forms
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from command_center import trends
from command_center.charts import Chart


class WindowForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Over the last",
        choices=[(n, f"{n} days") for n in trends.WINDOWS],
        coerce=int,
        required=False,
        empty_value=trends.WINDOWS[0],
    )


@require_safe
def trends_page(request):
    form = WindowForm(request.GET or None, initial={"days": trends.WINDOWS[0]})
    valid = form.is_valid() if form.is_bound else True
    days = trends.window(form.cleaned_data["days"] if form.is_bound and valid else trends.WINDOWS[0])
    failures, longest = trends.sync_health(days)
    charts = [
        Chart(
            "Group connections by status, at the end of each day",
            trends.connections_by_status(days),
            "bars",
            legend_value="last",
            note="Today's counts, with each later change undone for the days before it. Connections Noyo no longer "
            "lists are left out, on every day.",
        ),
        Chart("Member requests that failed, per day", trends.member_requests_failed(days), "bars"),
        Chart(
            "Sync runs that failed or partly failed, per family and day",
            failures,
            "bars",
            note="A family's part of each run, full runs included; the syncs list shows every run.",
        ),
        Chart("Longest sync run of each family, per day (minutes)", longest, "lines", unit=" min", legend_value=""),
    ]
    return TemplateResponse(request, "trends.html", {"form": form, "charts": charts}, status=200 if valid else 400)
