"""The disconnection requests across every group: waiting for review first, filters, search, sort,
htmx, the CSV of what is on screen, the dashboard's count, and bounded queries with many rows."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry
from tests.factories import make_carrier, make_connection, make_disconnection, make_group

URL = reverse("connections:disconnection_list")
EXPORT = reverse("connections:disconnection_export")


def disconnection(name="Blue Harbor Bakery", *, carrier=None, days_old=3, **fields):
    group = fields.pop("group", None) or make_group(name=name)
    created = timezone.now() - dt.timedelta(days=days_old)
    fields = {
        "group_name": name,
        "carrier": carrier or make_carrier(),
        "created": created,
        "modified": created,
        **fields,
    }
    return make_disconnection(group, **fields)


def names(response):
    return [d.group_name for d in response.context["rows"]]


def read(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def text(response):
    return " ".join(response.content.decode().split())


def test_it_shows_every_column_of_a_request(viewer_client):
    carrier = make_carrier(name="Northwind Health")
    disconnection(
        "Blue Harbor Bakery",
        carrier=carrier,
        status="needs_review",
        reason="payment_lapse",
        source_type="carrier",
        effective_end_date=dt.date(2027, 3, 31),
        days_old=9,
    )
    page = text(viewer_client.get(URL))
    for words in [
        "Blue Harbor Bakery",
        "Northwind Health",
        "Needs review",
        "Payment lapse",
        "Carrier",
        "Mar 31, 2027",
        "1 week, 2 days",
    ]:
        assert words in page


def test_those_waiting_for_review_come_first_then_the_newest(viewer_client):
    disconnection("Done long ago", status="completed", days_old=40)
    disconnection("Waiting a while", status="needs_review", days_old=20)
    disconnection("Rejected yesterday", status="rejected", days_old=1)
    disconnection("Waiting since today", status="needs_review", days_old=0)
    assert names(viewer_client.get(URL)) == [
        "Waiting since today",
        "Waiting a while",
        "Rejected yesterday",
        "Done long ago",
    ]


def test_it_filters_by_status_carrier_reason_and_who_started_it(viewer_client):
    carrier = make_carrier()
    disconnection("Mine", carrier=carrier, status="needs_review", reason="terminated", source_type="carrier")
    disconnection("Other carrier", status="needs_review", reason="terminated", source_type="carrier")
    disconnection("Other reason", carrier=carrier, status="needs_review", reason="other", source_type="carrier")
    disconnection("Other source", carrier=carrier, status="needs_review", reason="terminated", source_type="platform")
    disconnection("Other status", carrier=carrier, status="completed", reason="terminated", source_type="carrier")
    response = viewer_client.get(
        URL, {"status": "needs_review", "carrier": carrier.pk, "reason": "terminated", "source_type": "carrier"}
    )
    assert names(response) == ["Mine"]
    assert sorted(
        names(
            viewer_client.get(
                URL, {"status": ["completed", "needs_review"], "carrier": carrier.pk, "reason": "terminated"}
            )
        )
    ) == ["Mine", "Other source", "Other status"]


@pytest.mark.parametrize("query", ["harbor", "HARBOR bak"])
def test_search_finds_a_group_by_name(viewer_client, query):
    disconnection("Blue Harbor Bakery")
    disconnection("Granite Logistics")
    assert names(viewer_client.get(URL, {"q": query})) == ["Blue Harbor Bakery"]


def test_search_by_an_id_finds_the_request_or_its_group(viewer_client):
    wanted = disconnection("Wanted")
    disconnection("Other")
    assert names(viewer_client.get(URL, {"q": wanted.pk.upper()})) == ["Wanted"]
    assert names(viewer_client.get(URL, {"q": wanted.group_id})) == ["Wanted"]


@pytest.mark.parametrize(
    "sort,expected",
    [
        ("group", ["Alpha", "Bravo", "Charlie"]),
        ("-group", ["Charlie", "Bravo", "Alpha"]),
        ("ends", ["Bravo", "Charlie", "Alpha"]),
        ("created", ["Charlie", "Alpha", "Bravo"]),
        ("status", ["Alpha", "Charlie", "Bravo"]),
    ],
)
def test_it_sorts_by_any_column(viewer_client, sort, expected):
    disconnection("Alpha", status="completed", effective_end_date=dt.date(2027, 6, 30), days_old=5)
    disconnection("Bravo", status="rejected", effective_end_date=dt.date(2027, 1, 31), days_old=1)
    disconnection("Charlie", status="needs_review", effective_end_date=dt.date(2027, 2, 28), days_old=9)
    assert names(viewer_client.get(URL, {"sort": sort})) == expected


def test_a_bad_filter_is_refused_in_plain_words_not_a_500(viewer_client):
    response = viewer_client.get(URL, {"status": "stuck", "carrier": "nobody"})
    assert response.status_code == 400
    assert "Select a valid choice" in text(response) and response.context["rows"].count() == 0


def test_an_htmx_request_gets_the_results_alone_with_shareable_links(viewer_client):
    disconnection("Blue Harbor Bakery", status="needs_review")
    response = viewer_client.get(URL, {"status": "needs_review"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Blue Harbor Bakery" in html
    assert 'hx-push-url="true"' in html and "status=needs_review" in html
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_the_review_link_shows_only_to_operators(viewer_client, operator_client):
    waiting = disconnection("Waiting", status="needs_review")
    review = (
        f'<a class="row-action" href="{reverse("connections:disconnection_detail", args=[waiting.pk])}">Review…</a>'
    )
    assert review in operator_client.get(URL).content.decode()
    assert review not in viewer_client.get(URL).content.decode()


# --- CSV ---------------------------------------------------------------------------------------------


def test_the_csv_is_the_filtered_list_in_the_order_on_screen_audited(viewer_client, viewer):
    carrier = make_carrier(name="Northwind Health")
    disconnection(
        "Zoë's Bakery",
        carrier=carrier,
        status="needs_review",
        reason="lost_access",
        effective_end_date=dt.date(2027, 3, 31),
    )
    disconnection("Alpha Co", carrier=carrier, status="needs_review")
    disconnection("Done", status="completed")
    response = viewer_client.get(EXPORT, {"status": "needs_review", "sort": "group"})
    rows = read(response)
    assert [row["Group name"] for row in rows] == ["Alpha Co", "Zoë's Bakery"]
    assert (rows[1]["Carrier"], rows[1]["Status"], rows[1]["Reason"], rows[1]["Effective end date"]) == (
        "Northwind Health",
        "needs_review",
        "lost_access",
        "2027-03-31",
    )
    assert response["Content-Disposition"].startswith('attachment; filename="disconnections_')
    assert AuditEntry.objects.get(action="export").actor == viewer


def test_the_csv_exports_only_the_ticked_rows(viewer_client):
    a, _b = disconnection("A"), disconnection("B")
    assert [row["Request id"] for row in read(viewer_client.get(EXPORT, {"ids": [a.pk]}))] == [a.pk]


def test_a_bad_filter_exports_nothing_and_says_why(viewer_client):
    response = viewer_client.get(EXPORT, {"status": "stuck"})
    assert response.status_code == 400 and "This export was not made" in response.content.decode()


# --- Counts, few and many rows ----------------------------------------------------------------------


@pytest.mark.parametrize("waiting,others", [(2, 1), (60, 45)])
def test_the_page_the_csv_and_the_dashboard_agree_on_how_many_wait_for_review(
    viewer_client, waiting, others, django_assert_max_num_queries
):
    carrier, group = make_carrier(), make_group()
    for n in range(waiting):
        disconnection(f"Waiting {n}", group=group, carrier=carrier, status="needs_review", days_old=n % 30)
    for n in range(others):
        disconnection(f"Other {n}", group=group, carrier=carrier, status=("processing", "completed", "rejected")[n % 3])
    with django_assert_max_num_queries(25):
        page = viewer_client.get(URL, {"status": "needs_review"})
    assert page.context["paginator"].count == waiting
    with django_assert_max_num_queries(25):
        everything = viewer_client.get(URL)
    assert everything.context["paginator"].count == waiting + others
    assert {d.status for d in everything.context["rows"][: min(waiting, 50)]} == {"needs_review"}
    with django_assert_max_num_queries(8):
        assert len(read(viewer_client.get(EXPORT, {"status": "needs_review"}))) == waiting
    dashboard = viewer_client.get(reverse("dashboard"))
    assert dashboard.context["disconnections_waiting"] == waiting
    assert f"{URL}?status=needs_review" in dashboard.content.decode()


def test_the_dashboard_does_not_count_requests_removed_at_noyo(viewer_client):
    disconnection("Gone", status="needs_review", removed_upstream_at=timezone.now())
    disconnection("Here", status="needs_review")
    assert viewer_client.get(reverse("dashboard")).context["disconnections_waiting"] == 1
    assert names(viewer_client.get(URL)) == ["Here"]


def test_the_navigation_has_disconnections_and_marks_it_active(viewer_client, db):
    html = viewer_client.get(URL).content.decode()
    assert f'<a href="{URL}" class="active">Disconnections</a>' in html
    assert '">Connections</a>' in html and 'class="active">Connections' not in html


def test_its_connection_rows_and_groups_link_back(viewer_client):
    group = make_group(name="Linked Inc")
    carrier = make_carrier()
    make_connection(group=group, carrier=carrier)
    d = disconnection("Linked Inc", group=group, carrier=carrier)
    html = viewer_client.get(reverse("connections:group_detail", args=[group.pk])).content.decode()
    assert reverse("connections:disconnection_detail", args=[d.pk]) in html
