"""API create connection, against the running sandbox: the New connection form's checks and
function, the button's permission and audit entry, Noyo's answer mirrored, one POST per key."""

import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry
from command_center.noyo.sandbox.carriers import CARRIERS
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import GroupConnection, NoyoAction

NORTHWIND = CARRIERS[0]["id"]  # carrier_group_id: "NW" and 6 digits
URL = reverse("api:connection-create")


@pytest.fixture
def group(sandbox, noyo_settings, db):
    """A sandbox group, mirrored as the sync leaves it (carriers seeded with their real formats)."""
    from command_center.noyo.service import noyo_client
    from connections.sync import mirror_group

    seed_carriers(CARRIERS)
    with noyo_client() as noyo:
        return mirror_group(noyo.get_group(sandbox.examples()["groups"][1]))


@pytest.fixture
def posts(sandbox):
    """How many creates reached the sandbox so far."""
    return lambda: len(sandbox.requests(method="POST", path_contains="/group_connections"))


def post(client, body, key=None):
    return client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def test_an_operator_connects_an_existing_group_once_per_key(operator_client, operator, group, posts):
    body = {"group": group.pk, "carrier": NORTHWIND, "carrier_group_id": "NW771100"}
    key = str(uuid.uuid4())
    first, again = post(operator_client, body, key), post(operator_client, body, key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert posts() == 1
    made = GroupConnection.objects.get(group=group, carrier_id=NORTHWIND, carrier_group_id="NW771100")
    answer = first.json()
    assert (
        answer["detail"] == "Noyo accepted the request: the connection is “Created”. Noyo checks with the carrier next."
    )
    assert answer["connection"]["id"] == made.pk and answer["connection"]["status"] == "created"
    assert answer["action"]["state"] == "succeeded" and answer["action"]["result_id"] == made.pk
    entry = AuditEntry.objects.get(action="connect")
    assert (entry.actor, entry.outcome, entry.object_id) == (operator, "succeeded", made.pk)
    assert entry.summary == f"Created connection of {group.name} → Northwind Health"  # as the button writes it


def test_a_new_group_is_made_with_its_connection(operator_client, group, posts, sandbox):
    response = post(
        operator_client,
        {
            "group_name": "Juniper Dental Group",
            "federal_ein": "12-3456789",
            "carrier": NORTHWIND,
            "carrier_group_id": "NW771101",
        },
    )
    assert response.status_code == 201 and posts() == 1
    assert sandbox.requests(method="POST", path_contains="/group_connections")[0]["path"] == "/api/v1/group_connections"
    assert GroupConnection.objects.get(pk=response.json()["connection"]["id"]).request_type == "initial"


def test_the_forms_checks_come_back_by_field_and_nothing_is_sent(operator_client, group, posts):
    response = post(
        operator_client, {"group": group.pk, "carrier": NORTHWIND, "carrier_group_id": "12", "broker_federal_ein": "x"}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"carrier_group_id", "broker_federal_ein"}
    assert "“x” is not an EIN" in errors["broker_federal_ein"][0]
    # The body's shape first (what is missing, what is not text), then the form, as on the page.
    assert post(operator_client, {"carrier": ["a", "list"]}).json()["errors"] == {
        "carrier": ["Not a valid string."],
        "carrier_group_id": ["This field is required."],
    }
    missing = post(operator_client, {"carrier": "nobody", "carrier_group_id": "NW771100"})
    assert set(missing.json()["errors"]) == {"carrier", "group_name"}
    assert missing.json()["errors"]["group_name"] == ["Enter the new group's name, or find an existing group instead."]
    assert posts() == 0 and not NoyoAction.objects.exists()


def test_a_group_not_in_the_mirror_is_refused_not_made(operator_client, group, posts):
    response = post(operator_client, {"group": str(uuid.uuid4()), "carrier": NORTHWIND, "carrier_group_id": "NW771100"})
    assert response.status_code == 400
    assert response.json()["errors"]["group"][0].startswith("No group with this id in the mirror.")
    assert posts() == 0


def test_a_connection_the_mirror_already_has_is_not_sent_and_is_named(operator_client, group, posts):
    body = {"group": group.pk, "carrier": NORTHWIND, "carrier_group_id": "NW771100"}
    made = post(operator_client, body).json()["connection"]
    response = post(operator_client, body)  # a new key: another request, for what exists already
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        "Not sent: Northwind Health already has a connection with carrier group id “NW771100”"
    )
    assert response.json()["connection"]["id"] == made["id"]
    assert posts() == 1


def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_client, group, posts):
    response = post(viewer_client, {"group": group.pk, "carrier": NORTHWIND, "carrier_group_id": "NW771100"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only Operators can create group connections."}
    assert posts() == 0 and not NoyoAction.objects.exists()


def test_noyos_refusal_comes_back_with_its_code_and_words(operator_client, group, posts, sandbox):
    sandbox.set_faults(fail_next=[503], path_contains="/group_connections", method="POST")
    response = post(operator_client, {"group": group.pk, "carrier": NORTHWIND, "carrier_group_id": "NW771100"})
    assert response.status_code == 502
    assert response.json()["detail"].startswith(
        "Noyo had a server error (503), so it may or may not have made the connection."
    )
    assert response.json()["action"]["noyo_status_code"] == 503
    assert posts() == 1
