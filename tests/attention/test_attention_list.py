"""The attention queue: open items oldest first, filters, sorts, CSV, counts in the nav and on the dashboard,
bounded queries with many items."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.lists import COUNT_LIMIT
from command_center.models import AttentionItem, AuditEntry
from tests.attention.factories import make_item
from tests.factories import make_carrier, make_connection, make_group
from tests.members.factories import make_member_request

Kind = AttentionItem.Kind
pytestmark = pytest.mark.django_db
URL = reverse("attention_list")
EXPORT = reverse("attention_export")


def text(response):
    return " ".join(response.content.decode().split())


def listed(response):
    return [item.pk for item in response.context["rows"]]


def ago(**delta):
    return timezone.now() - dt.timedelta(**delta)


def test_the_queue_lists_open_items_oldest_first_each_linking_to_its_record(operator_client):
    newer = make_item(opened_at=ago(hours=1))
    older = make_item(opened_at=ago(days=3))
    make_item(closed_at=timezone.now())

    response = operator_client.get(URL)

    assert response.status_code == 200
    assert listed(response) == [older.pk, newer.pk]
    body = response.content.decode()
    assert reverse("attention_detail", args=[older.pk]) in body
    assert reverse("connections:connection_detail", args=[older.object_id]) in body
    assert "Open the connection" in body and older.summary in body


def test_a_viewer_sees_the_queue_too(viewer_client):
    item = make_item()
    response = viewer_client.get(URL)
    assert response.status_code == 200 and listed(response) == [item.pk]


def test_the_states_open_snoozed_closed_and_all(operator_client):
    today = timezone.localdate()
    awake = make_item()
    snoozed = make_item(snoozed_until=today + dt.timedelta(days=2))
    snooze_over = make_item(snoozed_until=today)
    closed = make_item(closed_at=timezone.now())

    assert set(listed(operator_client.get(URL))) == {awake.pk, snooze_over.pk}
    assert listed(operator_client.get(URL, {"state": "snoozed"})) == [snoozed.pk]
    assert listed(operator_client.get(URL, {"state": "closed"})) == [closed.pk]
    assert set(listed(operator_client.get(URL, {"state": "all"}))) == {awake.pk, snoozed.pk, snooze_over.pk, closed.pk}


def test_it_filters_by_kind_carrier_group_and_age(operator_client):
    carrier, group = make_carrier(name="Acme Dental"), make_group(name="Blue Bottle Coffee")
    connection = make_connection(carrier=carrier, group=group, status="unable_to_connect")
    mine = make_item(record=connection, opened_at=ago(days=10))
    request = make_member_request(status="failed")
    failed = make_item(Kind.MEMBER_REQUEST_FAILED, record=request, summary="New hire request failed")
    make_item(Kind.CONNECTION_STUCK, opened_at=ago(hours=2))

    assert listed(operator_client.get(URL, {"kind": Kind.MEMBER_REQUEST_FAILED})) == [failed.pk]
    both = operator_client.get(URL, {"kind": [Kind.MEMBER_REQUEST_FAILED, Kind.CONNECTION_NEEDS_ACTION]})
    assert set(listed(both)) >= {failed.pk, mine.pk}
    assert listed(operator_client.get(URL, {"carrier": carrier.pk})) == [mine.pk]
    assert listed(operator_client.get(URL, {"group": "blue bottle"})) == [mine.pk]
    assert listed(operator_client.get(URL, {"group": group.pk})) == [mine.pk]
    assert listed(operator_client.get(URL, {"age": "7"})) == [mine.pk]
    assert listed(operator_client.get(URL, {"q": "new hire"})) == [failed.pk]
    assert listed(operator_client.get(URL, {"q": request.pk.upper()})) == [failed.pk]


def test_it_filters_by_assignee_me_nobody_or_a_colleague(operator_client, operator, django_user_model):
    from django.contrib.auth.models import Group as Role

    colleague = django_user_model.objects.create_user("cora.colleague")
    colleague.groups.add(Role.objects.get(name="Operator"))
    mine = make_item(assigned_to=operator)
    theirs = make_item(assigned_to=colleague)
    nobodys = make_item()

    assert listed(operator_client.get(URL, {"assignee": "mine"})) == [mine.pk]
    assert listed(operator_client.get(URL, {"assignee": "unassigned"})) == [nobodys.pk]
    assert listed(operator_client.get(URL, {"assignee": str(colleague.pk)})) == [theirs.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"state": "forever"},
        {"kind": "bogus"},
        {"assignee": "999999"},
        {"age": "2"},
        {"carrier": "x"},
        {"group": "\x00"},
        {"assignee": "mine\x00"},
    ],
)
def test_a_bad_filter_answers_400_in_plain_words_never_500(operator_client, params):
    make_item()
    response = operator_client.get(URL, params)
    assert response.status_code == 400
    assert listed(response) == []
    assert "Fix the filter above" in text(response)


@pytest.mark.parametrize(
    "sort",
    ["opened", "first_detected", "detected", "closed", "kind", "summary", "carrier", "group", "assignee", "snoozed"],
)
def test_every_sort_key_sorts_both_ways(operator_client, sort):
    for hours in (1, 2, 3):
        make_item(opened_at=ago(hours=hours), last_detected_at=ago(minutes=hours))
    forward = listed(operator_client.get(URL, {"sort": sort}))
    backward = listed(operator_client.get(URL, {"sort": f"-{sort}"}))
    assert len(forward) == 3 and sorted(forward) == sorted(backward)
    if sort in ("opened", "detected"):
        assert forward == list(reversed(backward))


def test_newest_first_when_asked(operator_client):
    old, new = make_item(opened_at=ago(days=2)), make_item(opened_at=ago(hours=2))
    assert listed(operator_client.get(URL, {"sort": "-opened"})) == [new.pk, old.pk]


def test_htmx_gets_the_results_alone(operator_client):
    make_item()
    response = operator_client.get(URL, {"kind": Kind.CONNECTION_NEEDS_ACTION}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<table" in body and "<header" not in body and 'class="filters"' not in body
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


# --- CSV ------------------------------------------------------------------------------------------


def rows_of(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_the_export_is_the_filtered_list_and_is_audited(operator_client, operator):
    request = make_member_request(status="failed")
    failed = make_item(
        Kind.MEMBER_REQUEST_FAILED, record=request, summary="=New hire request failed", assigned_to=operator
    )
    make_item()

    response = operator_client.get(EXPORT, {"kind": Kind.MEMBER_REQUEST_FAILED})

    assert response.status_code == 200
    assert (
        "attention_" in response["Content-Disposition"]
        and "kind-member_request_failed" in response["Content-Disposition"]
    )
    (row,) = rows_of(response)
    assert row["Item id"] == str(failed.pk)
    assert row["Kind"] == "member_request_failed"
    assert row["What is wrong"] == "'=New hire request failed"  # a spreadsheet would read it as a formula
    assert (row["Record type"], row["Record id"]) == ("members.memberrequest", request.pk)
    assert row["Group id"] == request.group_id and row["Employee id"] == request.employee_id
    assert row["Assigned to"] == operator.username and row["Closed"] == ""
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.object_type == "attention" and entry.actor == operator


def test_the_export_follows_the_default_open_view_and_the_ticked_rows(operator_client):
    shown, other = make_item(), make_item()
    make_item(closed_at=timezone.now())
    assert {row["Item id"] for row in rows_of(operator_client.get(EXPORT))} == {str(shown.pk), str(other.pk)}
    assert [row["Item id"] for row in rows_of(operator_client.get(EXPORT, {"ids": [shown.pk]}))] == [str(shown.pk)]
    assert operator_client.get(EXPORT, {"state": "nope"}).status_code == 400


# --- Counts and bounds -----------------------------------------------------------------------------


def many_items(n, kinds=tuple(Kind.values)):
    """``n`` open items spread over every kind, all about real connections of a few groups and carriers."""
    carriers = [make_carrier() for _ in range(3)]
    groups = [make_group() for _ in range(3)]
    now = timezone.now()
    connections = [
        make_connection(carrier=carriers[i % 3], group=groups[i % 3], status="unable_to_connect")
        for i in range(min(n, 20))
    ]
    items = [
        AttentionItem(
            kind=kinds[i % len(kinds)],
            resource="connections.groupconnection",
            object_id=f"{connections[i % len(connections)].pk}-{i}",
            carrier=carriers[i % 3],
            group=groups[i % 3],
            summary=f"Problem {i}",
            first_detected_at=now,
            last_detected_at=now,
            opened_at=now - dt.timedelta(minutes=i),
        )
        for i in range(n)
    ]
    AttentionItem.objects.bulk_create(items)


@pytest.mark.parametrize("n", [3, 300])
def test_the_queue_stays_under_25_queries_whatever_the_number_of_items(
    operator_client, django_assert_max_num_queries, n
):
    many_items(n)
    with django_assert_max_num_queries(25):
        response = operator_client.get(URL, {"per_page": 200})
    assert response.status_code == 200 and len(listed(response)) == min(n, 200)
    with django_assert_max_num_queries(25):
        assert operator_client.get(URL, {"kind": Kind.TRACKING_DIFFERENCE, "sort": "-group"}).status_code == 200


@pytest.mark.parametrize("n", [4, 60])
def test_the_list_count_the_nav_count_and_the_dashboard_agree(operator_client, n):
    many_items(n)
    make_item(closed_at=timezone.now())
    make_item(snoozed_until=timezone.localdate() + dt.timedelta(days=1))

    queue = operator_client.get(URL)
    dashboard = operator_client.get(reverse("dashboard"))

    assert queue.context["paginator"].count == n
    assert f'<span class="nav-count" title="Open attention items">{n}</span>' in queue.content.decode()
    by_kind = {k["kind"]: k["count"] for k in dashboard.context["attention_by_kind"]}
    assert sum(by_kind.values()) == n
    for kind, count in by_kind.items():
        assert operator_client.get(URL, {"kind": kind}).context["paginator"].count == count


def test_the_nav_says_past_the_count_limit_rather_than_counting_everything(operator_client, settings):
    many_items(COUNT_LIMIT + 5)
    body = operator_client.get(reverse("dashboard")).content.decode()
    assert f'title="Open attention items">{COUNT_LIMIT:,}+</span>' in body


def test_the_nav_shows_no_count_when_nothing_is_open(operator_client):
    make_item(closed_at=timezone.now())
    assert "nav-count" not in operator_client.get(URL).content.decode()
