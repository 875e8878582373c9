"""EXPLAIN every query of the members pages against a large mirror (not collected by pytest).

    psql -h 127.0.0.1 -U postgres -c 'create database cc_members'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_members DJANGO_SETTINGS_MODULE=tests.settings \\
        .venv/bin/python manage.py migrate
    psql -h 127.0.0.1 -U postgres cc_members -f tests/members/scale_data.sql
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_members DJANGO_SETTINGS_MODULE=tests.settings \\
        .venv/bin/python tests/members/scale_check.py [-v | --exports]

For each page: the number of queries, the page's time, and each query's planned scan
and measured execution time (EXPLAIN ANALYZE). A sequential scan of a big table is flagged.
"""

import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from members.models import Employee, MemberRequest, MemberSnapshot, MemberTransaction  # noqa: E402

BIG_TABLES = (
    "members_memberrequest",
    "members_membertransaction",
    "members_membersnapshot",
    "members_fulfillmentsummary",
    "members_employee",
    "members_individualenrollment",
    "members_trackingdifference",
)


def pages():
    request = MemberRequest.objects.order_by("-created").first()
    failed = MemberRequest.objects.filter(status="failed").order_by("created").first()
    employee = Employee.objects.order_by("pk").first()
    snapshot = MemberSnapshot.objects.filter(fulfillment_summaries__status="invalid").first()
    group = employee.group_id
    transaction = MemberTransaction.objects.filter(status="failed").order_by("-created").first()
    return [
        ("requests: default", "/members/requests/"),
        ("requests: page 15", "/members/requests/?page=15"),
        ("requests: oldest first", "/members/requests/?sort=created"),
        ("requests: status=failed", "/members/requests/?status=failed"),
        ("requests: type=cobra_termination", "/members/requests/?request_type=cobra_termination"),
        ("requests: group", f"/members/requests/?group={group}"),
        ("requests: employee id", f"/members/requests/?employee={employee.pk}"),
        ("requests: employee name", "/members/requests/?employee=Okafor12"),
        ("requests: created range", "/members/requests/?created_from=2026-01-01&created_to=2026-01-31"),
        (
            "requests: failed + type + range",
            "/members/requests/?status=failed&request_type=demographic&created_from=2025-06-01",
        ),
        ("requests: detail", f"/members/requests/{request.pk}/"),
        ("requests: detail (failed)", f"/members/requests/{failed.pk}/"),
        ("snapshots: default", "/members/snapshots/"),
        ("snapshots: status=processing", "/members/snapshots/?status=processing"),
        ("snapshots: fulfillment=invalid", "/members/snapshots/?fulfillment_status=invalid"),
        ("snapshots: carrier", f"/members/snapshots/?carrier={snapshot.fulfillment_summaries.first().carrier_id}"),
        (
            "snapshots: carrier + invalid",
            f"/members/snapshots/?carrier={snapshot.fulfillment_summaries.filter(status='invalid').first().carrier_id}&fulfillment_status=invalid",
        ),
        ("snapshots: group", f"/members/snapshots/?group={group}"),
        ("snapshots: created range", "/members/snapshots/?created_from=2026-06-01&created_to=2026-06-30"),
        ("snapshots: summary", "/members/snapshots/summary/"),
        ("snapshots: detail", f"/members/snapshots/{snapshot.pk}/"),
        ("employees: default", "/members/employees/"),
        ("employees: search 'okaf'", "/members/employees/?q=okaf"),
        ("employees: search 'EMMA'", "/members/employees/?q=EMMA"),
        ("employees: by hire date", "/members/employees/?sort=-hire_date"),
        ("employees: date of birth", "/members/employees/?date_of_birth=1990-05-05"),
        ("employees: group", f"/members/employees/?group={group}"),
        ("employees: detail", f"/members/employees/{employee.pk}/"),
        ("employees: detail as of", f"/members/employees/{employee.pk}/?as_of=2021-01-01"),
        ("transactions: default", "/members/transactions/"),
        ("transactions: page 15", "/members/transactions/?page=15"),
        ("transactions: status=failed", "/members/transactions/?status=failed"),
        ("transactions: type", "/members/transactions/?transaction_type=carrier_termination"),
        (
            "transactions: carrier",
            f"/members/transactions/?carrier={snapshot.fulfillment_summaries.first().carrier_id}",
        ),
        ("transactions: not verified", "/members/transactions/?verified=no"),
        ("transactions: by verified", "/members/transactions/?sort=-verified"),
        ("transactions: request failed", "/members/transactions/?request_status=failed"),
        ("transactions: employee name", "/members/transactions/?q=Okafor12"),
        ("transactions: one request", f"/members/transactions/?member_request={request.pk}"),
        ("transactions: created range", "/members/transactions/?created_from=2026-01-01&created_to=2026-01-31"),
        ("transactions: detail", f"/members/transactions/{transaction.pk}/"),
        ("differences: default (queue)", "/members/differences/"),
        ("differences: unresolved", "/members/differences/?state=unresolved"),
        ("differences: page 15", "/members/differences/?page=15"),
        ("differences: classification", "/members/differences/?classification=missing_from_platform"),
        ("differences: carrier", f"/members/differences/?carrier={snapshot.fulfillment_summaries.first().carrier_id}"),
        ("differences: group", f"/members/differences/?group={group}"),
        ("differences: search name", "/members/differences/?q=Okafor12"),
        ("differences: search field", "/members/differences/?q=date+of+birth"),
        ("differences: newest first", "/members/differences/?sort=-created"),
        ("dashboard", "/"),
    ]


def scan_of(plan: str) -> str:
    scans = re.findall(
        r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)?(?: using \w+)? on \w+)",
        plan,
    )
    return "; ".join(dict.fromkeys(scans)) or "-"


def main(verbose=False):
    user, _ = get_user_model().objects.get_or_create(username="scale-check")
    client = Client()
    client.force_login(user)
    worst = []
    for name, url in pages():
        client.get(url)  # warm the cache: medians of steady state, as PERFORMANCE.md measures
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        print(f"\n{name}: {len(captured.captured_queries)} queries, page {statistics.median(timings):.1f} ms  {url}")
        for sql in queries:
            if "django_session" in sql or "auth_user" in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            flag = ""
            if any(f"Seq Scan on {t}" in plan for t in BIG_TABLES):
                # Under a LIMIT (the bounded count) a sequential scan stops at the 1,001st match.
                flag = " (stops at its LIMIT)" if plan.lstrip().startswith("Limit") else " <-- SEQ SCAN of a big table"
            worst.append((ms, name, sql[:120]))
            print(f"   {ms:8.2f} ms  {scan_of(plan)}{flag}")
            if verbose or "SEQ SCAN" in flag:
                print("      " + sql[:400])
                print("      " + plan.replace("\n", "\n      "))
    print("\nSlowest queries:")
    for ms, name, sql in sorted(worst, reverse=True)[:5]:
        print(f"   {ms:8.2f} ms  {name}: {sql}")


def exports():
    """Rows per second of the member requests CSV (streamed through the view) against COPY TO of the same columns."""
    user, _ = get_user_model().objects.get_or_create(username="scale-check")
    client = Client()
    client.force_login(user)
    start = time.perf_counter()
    response = client.get("/members/requests/export/")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    view_seconds = time.perf_counter() - start
    sql = (
        "COPY (SELECT r.id, r.created, r.modified, r.request_type, r.status, r.status_changed_at, r.employee_id,"
        " e.first_name, e.last_name, g.name, r.group_id, jsonb_array_length(r.transaction_ids)"
        " FROM members_memberrequest r LEFT JOIN members_employee e ON e.id = r.employee_id"
        " LEFT JOIN connections_group g ON g.id = r.group_id WHERE r.removed_upstream_at IS NULL"
        " ORDER BY r.created DESC, r.id DESC) TO STDOUT WITH CSV"
    )
    start = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(sql) as copy:
            copied = sum(bytes(block).count(b"\n") for block in copy)
    copy_seconds = time.perf_counter() - start
    print(
        f"member requests CSV: {rows:,} rows in {view_seconds:.1f} s ({rows / view_seconds:,.0f} rows/s); "
        f"COPY TO: {copied:,} rows in {copy_seconds:.1f} s ({copied / copy_seconds:,.0f} rows/s); "
        f"ratio {copy_seconds / view_seconds:.2f} x COPY"
    )


if __name__ == "__main__":
    if "--exports" in sys.argv:
        exports()
    else:
        main(verbose="-v" in sys.argv)
