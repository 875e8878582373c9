"""How current the mirror is, family by family: what every page's header and /healthz say.

Read from the ``SyncFamily`` rows (one query): each family's latest attempt (when it ended,
how, why) and when its lists were last read. A page says green only when the latest attempt
of every family it reads succeeded and is recent; a failed latest attempt is said in plain
words, with the time of the data still shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from command_center.models import SyncFamily, SyncRun
from command_center.sync.families import FAMILIES, kind_label

# How often each family syncs on the default schedules (migration 0005); a family whose data
# is older than STALE_FACTOR times this has missed several runs. Change both together.
EXPECTED_EVERY = {
    "groups": dt.timedelta(hours=1),
    "group_connections": dt.timedelta(minutes=5),
    "employees": dt.timedelta(hours=1),
    "snapshots": dt.timedelta(minutes=30),
    "member_requests": dt.timedelta(hours=1),
}
STALE_FACTOR = 3

# The families each page reads, by URL name (``namespace:name``) prefix; the longest match wins.
PAGE_FAMILIES = {
    # The dashboard counts disconnections and renewals (read with the groups) and attention items
    # (every family), so it is green only when every family is: it is not listed, and reads them all.
    "connections:": ("groups", "group_connections"),
    "connections:disconnection": ("groups",),  # disconnection requests are read with the groups
    "members:employee": ("employees",),
    "members:enrollment": ("employees",),
    "members:snapshot": ("snapshots",),
    "members:fulfillment": ("snapshots",),
    "members:difference": ("snapshots",),  # tracking differences are read with the snapshots
    "members:memberrequest": ("member_requests",),
    "members:transaction": ("member_requests",),
    # Pages about the console itself show nothing mirrored from Noyo: no pill, no banner (a green
    # pill there would vouch for data the page does not show).
    "api_key": (),
    "alerts:": (),
}


@dataclass
class FamilyState:
    family: str
    outcome: str  # the latest attempt's SyncRun status, "" if never attempted
    attempt_at: dt.datetime | None
    message: str
    read_at: dt.datetime | None
    success_at: dt.datetime | None
    run_id: int | None
    syncing: bool
    now: dt.datetime

    @property
    def label(self) -> str:
        return kind_label(self.family)

    @property
    def stale(self) -> bool:
        return self.read_at is None or self.now - self.read_at > STALE_FACTOR * EXPECTED_EVERY.get(
            self.family, dt.timedelta(hours=1)
        )

    @property
    def tone(self) -> str:
        """ok: the latest attempt succeeded and is recent; bad: it failed, or nothing was ever read; warn: in between."""
        if self.outcome == SyncRun.Status.FAILED or self.read_at is None:
            return "bad"
        if self.outcome != SyncRun.Status.SUCCEEDED or self.stale:
            return "warn"
        return "ok"

    @property
    def expected_every(self) -> dt.timedelta:
        return EXPECTED_EVERY.get(self.family, dt.timedelta(hours=1))

    def as_json(self) -> dict:
        age = lambda when: int((self.now - when).total_seconds()) if when else None  # noqa: E731
        return {
            "latest_outcome": self.outcome or "never_run",
            "latest_attempt_age_seconds": age(self.attempt_at),
            "latest_message": self.message,
            "data_age_seconds": age(self.read_at),
            "last_success_age_seconds": age(self.success_at),
            "stale": self.stale,
            "syncing": self.syncing,
        }


@dataclass
class Freshness:
    """The states of the families a page reads, and what the header should say about them."""

    states: list[FamilyState]

    @property
    def tone(self) -> str:
        tones = {state.tone for state in self.states}
        return "bad" if "bad" in tones else "warn" if "warn" in tones else "ok"

    @property
    def failing(self) -> list[FamilyState]:
        return [s for s in self.states if s.outcome == SyncRun.Status.FAILED]

    @property
    def partial(self) -> list[FamilyState]:
        return [s for s in self.states if s.outcome == SyncRun.Status.PARTIAL]

    @property
    def stale(self) -> list[FamilyState]:
        return [s for s in self.states if s.stale and s.read_at is not None and s.outcome != SyncRun.Status.FAILED]

    @property
    def never_read(self) -> list[FamilyState]:
        return [s for s in self.states if s.read_at is None]

    @property
    def oldest_read_at(self) -> dt.datetime | None:
        times = [s.read_at for s in self.states if s.read_at]
        return min(times) if len(times) == len(self.states) and times else None

    @property
    def syncing(self) -> bool:
        return any(s.syncing for s in self.states)


def family_states(families=None, now=None) -> list[FamilyState]:
    """The state of each family (all of them by default), in the full sync's order: one query."""
    families = list(families or FAMILIES)
    now = now or timezone.now()
    rows = {row.family: row for row in SyncFamily.objects.filter(family__in=families).select_related("run")}
    states = []
    for family in families:
        row = rows.get(family)
        states.append(
            FamilyState(
                family=family,
                outcome=row.last_outcome if row else "",
                attempt_at=row.last_attempt_at if row else None,
                message=row.last_message if row else "",
                read_at=row.last_read_at if row else None,
                success_at=row.last_success_at if row else None,
                run_id=row.last_attempt_run_id if row else None,
                syncing=bool(row and row.run_id and row.run.status == SyncRun.Status.RUNNING),
                now=now,
            )
        )
    return states


def families_read_by(view_name: str | None) -> tuple[str, ...]:
    """The families a page reads, from its URL name; every family for pages about syncing itself."""
    matches = [prefix for prefix in PAGE_FAMILIES if view_name and view_name.startswith(prefix)]
    return PAGE_FAMILIES[max(matches, key=len)] if matches else tuple(FAMILIES)


def for_page(view_name: str | None) -> Freshness:
    return Freshness(family_states(families_read_by(view_name)))
