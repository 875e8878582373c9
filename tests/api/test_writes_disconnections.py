"""API confirm and reject of a disconnection request, against the running sandbox: the review
form and function, the button's permission and audit entry, one PUT per key."""

import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry
from command_center.noyo.sandbox.carriers import CARRIERS
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import GroupDisconnectionRequest, NoyoAction


@pytest.fixture
def mirror_disconnection(sandbox, noyo_settings, db):
    """mirror_disconnection("needs_review", n=0): the n-th sandbox request in that status, mirrored with its group."""
    from command_center.noyo.service import noyo_client
    from connections.sync import mirror_disconnection_request, mirror_group

    seed_carriers(CARRIERS)
    by_status = sandbox.examples()["group_disconnection_requests_by_status"]

    def mirror(status="needs_review", n=0):
        with noyo_client() as noyo:
            request = mirror_disconnection_request(noyo.get_group_disconnection_request(by_status[status][n]))
            mirror_group(noyo.get_group(request.group_id))
        return GroupDisconnectionRequest.objects.select_related("carrier").get(pk=request.pk)

    return mirror


@pytest.fixture
def puts(sandbox):
    """How many confirms and rejects reached the sandbox so far."""
    return lambda: len([r for r in sandbox.requests(method="PUT") if "/group_disconnection_requests/" in r["path"]])


def post(client, d, decision, body=None, key=None):
    url = reverse(f"api:disconnection-{decision}", args=[d.pk])
    return client.post(url, body or {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def test_confirming_sends_one_put_per_key_and_answers_the_request_as_it_is_now(
    operator_client, operator, mirror_disconnection, puts
):
    d = mirror_disconnection()
    key = str(uuid.uuid4())
    body = {"effective_end_date": "2031-03-31", "note": "Broker confirmed by phone"}
    first, again = post(operator_client, d, "confirm", body, key), post(operator_client, d, "confirm", body, key)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert puts() == 1
    answer = first.json()
    assert answer["detail"].startswith("Noyo recorded the confirmation: the disconnection is “Processing”.")
    assert (
        answer["disconnection"]["status"] == "processing"
        and answer["disconnection"]["effective_end_date"] == "2031-03-31"
    )
    entry = AuditEntry.objects.get(action="confirm")
    assert (entry.actor, entry.outcome, entry.object_id) == (operator, "succeeded", d.pk)
    assert entry.summary == f"Confirmed disconnection of {d.group_name} from {d.carrier.name}"
    assert entry.details["values"] == {"effective_end_date": "2031-03-31", "note": "Broker confirmed by phone"}


def test_rejecting_keeps_the_group_connected(operator_client, mirror_disconnection, puts):
    d = mirror_disconnection()
    response = post(operator_client, d, "reject", {"note": "Still a client"})
    assert response.status_code == 200 and puts() == 1
    assert response.json()["disconnection"]["status"] == "rejected"
    assert (
        response.json()["detail"]
        == "Noyo recorded the rejection: the request is “Rejected” and the group stays connected."
    )
    assert AuditEntry.objects.get(action="reject").outcome == "succeeded"


def test_a_request_that_no_longer_needs_review_is_not_sent(operator_client, mirror_disconnection, puts):
    d = mirror_disconnection()
    post(operator_client, d, "confirm")
    response = post(operator_client, d, "reject")  # a new key: someone else's decision, after the first
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Not sent: this request is now “Processing”.")
    assert puts() == 1


def test_a_bad_date_comes_back_by_field_and_nothing_is_sent(operator_client, mirror_disconnection, puts):
    d = mirror_disconnection()
    response = post(operator_client, d, "confirm", {"effective_end_date": "31/03/2031"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["effective_end_date"]
    assert puts() == 0 and not NoyoAction.objects.exists()


def test_an_unknown_request_is_404(operator_client, db):
    response = operator_client.post(
        reverse("api:disconnection-confirm", args=["nobody"]),
        {},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_client, mirror_disconnection, puts, decision):
    d = mirror_disconnection()
    response = post(viewer_client, d, decision)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only Operators can confirm or reject disconnection requests."}
    assert puts() == 0
