"""Every API list beside its page, and rows for them with NULLs and equal values in every sort column.

``LISTS`` names each API list with the page it mirrors (or, for enrollments, which have no page,
their CSV export) and a few query strings worth comparing; tests/api/test_reads_*.py walk it, so
a list added to the API without an entry here fails ``test_every_api_list_is_compared_with_its_page``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry, SyncRun
from connections.models import GroupConnection
from tests.attention.factories import make_item
from tests.factories import (
    make_carrier,
    make_connection,
    make_disconnection,
    make_group,
    make_renewal_decision,
    make_sync_run,
)
from tests.members.factories import (
    make_difference,
    make_employee,
    make_enrollment,
    make_fulfillment,
    make_member_request,
    make_snapshot,
    make_transaction,
)

# Rows of each kind: more than a page of PAGE_SIZE, so walks cross several pages.
N = 13
PAGE_SIZE = 4


def cycle(values, i):
    return values[i % len(values)]


@dataclass
class Population:
    carriers: list
    groups: list
    connections: list
    employees: list
    snapshots: list
    member_requests: list
    items: list
    runs: list
    now: dt.datetime


def populate(viewer, operator, n=N) -> Population:
    """``n`` rows of every list, their sort columns full of NULLs and repeated values."""
    now = timezone.now().replace(microsecond=0)
    # Times: NULLs and repeats, spread over days.
    times = [
        None,
        now - dt.timedelta(days=3),
        now - dt.timedelta(days=3),
        now - dt.timedelta(days=1),
        None,
        now - dt.timedelta(days=1),
        now - dt.timedelta(hours=2),
        None,
    ]
    days = [None, dt.date(2027, 1, 1), dt.date(2027, 1, 1), dt.date(2026, 6, 1)]
    # Two carriers of one name: their ties are broken by id.
    carriers = [make_carrier(name="Acme"), make_carrier(name="Acme"), make_carrier(name="Zenith", kind="send")]
    # More carriers for the carriers list, with no connections (equal counts) and missing reference data.
    for i in range(n - len(carriers)):
        make_carrier(
            name=cycle(["Acme", "Mid", "Zenith"], i),
            kind=cycle(["sync", "unknown", "send"], i),
            carrier_group_id_format=cycle(["", r"\d{8}"], i),
            is_placeholder=cycle([False, True], i),
        )
    groups = [
        make_group(
            name=cycle(["Same", "Same", "Other", ""], i),
            dba_name=cycle(["", "D", ""], i),
            organization_id=cycle([str(uuid.UUID(int=1)), str(uuid.UUID(int=2))], i),
            modified=cycle(times, i),
        )
        for i in range(n)
    ]
    connections = [
        make_connection(
            group=groups[i],
            group_name=cycle(["Alpha", "Alpha", "", "Beta"], i),
            carrier=cycle(carriers, i),
            status=cycle(["unable_to_connect", "completed", "unable_to_connect", "processing"], i),
            status_changed_at=cycle(times, i),
            modified=cycle(times, i + 1),
            setup_error=cycle(["", "Bad id", ""], i),
            carrier_group_id=cycle(["AB000001", "AB000001", ""], i),
            request_type=cycle(["initial", "initial", "update"], i),
        )
        for i in range(n)
    ]
    # Connections whose carrier is not mirrored: NULL carrier names.
    GroupConnection.objects.filter(pk__in=[c.pk for c in connections[2::4]]).update(carrier=None)
    for i in range(n):
        make_disconnection(
            cycle([*groups, None], i),
            carrier=cycle([carriers[0], None, carriers[2]], i),
            group_name=cycle(["Same", "", "Other"], i),
            status=cycle(["needs_review", "completed", "needs_review", "rejected"], i),
            created=cycle(times, i),
            effective_end_date=cycle(days, i),
            decided=cycle(times, i + 2),
            reason=cycle(["broker_of_record", "lost_access"], i),
            source_type=cycle(["carrier", "platform", "carrier"], i),
            modified=cycle(times, i + 3),
        )
        make_renewal_decision(
            cycle([*groups[:3], None], i),
            renewal_date=cycle(days, i),
            status=cycle(["not_ready", "ready", "not_ready", "done"], i),
            modified=cycle(times, i + 1),
            carrier_ids=cycle([carriers[0].pk, "", f"{carriers[1].pk},{carriers[2].pk}"], i),
        )
    employees = [
        make_employee(
            group=cycle(groups[:4], i),
            last_name=cycle(["Smith", "Smith", "", "Jones"], i),
            first_name=cycle(["Ann", "Bo"], i),
            hire_date=cycle(days, i),
            date_of_birth=cycle([None, dt.date(1980, 5, 5), dt.date(1980, 5, 5)], i),
        )
        for i in range(n)
    ]
    for i, employee in enumerate(employees):
        make_enrollment(
            employee,
            carrier=cycle(carriers, i),
            line_of_coverage=cycle(["medical", "dental", "medical"], i),
            effective_start_date=cycle(days, i),
            effective_end_date=cycle(days, i + 1),
            status=cycle(["active", "active", "terminated"], i),
        )
    snapshots = []
    for i, employee in enumerate(employees):
        snapshot = make_snapshot(
            employee, created=cycle(times, i), status=cycle(["failed", "completed", "failed", "processing"], i)
        )
        snapshots.append(snapshot)
        make_fulfillment(snapshot, carrier=cycle(carriers, i), status=cycle(["invalid", "invalid", "sent"], i))
        make_difference(
            snapshot,
            carrier=cycle([carriers[0], None], i),
            impact_score=cycle([None, 3, 3, 5], i),
            created=cycle(times, i),
            resolved=cycle([None, None, now], i),
            is_dismissed=cycle([False, False, False, True], i),
        )
    member_requests = []
    for i, employee in enumerate(employees):
        request = make_member_request(
            employee, created=cycle(times, i), status=cycle(["failed", "completed", "failed"], i)
        )
        member_requests.append(request)
        make_transaction(
            request,
            carrier=cycle(carriers, i),
            created=cycle(times, i + 1),
            verified=cycle([None, now, now], i),
            status=cycle(["failed", "completed", "processing"], i),
        )
    today = timezone.localdate()
    items = [
        make_item(
            record=connections[i],
            opened_at=cycle([t for t in times if t], i),
            summary=cycle(["Same problem", "Other"], i),
            assigned_to=cycle([None, operator, None], i),
            snoozed_until=cycle([None, today + dt.timedelta(days=3), None], i),
            closed_at=cycle([None, None, None, now], i),
        )
        for i in range(n)
    ]
    runs = []
    for i in range(n):
        run = make_sync_run(
            kind=cycle(["group_connections", "full", "members"], i),
            status=cycle(["succeeded", "failed", "succeeded"], i),
            api_calls=cycle([0, 5, 5], i),
        )
        SyncRun.objects.filter(pk=run.pk).update(created=cycle([t for t in times if t], i), started_at=cycle(times, i))
        runs.append(run)
        entry = AuditEntry.objects.create(
            actor=cycle([None, viewer, operator], i),
            action=cycle(["export", "retry", "export", "sync"], i),
            outcome=cycle(["succeeded", "failed"], i),
            object_type="connection",
            object_id=connections[i].pk,
            summary=f"Entry {i}",
        )
        AuditEntry.objects.filter(pk=entry.pk).update(created=cycle([t for t in times if t], i))
    return Population(carriers, groups, connections, employees, snapshots, member_requests, items, runs, now)


@pytest.fixture
def population(viewer, operator):
    return populate(viewer, operator)


# --- Each API list and its page -----------------------------------------------------------------


def page_rows(client, url_name, params) -> list[str]:
    """The ids of the rows the page shows for these parameters, in its order."""
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200, (url_name, params, response.status_code)
    return [str(row.pk) for row in response.context["rows"]]


def export_rows(client, url_name, params) -> list[str]:
    """The ids in the first column of a CSV export, in its order."""
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200, (url_name, params, response.status_code)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]


@dataclass(frozen=True)
class ApiList:
    """An API list, the page it mirrors, and query strings to compare them with."""

    basename: str
    page: str
    queries: list = field(default_factory=list)
    # Parameters every comparison carries (the snapshots page lists fulfillments only when given one).
    base: dict = field(default_factory=dict)
    # The page's rows for parameters; a list without a page compares with its CSV export.
    rows: Callable = page_rows
    # The page's page-size parameter.
    per_page: str = "per_page"

    @property
    def url(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def page_ids(self, client, params) -> list[str]:
        return self.rows(client, self.page, {**self.base, **params})

    def query(self, population, params) -> dict:
        """``params`` with any callable value filled from the population (an id)."""
        return {**self.base, **{key: value(population) if callable(value) else value for key, value in params.items()}}


def first_carrier(population):
    return population.carriers[0].pk


LISTS = [
    ApiList(
        "connection",
        "connections:connection_list",
        [
            {},
            {"sort": "request_type"},
            {"sort": "-since"},
            {"status": "unable_to_connect", "sort": "group"},
            {"q": "Alpha"},
            {"carrier": first_carrier, "sort": "-modified"},
        ],
    ),
    ApiList(
        "group",
        "connections:group_list",
        [{}, {"sort": "-modified"}, {"q": "Same"}, {"connection_status": "completed", "sort": "dba_name"}],
    ),
    ApiList(
        "carrier", "connections:carrier_list", [{}, {"sort": "-connections"}, {"kind": "sync"}, {"sort": "attention"}]
    ),
    ApiList(
        "disconnection-request",
        "connections:disconnection_list",
        [{}, {"sort": "ends"}, {"status": "needs_review"}, {"sort": "-decided", "carrier": first_carrier}],
    ),
    ApiList(
        "renewal-decision",
        "connections:renewal_list",
        [{}, {"sort": "-renewal_date"}, {"status": "not_ready"}, {"sort": "group", "carrier": first_carrier}],
    ),
    ApiList(
        "employee",
        "members:employee_list",
        [{}, {"sort": "-hire_date"}, {"q": "Smith"}, {"q": "Smith", "sort": "-name"}, {"sort": "date_of_birth"}],
    ),
    ApiList(
        "enrollment",
        "members:enrollment_export",
        [{}, {"sort": "-start"}, {"q": "Smith"}, {"sort": "end"}],
        rows=export_rows,
    ),
    ApiList("snapshot", "members:snapshot_list", [{}, {"sort": "created"}, {"status": "failed"}]),
    ApiList(
        "fulfillment-summary",
        "members:snapshot_list",
        [{}, {"sort": "created"}, {"carrier": first_carrier}, {"status": "failed"}],
        base={"fulfillment_status": "invalid"},
    ),
    ApiList(
        "tracking-difference",
        "members:difference_list",
        [{}, {"sort": "-impact"}, {"state": "unresolved"}, {"sort": "resolved"}, {"carrier": first_carrier}],
    ),
    ApiList("member-request", "members:memberrequest_list", [{}, {"sort": "created"}, {"status": "failed"}]),
    ApiList(
        "transaction",
        "members:transaction_list",
        [{}, {"sort": "-verified"}, {"verified": "no"}, {"status": "failed", "sort": "created"}],
    ),
    ApiList(
        "attention-item",
        "attention_list",
        [
            {},
            {"state": "all", "sort": "-snoozed"},
            {"state": "all", "sort": "assignee"},
            {"state": "snoozed"},
            {"sort": "summary"},
        ],
    ),
    ApiList("sync-run", "sync_list", [{}, {"sort": "-started"}, {"status": "failed"}, {"sort": "api_calls"}]),
    ApiList("audit-entry", "audit_list", [{}, {"sort": "actor"}, {"action": "export"}, {"sort": "-outcome"}]),
]
LIST_IDS = [entry.basename for entry in LISTS]


def walk(client, url, params, *, pages=100) -> list[str]:
    """Every id of an API list, following ``next`` links from the first page."""
    ids, response = [], client.get(url, params)
    for _ in range(pages):
        assert response.status_code == 200, (url, params, response.content[:500])
        body = response.json()
        ids += [str(row["id"]) for row in body["results"]]
        if not body["next"]:
            return ids
        response = client.get(body["next"])
    raise AssertionError(f"{url} had more than {pages} pages: the walk does not end")
