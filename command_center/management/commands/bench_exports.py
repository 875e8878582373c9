"""python manage.py bench_exports --database-url postgres://…/cc_export_big [--connections 1000000] [--repeat 3] [--skip-python]

Times every CSV export of the product through its real view (the whole streamed response read), against
``COPY (the same SELECT) TO STDOUT WITH CSV`` of the export's raw columns (its filters and order, no
formatting), measured in the same run; and, unless ``--skip-python``, the same rows written the way the
exports were written before COPY (``csv_rows(in_sql=False)``: values_list + Python formatting + csv.writer).

Data: the members tables as ``tests/members/scale_data.sql`` fills them (1,000,000 member requests; load it
first with psql), and, made here when the tables are empty, ``--connections`` group connections and 20,000
each of disconnection requests, renewal decisions, attention items and audit entries. Carriers (8) and
groups (1,000) come from scale_data.sql. Each line prints rows/s, the ratio to COPY, this process's peak
memory (ru_maxrss, and how much it grew during the export) and the load average.

Each export and its COPY are timed in turns, ``--repeat`` times, and the best of each is printed: on a
machine with other work, a single pair of runs varied by a third from one run to the next.
"""

from __future__ import annotations

import os
import resource
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from command_center.lists import csv_rows, order_by_sort
from command_center.management.benchmarks import use_database

GENERATE = {
    "connections_groupconnection": """
        INSERT INTO connections_groupconnection (id, version, created, modified, raw, first_seen, last_seen, status_changed_at,
            organization_id, group_audit_request_id, request_type, status, federal_ein, carrier_group_id, group_name,
            broker_federal_ein, broker_tin, employer_email_address, setup_error, carrier_id, group_id)
        SELECT md5('gc' || n)::uuid::text, md5('v' || n), now() - (n || ' minutes')::interval, now() - (n || ' seconds')::interval,
               '{}', now(), now(), now() - (n || ' minutes')::interval, md5('org')::uuid::text, '',
               (ARRAY['initial', 'renewal', 'change'])[1 + n % 3],
               (ARRAY['completed', 'processing', 'unable_to_connect', 'action_required', 'noyo_review'])[1 + n % 5],
               '12-345' || (n % 10000), CASE WHEN n % 50 = 0 THEN '=HYPERLINK(1)' ELSE 'AB' || lpad((n % 1000000)::text, 6, '0') END,
               g.name, '', '', '', CASE WHEN n % 5 = 2 THEN 'Carrier says the group id, "AB' || n || '", is unknown.' ELSE '' END,
               c.id, g.id
        FROM generate_series(1, CONNECTIONS) n
        CROSS JOIN (SELECT array_agg(id ORDER BY id) groups FROM connections_group) gs
        CROSS JOIN (SELECT array_agg(id ORDER BY id) carriers FROM connections_carrier) cs
        JOIN connections_group g ON g.id = gs.groups[1 + n % array_length(gs.groups, 1)]
        JOIN connections_carrier c ON c.id = cs.carriers[1 + n % array_length(cs.carriers, 1)]""",
    "connections_groupdisconnectionrequest": """
        INSERT INTO connections_groupdisconnectionrequest (id, version, created, modified, raw, first_seen, last_seen, organization_id,
            group_name, status, source_type, source_id, reason, effective_end_date, group_id, carrier_id)
        SELECT md5('dr' || n)::uuid::text, md5('v' || n), now() - (n || ' minutes')::interval, now(), '{}', now(), now(), '',
               'Group ' || n, (ARRAY['needs_review', 'confirmed', 'rejected'])[1 + n % 3], 'carrier', md5('s' || n), 'broker_of_record',
               date '2027-01-01' + n % 365, (SELECT id FROM connections_group ORDER BY id LIMIT 1), (SELECT id FROM connections_carrier ORDER BY id LIMIT 1)
        FROM generate_series(1, 20000) n""",
    "connections_renewaldecision": """
        INSERT INTO connections_renewaldecision (id, version, created, modified, raw, first_seen, last_seen, status, issues, carrier_ids,
            renewal_date, group_id)
        SELECT md5('rd' || n)::uuid::text, md5('v' || n), now(), now(), '{}', now(), now(), (ARRAY['not_ready', 'ready'])[1 + n % 2],
               '[{"level": "error", "message": "No plans found at the carrier for the renewal date.", "line_of_coverage": "medical"}]',
               (SELECT string_agg(id, ',') FROM (SELECT id FROM connections_carrier ORDER BY id LIMIT 2) c), date '2027-01-01' + n % 365,
               (SELECT id FROM connections_group ORDER BY id LIMIT 1)
        FROM generate_series(1, 20000) n""",
    "command_center_attentionitem": """
        INSERT INTO command_center_attentionitem (kind, resource, object_id, summary, first_detected_at, last_detected_at, opened_at)
        SELECT 'connection_failed', 'connections.groupconnection', md5('gc' || n)::uuid::text, 'The carrier could not connect the group.',
               now() - (n || ' minutes')::interval, now(), now() - (n || ' minutes')::interval
        FROM generate_series(1, 20000) n""",
    "command_center_auditentry": """
        INSERT INTO command_center_auditentry (created, action, outcome, object_type, object_id, summary, details, api_key_name)
        SELECT now() - (n || ' seconds')::interval, 'retry', 'ok', 'groupconnection', md5('gc' || n)::uuid::text, 'Retried a connection',
               jsonb_build_object('attempt', n % 3, 'status', 'unable_to_connect'), ''
        FROM generate_series(1, 20000) n""",
}


def exports():
    """(name, URL name, the export's queryset and columns as the view builds them by default)."""
    from django.utils import timezone

    from command_center.views import attention, audit
    from connections import disconnection_views as dv
    from connections import filters as cf
    from connections import views as cv
    from members import columns as mc
    from members import filters as mf
    from members import views as mv
    from members.models import (
        Employee,
        FulfillmentSummary,
        IndividualEnrollment,
        MemberRequest,
        MemberSnapshot,
        MemberTransaction,
        TrackingDifference,
    )

    today = timezone.localdate()
    sort = order_by_sort
    return [
        (
            "connections",
            "connections:connection_export",
            lambda: (sort(cf.connections_for_list(), "-modified", cv.CONNECTION_SORTS), cv.CONNECTION_COLUMNS),
        ),
        (
            "groups",
            "connections:group_export",
            lambda: (sort(cf.groups_for_list(), "name", cv.GROUP_SORTS), cv.GROUP_COLUMNS),
        ),
        (
            "carriers",
            "connections:carrier_export",
            lambda: (sort(cv.carriers_for_list(), "name", cv.CARRIER_SORTS), cv.CARRIER_COLUMNS),
        ),
        (
            "disconnections",
            "connections:disconnection_export",
            lambda: (sort(cf.disconnections_for_list(), "review", dv.DISCONNECTION_SORTS), dv.DISCONNECTION_COLUMNS),
        ),
        (
            "renewals",
            "connections:renewal_export",
            lambda: (sort(cv.renewals_for_list(), "attention", cv.RENEWAL_SORTS), cv._renewal_columns()),
        ),
        (
            "attention",
            "attention_export",
            lambda: (
                sort(attention.AttentionItem.objects.all(), "opened", attention.ATTENTION_SORTS),
                attention.ATTENTION_COLUMNS,
            ),
        ),
        (
            "audit",
            "audit_export",
            lambda: (sort(audit.entries_for_list(), "-created", audit.AUDIT_SORTS), audit.AUDIT_COLUMNS),
        ),
        (
            "employees",
            "members:employee_export",
            lambda: (
                sort(
                    mc.EMPLOYEES.queryset(mf.with_search_sort(Employee.objects.present())),
                    "name",
                    mv.employee_sorts({}),
                ),
                mc.EMPLOYEES.columns,
            ),
        ),
        (
            "enrollments",
            "members:enrollment_export",
            lambda: (
                sort(
                    IndividualEnrollment.objects.present().annotate(csv_status_on=mf.status_on(today)),
                    "line",
                    mv.ENROLLMENT_SORTS,
                ),
                [*mc.ENROLLMENTS.columns, cv.Column(f"Status as of {today.isoformat()}", "csv_status_on")],
            ),
        ),
        (
            "snapshots",
            "members:snapshot_export",
            lambda: (
                sort(mc.SNAPSHOTS.queryset(MemberSnapshot.objects.present()), "-created", mv.SNAPSHOT_SORTS),
                mc.SNAPSHOTS.columns,
            ),
        ),
        (
            "fulfillments",
            "members:fulfillment_export",
            lambda: (
                sort(mc.FULFILLMENTS.queryset(FulfillmentSummary.objects.present()), "-created", mv.SNAPSHOT_SORTS),
                mc.FULFILLMENTS.columns,
            ),
        ),
        (
            "member requests",
            "members:memberrequest_export",
            lambda: (
                sort(mc.MEMBER_REQUESTS.queryset(MemberRequest.objects.present()), "-created", mv.MEMBERREQUEST_SORTS),
                mc.MEMBER_REQUESTS.columns,
            ),
        ),
        (
            "transactions",
            "members:transaction_export",
            lambda: (
                sort(mc.TRANSACTIONS.queryset(MemberTransaction.objects.present()), "-created", mv.TRANSACTION_SORTS),
                mc.TRANSACTIONS.columns,
            ),
        ),
        (
            "differences",
            "members:difference_export",
            lambda: (
                mc.DIFFERENCES.queryset(TrackingDifference.objects.present()).order_by(*mv.DIFFERENCE_QUEUE_ORDER),
                mc.DIFFERENCES.columns,
            ),
        ),
    ]


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time every CSV export through its view against COPY of the same SELECT (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", help="Run against this database (scale_data.sql loaded into it).")
        parser.add_argument(
            "--connections", type=int, default=1_000_000, help="Group connections to make when there are none."
        )
        parser.add_argument("--only", nargs="*", help="Only these exports (names as printed).")
        parser.add_argument("--skip-python", action="store_true", help="Do not time the former, all-Python way.")
        parser.add_argument(
            "--repeat",
            type=int,
            default=3,
            help="Time each export and its COPY this many times, in turns; print the best.",
        )

    def handle(
        self, *args, database_url=None, connections=1_000_000, only=None, skip_python=False, repeat=3, **options
    ):
        use_database(database_url)
        if connection.vendor != "postgresql":
            raise CommandError("bench_exports measures against PostgreSQL's COPY: pass --database-url postgres://…")
        from connections.models import Group

        if not Group.objects.exists():
            raise CommandError("No groups: load tests/members/scale_data.sql into this database first (psql -f).")
        self.fill(connections)
        client = Client(HTTP_HOST="localhost")  # an ALLOWED_HOSTS default
        user, _ = get_user_model().objects.get_or_create(
            username="bench-exports", defaults={"is_superuser": True, "is_staff": True}
        )
        client.force_login(user)
        self.stdout.write(
            f"Database {connection.settings_dict['NAME']}; 'python' is the former way (values_list + Python + csv.writer)."
        )
        self.stdout.write(
            f"{'export':<16} {'rows':>9} {'view rows/s':>11} {'COPY rows/s':>11} {'ratio':>5} {'python':>8} {'peak MB':>8} "
            f"{'grew MB':>7}  load"
        )
        for name, url_name, build in exports():
            if only and name not in only:
                continue
            queryset, columns = build()
            anchor_s = view_s = float("inf")
            before_rss = _rss_mb()
            for _ in range(max(1, repeat)):
                anchor_rows, seconds = self.copy_anchor(queryset, columns)
                anchor_s = min(anchor_s, seconds)
                rows, seconds = self.through_view(client, url_name)
                view_s = min(view_s, seconds)
            grew = max(0.0, _peak_mb() - before_rss)
            python = "" if skip_python else f"{anchor_rows / self.python_way(queryset, columns):>8,.0f}"
            if rows != anchor_rows:
                self.stderr.write(
                    f"{name}: the view wrote {rows} rows, COPY {anchor_rows}: the benchmark's SELECT is not the view's"
                )
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            self.stdout.write(
                f"{name:<16} {anchor_rows:>9,} {anchor_rows / view_s:>11,.0f} {anchor_rows / anchor_s:>11,.0f} "
                f"{anchor_s / view_s:>5.2f} {python:>8} {_peak_mb():>8.0f} {grew:>7.0f}  {load}"
            )

    def fill(self, connections: int) -> None:
        with connection.cursor() as cursor:
            for table, sql in GENERATE.items():
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
                if not cursor.fetchone()[0]:
                    self.stdout.write(f"Filling {table}…")
                    cursor.execute(sql.replace("CONNECTIONS", str(int(connections))))
                    cursor.execute(f"ANALYZE {table}")

    def copy_anchor(self, queryset, columns) -> tuple[int, float]:
        """COPY of the export's raw columns, same filters and order: the speed limit of reading these rows out."""
        sql, params = queryset.values_list(*[c.field for c in columns]).query.sql_with_params()
        statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv)"
        rows = 0
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for _line in copy:
                rows += 1
        return rows, time.perf_counter() - started

    def through_view(self, client, url_name) -> tuple[int, float]:
        """The export as a browser gets it: the view, its streamed response read to the end (rows: its line ends,
        less the header's; no generated cell holds a line end)."""
        started = time.perf_counter()
        response = client.get(reverse(url_name))
        if response.status_code != 200:
            raise CommandError(f"{url_name} answered {response.status_code}")
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\r\n") if isinstance(chunk, bytes) else chunk.count("\r\n")
        response.close()
        return lines - 1, time.perf_counter() - started

    def python_way(self, queryset, columns) -> float:
        import csv

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        started = time.perf_counter()
        for row in csv_rows(queryset, columns, in_sql=False):
            writer.writerow(row)
        return time.perf_counter() - started
