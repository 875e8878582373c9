"""The audit log: every retry, sync and export, filterable by action, outcome, who and date; read-only."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry

URL = reverse("audit_list")


def entry(actor, action="retry", outcome="succeeded", days_ago=0, **fields):
    e = AuditEntry.objects.create(
        actor=actor, action=action, outcome=outcome, summary=fields.pop("summary", f"{action} {outcome}"), **fields
    )
    AuditEntry.objects.filter(pk=e.pk).update(created=timezone.now() - dt.timedelta(days=days_ago))
    return e


def summaries(response):
    return [e.summary for e in response.context["rows"]]


def test_it_lists_entries_newest_first_with_their_details(viewer_client, operator):
    entry(
        operator,
        summary="Retried connection of Blue Harbor",
        object_type="groupconnection",
        object_id="c1",
        days_ago=1,
        details={
            "old_carrier_group_id": "AB1",
            "new_carrier_group_id": "AB2",
            "note": "new number from carrier",
            "message": "Noyo accepted the retry.",
        },
    )
    entry(
        operator,
        action="export",
        summary="Exported connections as connections_2026.csv",
        details={"filename": "connections_2026.csv"},
    )
    response = viewer_client.get(URL)
    assert summaries(response) == ["Exported connections as connections_2026.csv", "Retried connection of Blue Harbor"]
    html = response.content.decode()
    for text in [
        "otto.operator",
        "AB1",
        "AB2",
        "new number from carrier",
        "Noyo accepted the retry.",
        reverse("connections:connection_detail", args=["c1"]),
    ]:
        assert text in html


def test_each_entry_links_to_the_record_it_is_about(viewer_client, operator):
    pages = {
        ("confirm", "groupdisconnectionrequest", "d1"): reverse("connections:disconnection_detail", args=["d1"]),
        ("renew", "renewaldecision", "r1"): reverse("connections:renewal_detail", args=["r1"]),
        ("note", "employee", "e1"): reverse("members:employee_detail", args=["e1"]),
        ("note", "group", "g1"): reverse("connections:group_detail", args=["g1"]),
        ("acknowledge", "attentionitem", "7"): reverse("attention_detail", args=[7]),
        ("sync", "syncrun", "3"): reverse("sync_detail", args=[3]),
    }
    for action, object_type, object_id in pages:
        entry(operator, action=action, object_type=object_type, object_id=object_id)
    entry(operator, action="acknowledge", object_type="attentionitem", object_id="not-a-number", summary="An odd id")
    html = viewer_client.get(URL).content.decode()
    for url in pages.values():
        assert f'href="{url}"' in html
    assert "An odd id" in html


def test_it_filters_by_action_outcome_who_and_date_range(viewer_client, operator, viewer):
    entry(operator, summary="old retry", days_ago=10)
    entry(operator, summary="failed retry", outcome="failed", days_ago=1)
    entry(viewer, action="export", summary="viewer export", days_ago=1)
    entry(operator, action="sync", summary="sync today")
    assert summaries(viewer_client.get(URL, {"action": "retry", "outcome": "failed"})) == ["failed retry"]
    assert summaries(viewer_client.get(URL, {"actor": viewer.pk})) == ["viewer export"]
    since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    until = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert sorted(summaries(viewer_client.get(URL, {"since": since, "until": until}))) == [
        "failed retry",
        "viewer export",
    ]


@pytest.mark.parametrize(
    "query,field",
    [
        ({"since": "2026-13-45"}, "since"),
        ({"action": "delete"}, "action"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until"),
        ({"actor": "x"}, "actor"),
        ({"until": "9999-12-31"}, "until"),
        ({"since": "0001-01-01"}, "since"),
    ],
)
def test_a_malformed_filter_is_explained_beside_the_field(viewer_client, query, field):
    response = viewer_client.get(URL, query)
    assert response.status_code == 400
    assert response.context["filter_form"].errors[field]


def test_a_date_no_range_can_end_on_is_explained_in_plain_words(viewer_client):
    response = viewer_client.get(URL, {"until": "9999-12-31"})
    assert response.status_code == 400
    assert response.context["filter_form"].errors["until"] == ["Enter a date from 1 January 1900 to 31 December 9998."]
    assert "Enter a date from 1 January 1900 to 31 December 9998." in response.content.decode()


def test_entries_cannot_be_changed_from_the_page(operator_client, operator):
    e = entry(operator)
    operator_client.post(URL, {"summary": "edited"})
    e.refresh_from_db()
    assert e.summary == "retry succeeded"
    body = operator_client.get(URL).content.decode().split('class="site-header"')[1].split("</header>")[1]
    # The only forms that post are those of the person's saved views of the list, never of an entry.
    actions = re.findall(r'<form method="post" action="([^"]*)"', body)
    assert all(action.startswith("/views/") for action in actions), actions


@pytest.mark.parametrize("rows", [5, 200])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    viewer_client, operator, django_assert_max_num_queries, rows
):
    # One more than before saved views: the person's saved views of the list, shown above its filters.
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor=operator, action="export", outcome="succeeded", summary=f"e{n}") for n in range(rows)]
    )
    with django_assert_max_num_queries(11):  # + the nav's open attention items
        response = viewer_client.get(URL, {"per_page": 100})
    assert len(response.context["rows"]) == min(rows, 100)
