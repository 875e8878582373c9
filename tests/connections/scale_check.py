"""Query counts and times of the carriers and renewals pages against a large mirror (not collected by pytest).

    psql -h 127.0.0.1 -U postgres -c 'create database cc_scale'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_scale DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_scale .venv/bin/python tests/connections/scale_check.py --load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_scale .venv/bin/python tests/connections/scale_check.py

``--load`` EMPTIES the carriers, groups, connections and renewals tables and fills them in the shape of the
sandbox's "large" scale (the one the members console was measured on): 1,000 groups, 12 carriers and 200
carriers only seen as ids, 4 connections per group (4,000), and 1 to 2 renewal decisions per group with
issues and expectations (1,500).
"""

import datetime as dt
import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from connections.management.commands.seed_carriers import load_sandbox_carriers, seed_carriers  # noqa: E402
from connections.models import Carrier, Group, GroupConnection, RenewalDecision  # noqa: E402
from connections.sync import renewal_carrier_ids  # noqa: E402

STATUSES = ["completed"] * 5 + [
    "processing",
    "unable_to_connect",
    "action_required",
    "waiting_on_carrier",
    "carrier_authorization",
]


def _id(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts))))


def load():
    RenewalDecision.objects.all().delete()
    GroupConnection.objects.all().delete()
    Group.objects.all().delete()
    Carrier.objects.all().delete()
    seed_carriers(load_sandbox_carriers())
    Carrier.objects.ensure([_id("unseen carrier", n) for n in range(200)])
    carriers = list(Carrier.objects.filter(is_placeholder=False).values_list("pk", flat=True))
    now = timezone.now()
    Group.objects.bulk_create(
        [
            Group(id=_id("group", g), version="v", name=f"Group {g} Inc", dba_name=f"G{g}", created=now, modified=now)
            for g in range(1000)
        ]
    )
    GroupConnection.objects.bulk_create(
        [
            GroupConnection(
                id=_id("gc", g, k),
                version="v",
                group_id=_id("group", g),
                group_name=f"Group {g} Inc",
                carrier_id=carriers[(g + k) % len(carriers)],
                status=STATUSES[(g * 7 + k) % len(STATUSES)],
                status_changed_at=now - dt.timedelta(days=g % 30),
                created=now,
                modified=now,
                carrier_group_id=f"X{g}{k}",
            )
            for g in range(1000)
            for k in range(4)
        ],
        batch_size=2000,
    )
    renewals = []
    for g in range(1000):
        for r in range(1 + g % 2):
            mine = [carriers[(g + k) % len(carriers)] for k in range(3)]
            not_ready = (g + r) % 4 == 0
            payload = {
                "issues": [
                    {
                        "level": "error",
                        "message": "No plans found at the carrier for the renewal date.",
                        "carrier_id": mine[0],
                        "line_of_coverage": "medical",
                    },
                    {
                        "level": "warning",
                        "message": "Carrier has not yet published renewal rates.",
                        "carrier_id": mine[1],
                        "line_of_coverage": "dental",
                    },
                ]
                if not_ready
                else [],
                "body": {
                    "carriers": [
                        {
                            "carrier_id": c,
                            "lines_of_coverage": {
                                "medical": {
                                    "open_enrollment_start_date": "2026-11-15",
                                    "open_enrollment_end_date": "2026-12-15",
                                    "plans": [{"plan_id": _id("plan", g, c)}],
                                }
                            },
                        }
                        for c in mine
                    ]
                },
            }
            renewals.append(
                RenewalDecision(
                    id=_id("renewal", g, r),
                    version="v",
                    group_id=_id("group", g),
                    renewal_date=dt.date(2027, 1 + (g + r) % 12, 1 if not not_ready else 15),
                    status="not_ready" if not_ready else ("ready", "submitted", "done")[g % 3],
                    issues=payload["issues"],
                    raw=payload,
                    carrier_ids=renewal_carrier_ids(payload),
                    created=now,
                    modified=now,
                )
            )
    RenewalDecision.objects.bulk_create(renewals, batch_size=2000)
    print(
        f"{Carrier.objects.count()} carriers, {Group.objects.count()} groups, {GroupConnection.objects.count()} connections, "
        f"{RenewalDecision.objects.count()} renewals ({RenewalDecision.objects.filter(status='not_ready').count()} not ready)"
    )


def pages():
    carrier = Carrier.objects.filter(is_placeholder=False).order_by("name").first()
    renewal = RenewalDecision.objects.filter(status="not_ready").first()
    return [
        ("carriers: default", "/connections/carriers/"),
        ("carriers: by connections", "/connections/carriers/?sort=-connections"),
        ("carriers: reference missing", "/connections/carriers/?reference_missing=on"),
        (
            "carriers: with unable_to_connect",
            "/connections/carriers/?connection_status=unable_to_connect&sort=-attention",
        ),
        ("carriers: CSV", "/connections/carriers/export.csv"),
        ("carrier detail", f"/connections/carriers/{carrier.pk}/"),
        ("renewals: default (not ready first)", "/connections/renewals/"),
        ("renewals: page 10", "/connections/renewals/?page=10"),
        ("renewals: not ready at a carrier", f"/connections/renewals/?status=not_ready&carrier={carrier.pk}"),
        ("renewals: date range", "/connections/renewals/?renewal_from=2027-03-01&renewal_to=2027-05-31&sort=group"),
        ("renewals: group search", "/connections/renewals/?q=group+12"),
        ("renewals: CSV", "/connections/renewals/export.csv"),
        ("renewal detail", f"/connections/renewals/{renewal.pk}/"),
        ("dashboard", "/"),
    ]


def main():
    user, _ = get_user_model().objects.get_or_create(username="scale-check")
    client = Client()
    client.force_login(user)
    for name, url in pages():
        client.get(url)
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
                timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        extra = f", {rows} rows" if response.streaming else ""
        print(f"{name}: {len(captured.captured_queries)} queries, {statistics.median(timings):.1f} ms{extra}  {url}")


if __name__ == "__main__":
    load() if "--load" in sys.argv else main()
