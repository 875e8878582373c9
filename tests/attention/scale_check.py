"""Time the attention derivation and EXPLAIN every query of the attention pages against a large mirror (not collected by pytest).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_members DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python manage.py migrate
    psql -h 127.0.0.1 -U postgres cc_members -f tests/members/scale_data.sql
    psql -h 127.0.0.1 -U postgres cc_members -f tests/attention/scale_data.sql
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_members .venv/bin/python tests/attention/scale_check.py [-v] [--derive | --pages]

First every kind is derived three times, as syncs would (open everything; refresh; close a tenth and
reopen it), each pass timed with its statement count. Then each page: its number of queries, its
time, and each query's plan and measured time (EXPLAIN ANALYZE); a sequential scan of a big table is flagged.
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
from django.contrib.auth.models import Group as Role  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from command_center import attention  # noqa: E402
from command_center.models import AttentionItem  # noqa: E402
from command_center.roles import OPERATOR  # noqa: E402
from members.models import MemberRequest  # noqa: E402

BIG_TABLES = (
    "members_memberrequest",
    "members_membertransaction",
    "members_membersnapshot",
    "members_fulfillmentsummary",
    "members_employee",
    "members_trackingdifference",
    "connections_groupconnection",
    "command_center_attentionitem",
    "command_center_attentionevent",
)


def scan_of(plan: str) -> str:
    scans = re.findall(
        r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)?(?: using \w+)? on \w+)",
        plan,
    )
    return "; ".join(dict.fromkeys(scans)) or "-"


def derive_all(label):
    total, statements = time.perf_counter(), 0
    for condition in attention.CONDITIONS.values():
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = attention.derive(condition, now=timezone.now(), complete=True)
        statements += len(captured.captured_queries)
        print(
            f"   {condition.kind:26} {len(captured.captured_queries):2} statements {1000 * (time.perf_counter() - start):8.0f} ms"
            f"  opened {result.opened:6,} reopened {result.reopened:6,} closed {result.closed:6,}"
        )
    print(
        f"{label}: {statements} statements, {time.perf_counter() - total:.1f} s; "
        f"{AttentionItem.objects.open().count():,} open of {AttentionItem.objects.count():,}"
    )


def derivation():
    print("Derivation, pass 1 (everything opens):")
    derive_all("pass 1")
    print("Derivation, pass 2 (nothing changed: refresh):")
    derive_all("pass 2")
    failed = MemberRequest.objects.filter(status="failed")
    tenth = list(failed.values_list("pk", flat=True)[: failed.count() // 10])
    MemberRequest.objects.filter(pk__in=tenth).update(status="completed")
    print(f"Derivation, pass 3 ({len(tenth):,} failed requests completed: they close):")
    derive_all("pass 3")
    MemberRequest.objects.filter(pk__in=tenth).update(status="failed")
    print("Derivation, pass 4 (they failed again: they reopen):")
    derive_all("pass 4")


def pages(user):
    item = AttentionItem.objects.open().filter(kind="member_request_failed").first()
    AttentionItem.objects.filter(pk__in=AttentionItem.objects.open().values("pk")[:500]).update(assigned_to=user)
    carrier = AttentionItem.objects.exclude(carrier=None).values_list("carrier_id", flat=True).first()
    group = AttentionItem.objects.exclude(group=None).values_list("group_id", flat=True).first()
    return [
        ("queue: default", "/attention/"),
        ("queue: page 15", "/attention/?page=15"),
        ("queue: newest first", "/attention/?sort=-opened"),
        ("queue: kind=connection_needs_action", "/attention/?kind=connection_needs_action"),
        ("queue: kind=tracking_difference", "/attention/?kind=tracking_difference"),
        ("queue: carrier", f"/attention/?carrier={carrier}"),
        ("queue: group", f"/attention/?group={group}"),
        ("queue: assignee=mine", "/attention/?assignee=mine"),
        ("queue: assignee=unassigned", "/attention/?assignee=unassigned"),
        ("queue: state=closed", "/attention/?state=closed&sort=-closed"),
        ("queue: state=all, by group", "/attention/?state=all&sort=group"),
        ("queue: open for 7 days", "/attention/?age=7"),
        ("queue: search", "/attention/?q=new+hire"),
        ("queue: 200 a page", "/attention/?per_page=200"),
        ("item: detail", f"/attention/{item.pk}/"),
        ("dashboard", "/"),
    ]


def main(verbose=False, derive=True):
    if derive:
        derivation()
    user, _ = get_user_model().objects.get_or_create(username="scale-check")
    user.groups.add(Role.objects.get(name=OPERATOR))
    client = Client()
    client.force_login(user)
    worst = []
    for name, url in pages(user):
        client.get(url)
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        print(f"\n{name}: {len(captured.captured_queries)} queries, page {statistics.median(timings):.1f} ms  {url}")
        for query in captured.captured_queries:
            sql = query["sql"]
            if (
                not sql.lstrip().upper().startswith("SELECT")
                or "django_session" in sql
                or '"auth_' in sql.split("FROM")[1][:40]
            ):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            flag = ""
            if any(f"Seq Scan on {t}" in plan for t in BIG_TABLES):
                flag = " (stops at its LIMIT)" if plan.lstrip().startswith("Limit") else " <-- SEQ SCAN of a big table"
            worst.append((ms, name, sql[:120]))
            print(f"   {ms:8.2f} ms  {scan_of(plan)}{flag}")
            if verbose or "SEQ SCAN" in flag:
                print("      " + sql[:400])
                print("      " + plan.replace("\n", "\n      "))
    start = time.perf_counter()
    response = client.get("/attention/export.csv?state=all")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    print(f"\nexport (state=all): {rows:,} rows in {time.perf_counter() - start:.1f} s")
    print("\nSlowest queries:")
    for ms, name, sql in sorted(worst, reverse=True)[:6]:
        print(f"   {ms:8.2f} ms  {name}: {sql}")


if __name__ == "__main__":
    if "--derive" in sys.argv:
        derivation()
    else:
        main(verbose="-v" in sys.argv, derive="--pages" not in sys.argv)
