"""API acknowledge, assign and snooze of an attention item: the item page's forms and functions,
the button's permission (command_center.work_attentionitem) and audit entries, repeats changing nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AttentionItem, AuditEntry
from tests.attention.factories import make_item


def post(client, item, action, body=None):
    return client.post(reverse(f"api:attention-{action}", args=[item.pk]), body or {}, content_type="application/json")


def audit_shape(entry):
    """What an entry says, but for which record it is about."""
    details = {key: value for key, value in entry.details.items() if key != "record_id"}
    return entry.action, entry.outcome, entry.actor_id, entry.object_type, entry.summary, details


def test_acknowledging_says_so_and_a_repeat_changes_nothing(operator_client, operator, db):
    item = make_item()
    first = post(operator_client, item, "acknowledge")
    assert first.status_code == 200
    assert first.json()["detail"] == "Acknowledged: your teammates can see you have seen it."
    assert first.json()["changed"] is True and first.json()["item"]["acknowledged_by"] == "otto.operator"
    again = post(operator_client, item, "acknowledge")
    assert again.json()["changed"] is False and again.json()["detail"].startswith(
        "Already acknowledged by otto.operator"
    )
    assert AuditEntry.objects.filter(action="acknowledge").count() == 1


def test_the_audit_entries_are_the_ones_the_item_pages_buttons_write(operator_client, operator, db):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for action, body in (
        ("acknowledge", {}),
        ("assign", {"assignee": operator.pk}),
        ("snooze", {"until": tomorrow.isoformat()}),
    ):
        by_api, by_button = make_item(summary="Same words"), make_item(summary="Same words")
        post(operator_client, by_api, action, body)
        operator_client.post(reverse(f"attention_{action}", args=[by_button.pk]), body)
        api_entry, button_entry = (
            AuditEntry.objects.get(action=action, object_id=str(item.pk)) for item in (by_api, by_button)
        )
        assert audit_shape(api_entry) == audit_shape(button_entry), action


def test_assigning_to_an_operator_and_to_nobody(operator_client, operator, db):
    item = make_item()
    response = post(operator_client, item, "assign", {"assignee": operator.pk})
    assert response.status_code == 200 and response.json()["detail"] == "Assigned to you."
    assert response.json()["item"]["assigned_to"] == "otto.operator"
    response = post(operator_client, item, "assign", {"assignee": None})
    assert response.json()["detail"] == "Nobody has it now." and response.json()["item"]["assigned_to"] == ""


def test_assigning_to_someone_who_may_not_work_items_is_refused_by_field(operator_client, viewer, db):
    item = make_item()
    response = post(operator_client, item, "assign", {"assignee": viewer.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"assignee": ["Choose one of the Operators listed."]}
    assert AttentionItem.objects.get(pk=item.pk).assigned_to is None


def test_snoozing_until_a_day_and_back(operator_client, db):
    item = make_item()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post(operator_client, item, "snooze", {"until": tomorrow.isoformat()})
    assert response.status_code == 200 and response.json()["item"]["state"] == "snoozed"
    assert response.json()["item"]["snoozed_until"] == tomorrow.isoformat()
    woken = post(operator_client, item, "snooze", {"until": None})
    assert woken.json()["detail"] == "Back in the open queue." and woken.json()["item"]["state"] == "open"


@pytest.mark.parametrize("until", ["today", "far", "not a date", 5, ["2031-01-01"], {"day": 1}])
def test_a_snooze_day_the_form_refuses_comes_back_by_field(operator_client, db, until):
    today = timezone.localdate()
    value = (
        {"today": today.isoformat(), "far": (today + dt.timedelta(days=400)).isoformat()}.get(until, until)
        if isinstance(until, str)
        else until
    )
    response = post(operator_client, make_item(), "snooze", {"until": value})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["until"]


def test_an_unknown_item_is_404(operator_client, db):
    response = operator_client.post(
        reverse("api:attention-acknowledge", args=[999999]), {}, content_type="application/json"
    )
    assert (
        response.status_code == 404
        and response.json()["detail"] == "No attention item with this id in the mirror. Nothing was done."
    )


@pytest.mark.parametrize("action", ["acknowledge", "assign", "snooze"])
def test_a_viewer_gets_403_in_plain_words_and_the_item_is_unchanged(viewer_client, action, db):
    item = make_item()
    response = post(viewer_client, item, action, {"until": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only Operators can acknowledge, assign or snooze attention items.")
    item.refresh_from_db()
    assert (item.acknowledged_at, item.assigned_to, item.snoozed_until) == (None, None, None)
    # Nothing was done: the only entry is the refusal itself.
    assert not AuditEntry.objects.exclude(action=AuditEntry.Action.REFUSED).exists()
    assert AuditEntry.objects.get().details["route"] == f"api:attention-{action}"
