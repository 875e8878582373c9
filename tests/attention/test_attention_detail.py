"""One attention item: its page (what, where, history, notes) and what Operators do with it. Each action is
POST-only, audited, changes nothing when repeated, and a Viewer is refused in plain words."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group as Role
from django.urls import reverse
from django.utils import timezone

from command_center import attention
from command_center.models import AttentionEvent, AttentionItem, AuditEntry
from tests.attention.factories import make_item
from tests.factories import make_disconnection, make_group, make_renewal_decision
from tests.members.factories import make_difference, make_employee, make_fulfillment, make_snapshot

pytestmark = pytest.mark.django_db
Kind = AttentionItem.Kind


def text(response):
    return " ".join(response.content.decode().split())


def url(name, item):
    return reverse(name, args=[item.pk])


def tomorrow(days=1):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def colleague(django_user_model):
    user = django_user_model.objects.create_user("cora.colleague")
    user.groups.add(Role.objects.get(name="Operator"))
    return user


# --- The page -------------------------------------------------------------------------------------


def test_the_item_page_says_what_where_and_since_when_and_links_to_the_record(operator_client):
    item = make_item()
    AttentionEvent.objects.create(item=item, action="opened", text="First seen by the group connections sync (#7).")

    response = operator_client.get(url("attention_detail", item))

    assert response.status_code == 200
    body = text(response)
    assert item.summary in body and "Connection needs action" in body
    assert reverse("connections:connection_detail", args=[item.object_id]) in body
    assert "First seen by the group connections sync (#7)." in body
    assert "Still open: it closes by itself" in body
    assert "Acknowledge" in body and "Assign to me" in body and "Snooze" in body and "Add a note" in body


def test_a_viewer_sees_the_item_but_no_buttons(viewer_client):
    item = make_item()
    body = text(viewer_client.get(url("attention_detail", item)))
    assert item.summary in body
    assert "Assign to me" not in body and "Add a note" not in body
    assert "Operators can acknowledge, assign and snooze items." in body


def test_fulfillments_and_differences_link_to_their_snapshot_and_a_difference_without_one_to_its_employee(
    operator_client,
):
    snapshot = make_snapshot()
    fulfillment = make_item(Kind.FULFILLMENT_INVALID, record=make_fulfillment(snapshot, status="invalid"))
    difference = make_item(Kind.TRACKING_DIFFERENCE, record=make_difference(snapshot))
    employee = make_employee()
    orphan = make_difference(make_snapshot(employee))
    type(orphan).objects.filter(pk=orphan.pk).update(snapshot=None)
    loose = make_item(Kind.TRACKING_DIFFERENCE, record=orphan)

    snapshot_page = reverse("members:snapshot_detail", args=[snapshot.pk])
    assert snapshot_page in text(operator_client.get(url("attention_detail", fulfillment)))
    assert snapshot_page in text(operator_client.get(url("attention_detail", difference)))
    assert reverse("members:employee_detail", args=[employee.pk]) in text(
        operator_client.get(url("attention_detail", loose))
    )
    listing = text(operator_client.get(reverse("attention_list")))
    assert listing.count(snapshot_page) == 2


def test_disconnections_and_renewals_link_to_their_own_pages(operator_client):
    disconnection = make_disconnection(make_group(), status="needs_review")
    renewal = make_renewal_decision(make_group(), status="not_ready")
    review = make_item(Kind.DISCONNECTION_REVIEW, record=disconnection)
    not_ready = make_item(Kind.RENEWAL_NOT_READY, record=renewal)

    assert reverse("connections:disconnection_detail", args=[disconnection.pk]) in text(
        operator_client.get(url("attention_detail", review))
    )
    assert reverse("connections:renewal_detail", args=[renewal.pk]) in text(
        operator_client.get(url("attention_detail", not_ready))
    )


def test_an_unknown_item_is_404(operator_client):
    assert operator_client.get(reverse("attention_detail", args=[999999])).status_code == 404


def test_the_item_page_stays_bounded_with_a_long_history(operator_client, operator, django_assert_max_num_queries):
    item = make_item()
    AttentionEvent.objects.bulk_create(
        [AttentionEvent(item=item, action="assigned", actor=operator, text=f"#{i}") for i in range(300)]
    )
    with django_assert_max_num_queries(25):
        assert operator_client.get(url("attention_detail", item)).status_code == 200


# --- Acknowledge ----------------------------------------------------------------------------------


def test_acknowledging_records_who_and_when_once_however_often_it_is_sent(operator_client, operator):
    item = make_item()

    for _ in range(3):
        response = operator_client.post(url("attention_acknowledge", item), HTTP_HX_REQUEST="true")
        assert response.status_code == 200

    item.refresh_from_db()
    assert item.acknowledged_by == operator and item.acknowledged_at is not None
    assert item.events.filter(action="acknowledged").count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACKNOWLEDGE, object_id=str(item.pk)).count() == 1
    assert f"Already acknowledged by {operator.username}" in text(response)


def test_a_plain_post_goes_back_to_the_item_with_the_outcome(operator_client):
    item = make_item()
    response = operator_client.post(url("attention_acknowledge", item), follow=True)
    assert response.redirect_chain[-1][0] == url("attention_detail", item)
    assert "Acknowledged: your teammates can see you have seen it." in text(response)


def test_an_action_asked_with_get_changes_nothing_and_goes_to_the_item(operator_client):
    item = make_item()
    for name in ("attention_acknowledge", "attention_assign", "attention_snooze"):
        response = operator_client.get(url(name, item))
        assert response.status_code == 302 and response["Location"] == url("attention_detail", item)
    item.refresh_from_db()
    assert item.acknowledged_at is None and not item.events.exists()


@pytest.mark.parametrize(
    "name,data",
    [
        ("attention_acknowledge", {}),
        ("attention_assign", {"assignee": ""}),
        ("attention_snooze", {"until": ""}),
    ],
)
def test_a_viewer_is_refused_every_action_in_plain_words(viewer_client, viewer, name, data):
    item = make_item(snoozed_until=tomorrow())
    response = viewer_client.post(url(name, item), data)
    assert response.status_code == 403
    assert "Only Operators can acknowledge, assign or snooze attention items." in text(response)
    item.refresh_from_db()
    assert item.acknowledged_at is None and item.snoozed_until == tomorrow()
    # Nothing was done: the only entry is the refusal itself.
    assert not AuditEntry.objects.exclude(action=AuditEntry.Action.REFUSED).exists()
    assert AuditEntry.objects.get().details["route"] == name


def test_a_closed_item_is_not_acknowledged_assigned_or_snoozed(operator_client, operator):
    item = make_item(closed_at=timezone.now())
    for name, data in (
        ("attention_acknowledge", {}),
        ("attention_assign", {"assignee": operator.pk}),
        ("attention_snooze", {"until": tomorrow().isoformat()}),
    ):
        response = operator_client.post(url(name, item), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "This item closed by itself" in text(response)
    item.refresh_from_db()
    assert (item.acknowledged_at, item.assigned_to, item.snoozed_until) == (None, None, None)
    assert not AuditEntry.objects.exists()


# --- Assign ----------------------------------------------------------------------------------------


def test_assigning_to_myself_then_a_colleague_then_nobody_each_changes_once(operator_client, operator, colleague):
    item = make_item()
    assign = lambda who: operator_client.post(url("attention_assign", item), {"assignee": who}, HTTP_HX_REQUEST="true")  # noqa: E731

    assert "Assigned to you." in text(assign(operator.pk))
    assert "Already assigned to you." in text(assign(operator.pk))
    assign(colleague.pk)
    assign(colleague.pk)
    assert "Nobody has it now." in text(assign(""))
    assert "It is not assigned to anyone already." in text(assign(""))

    item.refresh_from_db()
    assert item.assigned_to is None
    assert list(item.events.values_list("text", flat=True)) == [
        "Assigned to otto.operator.",
        "Assigned to cora.colleague.",
        "Unassigned.",
    ]
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGN).order_by("pk")
    assert [entry.details["assigned_to"] for entry in audit] == ["otto.operator", "cora.colleague", ""]


@pytest.mark.parametrize(
    "who,says",
    [
        ("999999", "Choose one of the Operators listed."),
        ("not-a-user", "Choose one of the Operators listed."),
        ("viewer", "Choose one of the Operators listed."),
        ("\x00", "Null characters are not allowed."),
    ],
)
def test_assigning_to_someone_who_cannot_take_it_answers_422_in_plain_words(operator_client, viewer, who, says):
    item = make_item()
    response = operator_client.post(
        url("attention_assign", item), {"assignee": viewer.pk if who == "viewer" else who}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert says in text(response)
    item.refresh_from_db()
    assert item.assigned_to is None


# --- Snooze ----------------------------------------------------------------------------------------


def test_a_snoozed_item_leaves_the_open_queue_until_its_day_and_waking_it_brings_it_back(operator_client, operator):
    item = make_item()
    queue = reverse("attention_list")

    for _ in range(2):
        response = operator_client.post(
            url("attention_snooze", item), {"until": tomorrow(3).isoformat()}, HTTP_HX_REQUEST="true"
        )
    assert "Already snoozed until" in text(response)
    item.refresh_from_db()
    assert item.snoozed_until == tomorrow(3)
    assert item.pk not in [i.pk for i in operator_client.get(queue).context["rows"]]
    assert item.pk in [i.pk for i in operator_client.get(queue, {"state": "snoozed"}).context["rows"]]
    assert item.events.filter(action="snoozed").count() == 1
    assert AuditEntry.objects.get(action=AuditEntry.Action.SNOOZE).details["snoozed_until"] == tomorrow(3).isoformat()
    # On its day it is back, by itself.
    assert item.pk in AttentionItem.objects.awake(today=tomorrow(3)).values_list("pk", flat=True)

    response = operator_client.post(url("attention_snooze", item), {"until": ""}, HTTP_HX_REQUEST="true")

    assert "Back in the open queue." in text(response)
    item.refresh_from_db()
    assert item.snoozed_until is None
    assert item.pk in [i.pk for i in operator_client.get(queue).context["rows"]]
    assert list(item.events.values_list("action", flat=True)) == ["snoozed", "woken"]


@pytest.mark.parametrize(
    "until,says",
    [
        ("today", "Pick a day after today"),
        ("far", "Snooze for at most 365 days."),
        ("9999-12-31", "Enter a date from"),
        ("31/02/2026", "Enter a valid date."),
    ],
)
def test_a_snooze_date_that_cannot_be_used_answers_422_in_plain_words(operator_client, until, says):
    item = make_item()
    value = {"today": timezone.localdate().isoformat(), "far": tomorrow(400).isoformat()}.get(until, until)
    response = operator_client.post(url("attention_snooze", item), {"until": value}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert says in text(response)
    item.refresh_from_db()
    assert item.snoozed_until is None


def test_the_verbs_change_nothing_when_repeated_directly(operator, colleague):
    item = make_item()
    assert attention.acknowledge(item, operator).changed and not attention.acknowledge(item, colleague).changed
    assert (
        attention.assign(item, operator, colleague).changed and not attention.assign(item, colleague, colleague).changed
    )
    assert (
        attention.snooze(item, operator, tomorrow()).changed
        and not attention.snooze(item, operator, tomorrow()).changed
    )
    assert item.events.count() == 3 and AuditEntry.objects.count() == 3
