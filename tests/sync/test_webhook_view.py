"""POST /webhooks/noyo: signed events only, each re-fetching the record it names."""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from command_center.models import StatusChange
from connections.models import GroupConnection

SECRET = "whsec-test"
URL = "/webhooks/noyo"


def signed(body: dict, secret=SECRET, timestamp=None):
    raw = json.dumps(body).encode()
    stamp = timestamp or dt.datetime.now(dt.UTC).isoformat()
    return raw, {
        "HTTP_X_NOYO_SIGNATURE": hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest(),
        "HTTP_X_NOYO_TIMESTAMP": stamp,
    }


def event(object_id, kind="group_connection_request.status_change"):
    return {"data": {"id": object_id}, "event": {"id": "e1", "type": kind, "created": 1}}


@pytest.fixture
def secret(settings):
    settings.NOYO_WEBHOOK_SECRET = SECRET


def test_the_url_is_public_and_named(client):
    assert reverse("noyo_webhook") == URL


def test_it_answers_503_while_no_secret_is_configured(client, settings, db):
    settings.NOYO_WEBHOOK_SECRET = ""
    raw, headers = signed(event("5d1e7c4a-9a0b-4d1e-8c3f-0a1b2c3d4e5f"))
    assert client.post(URL, raw, content_type="application/json", **headers).status_code == 503


def test_a_bad_signature_is_refused(client, secret, db, django_capture_on_commit_callbacks):
    raw, headers = signed(event("5d1e7c4a-9a0b-4d1e-8c3f-0a1b2c3d4e5f"), secret="not-the-secret")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(URL, raw, content_type="application/json", **headers)
    assert response.status_code == 401
    assert callbacks == []


def test_a_missing_signature_is_refused(client, secret, db):
    raw, headers = signed(event("5d1e7c4a-9a0b-4d1e-8c3f-0a1b2c3d4e5f"))
    del headers["HTTP_X_NOYO_SIGNATURE"]
    assert client.post(URL, raw, content_type="application/json", **headers).status_code == 401


@pytest.mark.parametrize("stamp", ["2020-01-01T00:00:00+00:00", "yesterday", ""])
def test_an_old_or_unreadable_timestamp_is_refused(client, secret, db, stamp):
    raw, headers = signed(event("5d1e7c4a-9a0b-4d1e-8c3f-0a1b2c3d4e5f"), timestamp=stamp or " ")
    assert client.post(URL, raw, content_type="application/json", **headers).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"data": {}},
        {"data": {"id": "x"}, "event": {"type": "group.created"}},
        {"data": {"id": "5d1e7c4a-9a0b-4d1e-8c3f-0a1b2c3d4e5f"}, "event": {"type": "weather.changed"}},
    ],
)
def test_a_body_that_names_nothing_usable_is_a_400(client, secret, db, body):
    raw, headers = signed(body)
    assert client.post(URL, raw, content_type="application/json", **headers).status_code == 400


def test_a_get_is_not_allowed(client, db):
    assert client.get(URL).status_code == 405


def test_a_good_webhook_re_fetches_the_connection_and_records_its_new_status(
    client, secret, sync_now, sandbox, sandbox_api, django_capture_on_commit_callbacks
):
    sync_now("group_connections")
    connection_id = sandbox.examples()["retryable_connection_ids"][0]
    before = GroupConnection.objects.get(pk=connection_id)
    assert sandbox_api.put(f"/group_connections/{connection_id}/retry", json={}).status_code == 201

    raw, headers = signed(event(connection_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, raw, content_type="application/json", **headers)

    assert response.status_code == 200
    assert response.json() == {"queued": "group_connection", "id": connection_id}
    after = GroupConnection.objects.get(pk=connection_id)
    assert after.status == "processing" != before.status
    assert after.version != before.version
    change = StatusChange.objects.for_object(after).last()
    assert (change.old_status, change.new_status) == (before.status, "processing")


def test_a_snapshot_event_re_fetches_the_snapshot_and_its_fulfillment_summaries(
    client, secret, noyo_settings, sandbox, db, django_capture_on_commit_callbacks
):
    from members.models import FulfillmentSummary, MemberSnapshot

    snapshot_id = next(iter(sandbox.examples()["member_snapshots_by_status"].values()))[0]
    raw, headers = signed(event(snapshot_id, "member_snapshot.status_change"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, raw, content_type="application/json", **headers).status_code == 200

    snapshot = MemberSnapshot.objects.get(pk=snapshot_id)
    assert FulfillmentSummary.objects.filter(snapshot=snapshot).exists()


def test_a_difference_event_re_fetches_the_difference(
    client, secret, noyo_settings, sandbox, db, django_capture_on_commit_callbacks
):
    from members.models import TrackingDifference

    difference_id = sandbox.data.difference(0, sandbox.now())["id"]
    raw, headers = signed(event(difference_id, "difference.resolved"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, raw, content_type="application/json", **headers).status_code == 200

    assert TrackingDifference.objects.filter(pk=difference_id).exists()


CONNECTION = "5d1e7c4a-9a0b-4d1e-8c3f-0a1b2c3d4e5f"


def post_at(client, raw, headers, when, callbacks):
    """Deliver at ``when`` (the receiver's clock), stamped with that moment as Noyo stamps it."""
    import time_machine

    with time_machine.travel(when, tick=False), callbacks() as queued:
        headers = {**headers, "HTTP_X_NOYO_TIMESTAMP": when.isoformat()}
        response = client.post(URL, raw, content_type="application/json", **headers)
    return response, queued


def test_a_captured_delivery_sent_again_later_with_a_fresh_timestamp_is_refused(
    client, secret, db, django_capture_on_commit_callbacks
):
    # Noyo signs the body only, so a copied delivery re-stamped with the time of the replay still
    # verifies: what stops it is that this body was already received.
    raw, headers = signed(event(CONNECTION))
    first = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)
    response, queued = post_at(client, raw, headers, first, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and len(queued) == 1

    for later in (dt.timedelta(seconds=1), dt.timedelta(minutes=4), dt.timedelta(hours=2)):
        response, queued = post_at(client, raw, headers, first + later, django_capture_on_commit_callbacks)
        assert response.status_code == 409, later
        assert response.json()["detail"] == (
            "This delivery was already received at 2030-05-06T09:00:00+00:00; a delivery is accepted once."
        )
        assert queued == []


def test_two_different_events_about_one_record_are_both_accepted(
    client, secret, db, django_capture_on_commit_callbacks
):
    when = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)
    for event_id in ("e1", "e2"):
        body = {"data": {"id": CONNECTION}, "event": {"id": event_id, "type": "group_connection_request.status_change"}}
        raw, headers = signed(body)
        response, queued = post_at(client, raw, headers, when, django_capture_on_commit_callbacks)
        assert response.status_code == 200 and len(queued) == 1


def test_a_refused_delivery_is_not_remembered(client, secret, db, django_capture_on_commit_callbacks):
    # A delivery refused for its stale timestamp is taken when Noyo sends it again with a fresh one.
    raw, headers = signed(event(CONNECTION))
    when = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)
    stale = {**headers, "HTTP_X_NOYO_TIMESTAMP": (when - dt.timedelta(hours=1)).isoformat()}
    import time_machine

    with time_machine.travel(when, tick=False):
        assert client.post(URL, raw, content_type="application/json", **stale).status_code == 401
    response, queued = post_at(client, raw, headers, when, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and len(queued) == 1


def test_receipts_older_than_the_retention_are_deleted_as_new_deliveries_arrive(
    client, secret, settings, db, django_capture_on_commit_callbacks
):
    from command_center.models import WebhookReceipt

    settings.NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS = 24
    first = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.UTC)
    raw, headers = signed(event(CONNECTION))
    assert post_at(client, raw, headers, first, django_capture_on_commit_callbacks)[0].status_code == 200
    other_raw, other_headers = signed(
        {"data": {"id": CONNECTION}, "event": {"id": "e2", "type": "group_connection_request.created"}}
    )
    post_at(client, other_raw, other_headers, first + dt.timedelta(hours=25), django_capture_on_commit_callbacks)
    assert list(WebhookReceipt.objects.values_list("event_type", flat=True)) == ["group_connection_request.created"]
