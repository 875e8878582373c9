"""The renewal decisions list across groups: not ready first, issues and carrier expectations readable,
filters (status, carrier, renewal dates, group), sorts, htmx, the dashboard's count."""

import datetime as dt

import pytest
from django.urls import reverse

from command_center.models import SyncRun
from command_center.sync import runs
from connections.models import Carrier, RenewalDecision
from tests.connections.renewals import issue, mirror_renewal
from tests.factories import make_carrier, make_group

URL = reverse("connections:renewal_list")
JAN, FEB, MAR = dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1)


def listed(response):
    return [(r.group.name if r.group else None, r.renewal_date, r.status) for r in response.context["rows"]]


def test_not_ready_comes_first_then_the_soonest_renewal(viewer_client):
    group = make_group(name="Acme")
    mirror_renewal(group, renewal_date=JAN, status="ready")
    mirror_renewal(group, renewal_date=MAR, status="not_ready")
    mirror_renewal(group, renewal_date=FEB, status="not_ready")
    mirror_renewal(group, renewal_date=FEB, status="submitted")
    assert listed(viewer_client.get(URL)) == [
        ("Acme", FEB, "not_ready"),
        ("Acme", MAR, "not_ready"),
        ("Acme", JAN, "ready"),
        ("Acme", FEB, "submitted"),
    ]


def test_issues_and_expectations_read_as_lines_linked_to_their_carriers(viewer_client):
    cascade = make_carrier(name="Cascade Mutual")
    group = make_group(name="Blue Harbor Bakery")
    mirror_renewal(
        group,
        issues=[
            issue(cascade, "Carrier has not yet published renewal rates.", level="warning", line="dental"),
            issue(cascade),
        ],
        carriers=[(cascade, {"medical": [{"plan_id": "818e52d4-6c34-4914-b716-a3047c85e468"}], "dental": []})],
    )
    response = viewer_client.get(URL)
    html = " ".join(response.content.decode().split())
    [row] = response.context["rows"]
    assert [(i.level, i.message, i.carrier.name, i.line) for i in row.readable_issues] == [
        ("error", "No plans found at the carrier for the renewal date.", "Cascade Mutual", "Medical"),
        ("warning", "Carrier has not yet published renewal rates.", "Cascade Mutual", "Dental"),
    ]
    assert [(e.carrier.name, e.line_names) for e in row.readable_expectations] == [
        ("Cascade Mutual", "Medical, Dental")
    ]
    assert f'href="{reverse("connections:carrier_detail", args=[cascade.pk])}">Cascade Mutual</a>' in html
    assert f'href="{reverse("connections:group_detail", args=[group.pk])}">Blue Harbor Bakery</a>' in html
    assert "No plans found at the carrier for the renewal date." in html


def test_a_carrier_the_mirror_has_only_as_an_id_is_created_as_a_placeholder_and_flagged(viewer_client):
    group = make_group()
    unknown = Carrier(id="5e6f7a8b-0000-4000-8000-000000000002")
    mirror_renewal(group, issues=[issue(unknown)], carriers=[(unknown, {"medical": []})])
    assert Carrier.objects.get(pk=unknown.pk).is_placeholder  # ensured by the sync's mapping
    html = viewer_client.get(URL).content.decode()
    assert "Carrier 5e6f7a8b" in html and "reference data missing" in html


def test_it_filters_by_status_carrier_renewal_dates_and_group(viewer_client):
    cascade, bluepeak = make_carrier(name="Cascade"), make_carrier(name="Bluepeak")
    acme, beta = make_group(name="Acme Tools", dba_name="ACT"), make_group(name="Beta Foods")
    mirror_renewal(acme, renewal_date=JAN, status="ready", carriers=[(cascade, {"medical": []})])
    mirror_renewal(
        acme, renewal_date=FEB, status="not_ready", issues=[issue(bluepeak)], carriers=[(cascade, {"medical": []})]
    )
    mirror_renewal(beta, renewal_date=MAR, status="not_ready", carriers=[(bluepeak, {"dental": []})])
    assert {r[1] for r in listed(viewer_client.get(URL, {"status": "not_ready"}))} == {FEB, MAR}
    assert {r[1] for r in listed(viewer_client.get(URL, {"status": ["ready", "not_ready"]}))} == {JAN, FEB, MAR}
    assert {r[1] for r in listed(viewer_client.get(URL, {"carrier": cascade.pk}))} == {JAN, FEB}
    assert {r[1] for r in listed(viewer_client.get(URL, {"carrier": bluepeak.pk}))} == {
        FEB,
        MAR,
    }  # named by an issue, or expected
    assert {r[1] for r in listed(viewer_client.get(URL, {"renewal_from": "2027-02-01"}))} == {FEB, MAR}
    assert {
        r[1] for r in listed(viewer_client.get(URL, {"renewal_from": "2027-01-02", "renewal_to": "2027-02-01"}))
    } == {FEB}
    assert {r[0] for r in listed(viewer_client.get(URL, {"q": "beta"}))} == {"Beta Foods"}
    assert {r[0] for r in listed(viewer_client.get(URL, {"q": "act"}))} == {"Acme Tools"}  # the DBA name
    assert {r[0] for r in listed(viewer_client.get(URL, {"q": beta.pk.upper()}))} == {"Beta Foods"}


def test_it_sorts_by_renewal_date_group_status_and_back(viewer_client):
    a, b = make_group(name="A"), make_group(name="B")
    mirror_renewal(b, renewal_date=JAN, status="ready")
    mirror_renewal(a, renewal_date=MAR, status="not_ready")
    mirror_renewal(a, renewal_date=FEB, status="done")
    assert [r[1] for r in listed(viewer_client.get(URL, {"sort": "renewal_date"}))] == [JAN, FEB, MAR]
    assert [r[1] for r in listed(viewer_client.get(URL, {"sort": "-renewal_date"}))] == [MAR, FEB, JAN]
    assert [r[0] for r in listed(viewer_client.get(URL, {"sort": "-group"}))][0] == "B"
    assert [r[2] for r in listed(viewer_client.get(URL, {"sort": "status"}))] == ["done", "not_ready", "ready"]
    assert [r[2] for r in listed(viewer_client.get(URL, {"sort": "-attention"}))][-1] == "not_ready"


def test_renewals_removed_at_noyo_are_not_listed(viewer_client):
    from django.utils import timezone

    renewal = mirror_renewal(make_group())
    RenewalDecision.objects.filter(pk=renewal.pk).update(removed_upstream_at=timezone.now())
    assert listed(viewer_client.get(URL)) == []


def test_bad_values_are_explained_beside_the_fields_not_a_500(viewer_client):
    response = viewer_client.get(URL, {"status": "bogus", "renewal_to": "9999-12-31", "carrier": "nope"})
    assert response.status_code == 400
    errors = response.context["filter_form"].errors
    assert set(errors) == {"status", "renewal_to", "carrier"}
    assert "Enter a date from" in str(errors["renewal_to"])


def test_htmx_gets_only_the_results_and_the_page_is_in_the_navigation(viewer_client):
    mirror_renewal(make_group(name="Acme"))
    page = viewer_client.get(URL).content.decode()
    assert f'<a href="{URL}" class="active">Renewals</a>' in page and 'class="active">Connections</a>' not in page
    partial = viewer_client.get(URL, {"status": "not_ready"}, headers={"HX-Request": "true"}).content.decode()
    assert "Acme" in partial and "<html" not in partial


def test_the_dashboard_counts_renewals_not_ready_and_links_to_them(viewer_client):
    group = make_group()
    mirror_renewal(group, status="not_ready")
    mirror_renewal(group, status="not_ready", renewal_date=FEB)
    mirror_renewal(group, status="ready")
    response = viewer_client.get(reverse("dashboard"))
    assert response.context["renewals_not_ready"] == 2
    html = " ".join(response.content.decode().split())
    assert (
        f'href="{URL}?status=not_ready"> <div class="value">2</div><div class="label">Renewals not ready</div>' in html
    )


@pytest.mark.parametrize("renewals", [4, 150])
def test_counts_agree_and_queries_stay_bounded_with_many_rows(viewer_client, django_assert_max_num_queries, renewals):
    carriers = [make_carrier(name=f"Carrier {n}") for n in range(6)]
    for n in range(renewals):
        c = carriers[n % 6]
        mirror_renewal(
            make_group(name=f"Group {n:03d}"),
            renewal_date=JAN + dt.timedelta(days=n),
            status="not_ready" if n % 3 == 0 else "ready",
            issues=[issue(c), issue(carriers[(n + 1) % 6], level="warning")] if n % 3 == 0 else [],
            carriers=[(c, {"medical": [{"plan_id": "818e52d4-6c34-4914-b716-a3047c85e468"}], "dental": []})],
        )
    with django_assert_max_num_queries(25):
        response = viewer_client.get(URL, {"per_page": 100})
    not_ready = len(range(0, renewals, 3))
    assert response.context["paginator"].count == renewals
    assert [r.status for r in response.context["rows"][:not_ready]] == ["not_ready"] * min(not_ready, 100)
    with django_assert_max_num_queries(25):
        filtered = viewer_client.get(URL, {"status": "not_ready", "carrier": carriers[0].pk})
    assert filtered.context["paginator"].count == len([n for n in range(0, renewals, 3) if n % 6 in (0, 5)])
    with django_assert_max_num_queries(25):
        dashboard = viewer_client.get(reverse("dashboard"))
    assert dashboard.context["renewals_not_ready"] == not_ready


def test_a_sync_from_the_sandbox_fills_the_list_with_its_carriers(viewer_client, noyo_settings, sandbox):
    run = runs.start_sync("groups", SyncRun.Trigger.COMMAND, enqueue=False)
    runs.execute(run.pk)
    mirrored = RenewalDecision.objects.present()
    assert mirrored.exists() and all(r.carrier_ids for r in mirrored if r.expected_carriers)
    response = viewer_client.get(URL, {"per_page": 200})
    rows = response.context["rows"]
    assert len(rows) == mirrored.count()
    statuses = [r.status for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "not_ready")
    for row in rows:
        for e in row.readable_expectations:
            assert e.carrier is not None and e.carrier.carrier is not None  # every carrier named is a Carrier row
    carrier_id = next(r.carrier_id_list[0] for r in rows if r.carrier_id_list)
    with_carrier = viewer_client.get(URL, {"carrier": carrier_id, "per_page": 200}).context["rows"]
    assert with_carrier and all(carrier_id in r.carrier_ids for r in with_carrier)
