"""What changed over time, per day, from what the mirror already records: the status history
(``StatusChange``) and the sync runs. Each series costs one aggregate query over an indexed window,
never a row per record, whatever the size of the mirror.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from command_center.models import StatusChange, SyncRun
from command_center.noyo import contract
from command_center.sync.families import FAMILIES
from command_center.sync.records import label_for

WINDOWS = (30, 90)
# Connection statuses in colours that say what they mean: green done, red and orange failing, grey not started.
STATUS_COLORS = {
    "created": 7,
    "processing": 0,
    "noyo_review": 4,
    "waiting_on_carrier": 6,
    "carrier_authorization": 5,
    "action_required": 2,
    "unable_to_connect": 3,
    "completed": 1,
}
CONNECTION = "connections.groupconnection"
MEMBER_REQUEST = "members.memberrequest"
# A family's run counts as failed on the chart when it did not fully succeed.
FAILED_OUTCOMES = {SyncRun.Status.FAILED, SyncRun.Status.PARTIAL}


@dataclass
class Series:
    """Values per day for a few keys: ``values[day][key]``, with each key's label and list link."""

    days: list[dt.date]
    keys: list[str]
    labels: dict[str, str]
    values: dict[dt.date, dict[str, float]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    # Each key's colour (static/css/app.css --series-N); by default in the order of the keys.
    colors: dict[str, int] = field(default_factory=dict)

    def color(self, key: str) -> int:
        return self.colors.get(key, self.keys.index(key))

    def total(self, key: str) -> float:
        return sum(self.values.get(day, {}).get(key, 0) for day in self.days)


def window(days: int, today: dt.date | None = None) -> list[dt.date]:
    today = today or timezone.localdate()
    return [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]


def _start(days: list[dt.date]) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(days[0], dt.time.min))


def _changes_per_day(resource: str, days: list[dt.date], **filters):
    return (
        StatusChange.objects.filter(resource=resource, observed_at__gte=_start(days), **filters)
        .annotate(day=TruncDate("observed_at"))
        .values("day", "old_status", "new_status")
        .annotate(n=Count("id"))
        .order_by()
    )


def connections_by_status(days: list[dt.date]) -> Series:
    """How many connections were in each status at the end of each day.

    Today's counts are the mirror's; each earlier day's are those with the later days' changes
    undone (a change from A to B puts one back in A). A connection first seen on a day did not
    count before it."""
    from connections.models import GroupConnection

    counts = Counter(dict(GroupConnection.objects.present().order_by().values_list("status").annotate(n=Count("id"))))
    changes = defaultdict(list)
    # Changes of connections Noyo no longer lists are left out too, or undoing them would put those
    # connections back on the days before (and take one away from a status nobody is in today).
    removed = GroupConnection.objects.removed().values("pk")
    for row in _changes_per_day(CONNECTION, days).exclude(object_id__in=removed):
        changes[row["day"]].append(row)
    series = Series(
        days, list(contract.GROUP_CONNECTION_STATUSES), {s: label_for(s) for s in contract.GROUP_CONNECTION_STATUSES}
    )
    for day in reversed(days):
        series.values[day] = {key: max(0, counts[key]) for key in series.keys}
        for row in changes[day]:
            counts[row["new_status"]] -= row["n"]
            if row["old_status"]:
                counts[row["old_status"]] += row["n"]
    series.links = {key: f"{reverse('connections:connection_list')}?status={key}" for key in series.keys}
    series.colors = STATUS_COLORS
    return series


def member_requests_failed(days: list[dt.date]) -> Series:
    """Member requests that turned ``failed`` on each day (as the syncs saw them)."""
    series = Series(
        days,
        ["failed"],
        {"failed": "Failed"},
        colors={"failed": 3},
        links={"failed": f"{reverse('members:memberrequest_list')}?status=failed"},
    )
    for day in days:
        series.values[day] = {"failed": 0}
    for row in _changes_per_day(MEMBER_REQUEST, days, new_status="failed"):
        if row["day"] in series.values:
            series.values[row["day"]]["failed"] += row["n"]
    return series


def _family_runs(days: list[dt.date]):
    """(day, family, outcome, seconds) of every family's part in the window's runs."""
    runs = (
        SyncRun.objects.filter(created__gte=_start(days))
        .exclude(status__in=SyncRun.ACTIVE_STATUSES)
        .only("families", "created")
    )
    for run in runs.iterator():
        day = timezone.localdate(run.created)
        for family, part in (run.families or {}).items():
            if family not in FAMILIES or not isinstance(part, dict):
                continue
            started, finished = _moment(part.get("started_at")), _moment(part.get("finished_at"))
            seconds = (finished - started).total_seconds() if started and finished else None
            yield day, family, part.get("status"), seconds


def _moment(value):
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def sync_health(days: list[dt.date]) -> tuple[Series, Series]:
    """Per family and day: the runs that failed or partly failed, and the longest run's minutes."""
    labels = {family: label.capitalize() for family, (label, _) in FAMILIES.items()}
    # The syncs list has no filter for "runs in which this family failed" (a full run with one family
    # failed is "partial"): a filtered link would count differently from the chart, so it opens them all.
    failures = Series(days, list(FAMILIES), labels, links={f: reverse("sync_list") for f in FAMILIES})
    longest = Series(days, list(FAMILIES), labels, links={f: reverse("sync_list") for f in FAMILIES})
    for day in days:
        failures.values[day] = dict.fromkeys(FAMILIES, 0)
        longest.values[day] = {}
    for day, family, outcome, seconds in _family_runs(days):
        if day not in failures.values:
            continue
        if outcome in FAILED_OUTCOMES:
            failures.values[day][family] += 1
        if seconds is not None:
            longest.values[day][family] = max(longest.values[day].get(family, 0), round(seconds / 60, 1))
    return failures, longest
