"""Time every list page, sort, filter, search and last page, and the dashboard, at 1M rows, against the
stock Django admin changelist on the same table, in one run (not collected by pytest).

    createdb -h 127.0.0.1 -U postgres cc_big
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_big DJANGO_SETTINGS_MODULE=tests.settings
    .venv/bin/python manage.py migrate
    psql -h 127.0.0.1 -U postgres cc_big -f tests/members/scale_data.sql
    psql -h 127.0.0.1 -U postgres cc_big -f tests/connections/scale_data.sql
    .venv/bin/python tests/bench_pages.py [--runs 5] [--only connections]

Whole request: each page is fetched through Django's test Client, signed in, so the time is the URL
resolver, every middleware, the view, its queries and the templates (not the network or a WSGI server).
Before timing, it leaves the database as the end of a sync would: attention items derived and the
dashboard's status counts taken (the functions the sync calls). For each page it prints the p50 of
``--runs`` requests after one warm-up, the number of queries, the p50 of the stock admin changelist
(``tests/bench_urls.py``: plain ModelAdmins) for the same list, sort, filter or search, their ratio,
and the machine's load.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from command_center.lists import MAX_PAGED_ROWS, PER_PAGE  # noqa: E402

CONNECTIONS = "/connections/"
REQUESTS = "/members/requests/"
ADMIN_CONNECTIONS = "/stock-admin/connections/groupconnection/"
ADMIN_REQUESTS = "/stock-admin/members/memberrequest/"
# The stock admin's column numbers (``?o=``) for tests/bench_urls.py's list_display.
ADMIN_CONNECTION_COLUMNS = {
    "group": 1,
    "carrier": 2,
    "carrier_group_id": 3,
    "status": 4,
    "request_type": 5,
    "since": 6,
    "modified": 7,
    "error": 8,
}
LAST_PAGE = MAX_PAGED_ROWS // PER_PAGE


def cases():
    """(page, our URL, the stock admin's URL for the same rows)."""
    from connections.models import Carrier, GroupConnection
    from connections.views import CONNECTION_SORTS
    from members.models import MemberRequest

    carrier = Carrier.objects.order_by("name").first()
    connection_row = GroupConnection.objects.order_by("pk").first()
    request_row = MemberRequest.objects.order_by("pk").first()
    rows = [("dashboard", "/", ADMIN_CONNECTIONS)]
    if connection_row:
        rows += [
            ("connections", CONNECTIONS, ADMIN_CONNECTIONS),
            *[
                (
                    f"connections sort {way}{sort}",
                    f"{CONNECTIONS}?sort={way}{sort}",
                    f"{ADMIN_CONNECTIONS}?o={'-' if way else ''}{ADMIN_CONNECTION_COLUMNS[sort]}",
                )
                for sort in CONNECTION_SORTS
                for way in ("", "-")
            ],
            (
                "connections status=unable_to_connect",
                f"{CONNECTIONS}?status=unable_to_connect",
                f"{ADMIN_CONNECTIONS}?status__exact=unable_to_connect",
            ),
            (
                "connections status=completed",
                f"{CONNECTIONS}?status=completed",
                f"{ADMIN_CONNECTIONS}?status__exact=completed",
            ),
            (
                "connections carrier",
                f"{CONNECTIONS}?carrier={carrier.pk}",
                f"{ADMIN_CONNECTIONS}?carrier__id__exact={carrier.pk}",
            ),
            (
                "connections request type",
                f"{CONNECTIONS}?request_type=incremental",
                f"{ADMIN_CONNECTIONS}?request_type__exact=incremental",
            ),
            (
                "connections organization",
                f"{CONNECTIONS}?organization={connection_row.organization_id}",
                f"{ADMIN_CONNECTIONS}?q={connection_row.organization_id}",
            ),
            ("connections stuck", f"{CONNECTIONS}?stuck=on", f"{ADMIN_CONNECTIONS}?status__exact=processing"),
            (
                "connections needs attention",
                f"{CONNECTIONS}?attention=on",
                f"{ADMIN_CONNECTIONS}?status__exact=action_required",
            ),
            ("connections search group", f"{CONNECTIONS}?q=Summit+1234", f"{ADMIN_CONNECTIONS}?q=Summit+1234"),
            ("connections search carrier group id", f"{CONNECTIONS}?q=NW001300", f"{ADMIN_CONNECTIONS}?q=NW001300"),
            (
                "connections search id",
                f"{CONNECTIONS}?q={connection_row.group_id}",
                f"{ADMIN_CONNECTIONS}?q={connection_row.group_id}",
            ),
            (
                f"connections last page ({LAST_PAGE})",
                f"{CONNECTIONS}?page={LAST_PAGE}",
                f"{ADMIN_CONNECTIONS}?p={LAST_PAGE}",
            ),
            (
                "connections last page, by status",
                f"{CONNECTIONS}?page={LAST_PAGE}&sort=status",
                f"{ADMIN_CONNECTIONS}?p={LAST_PAGE}&o=4",
            ),
        ]
    if connection_row:
        rows += [
            ("groups", "/connections/groups/", "/stock-admin/connections/group/"),
            ("groups search", "/connections/groups/?q=Summit+1234", "/stock-admin/connections/group/?q=Summit+1234"),
            (
                "groups with a failing connection",
                "/connections/groups/?connection_status=unable_to_connect",
                "/stock-admin/connections/group/",
            ),
            (
                f"groups last page ({LAST_PAGE})",
                f"/connections/groups/?page={LAST_PAGE}",
                f"/stock-admin/connections/group/?p={LAST_PAGE}",
            ),
            ("carriers", "/connections/carriers/", "/stock-admin/connections/carrier/"),
            (
                "carriers by connections",
                "/connections/carriers/?sort=-connections",
                "/stock-admin/connections/carrier/?o=-1",
            ),
            ("carrier detail", f"/connections/carriers/{carrier.pk}/", "/stock-admin/connections/carrier/"),
        ]
    if request_row:
        rows += [
            ("member requests", REQUESTS, ADMIN_REQUESTS),
            ("member requests oldest first", f"{REQUESTS}?sort=created", f"{ADMIN_REQUESTS}?o=4"),
            ("member requests status=failed", f"{REQUESTS}?status=failed", f"{ADMIN_REQUESTS}?status__exact=failed"),
            (
                "member requests type",
                f"{REQUESTS}?request_type=new_hire",
                f"{ADMIN_REQUESTS}?request_type__exact=new_hire",
            ),
            (
                "member requests employee",
                f"{REQUESTS}?employee={request_row.employee_id}",
                f"{ADMIN_REQUESTS}?q={request_row.pk}",
            ),
            (
                "member requests created range",
                f"{REQUESTS}?created_from=2026-06-01&created_to=2026-06-30",
                f"{ADMIN_REQUESTS}?created__gte=2026-06-01&created__lt=2026-07-01",
            ),
            (
                f"member requests last page ({LAST_PAGE})",
                f"{REQUESTS}?page={LAST_PAGE}",
                f"{ADMIN_REQUESTS}?p={LAST_PAGE}",
            ),
        ]
    return rows


def prepare():
    """What the end of a sync leaves: attention items derived, the dashboard's status counts taken."""
    from command_center.attention import CONDITIONS, derive
    from connections.sync import count_connection_statuses

    now = timezone.now()
    for condition in CONDITIONS.values():
        derive(condition, now=now, complete=True)
    count_connection_statuses()


def p50(client, url, runs):
    client.get(url)  # warm: steady state, as PERFORMANCE.md measures
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(timings), len(captured.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--no-prepare", action="store_true", help="skip deriving attention items and counting statuses")
    args = parser.parse_args()

    if not args.no_prepare:
        prepare()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-pages", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    print(
        f"load at start {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; p50 of {args.runs} runs, ms"
    )
    print(f"{'page':48} {'p50':>8} {'queries':>7} {'admin p50':>10} {'ratio':>6} {'load':>5}")
    with override_settings(ROOT_URLCONF="tests.bench_urls"):
        for name, url, admin_url in cases():
            if args.only not in name:
                continue
            ours, queries = p50(client, url, args.runs)
            anchor, _ = p50(client, admin_url, args.runs)
            print(
                f"{name:48} {ours:8.1f} {queries:7d} {anchor:10.1f} {ours / anchor:6.2f} {os.getloadavg()[0]:5.2f}",
                flush=True,
            )
    print(f"load at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
