"""Creating a group connection from the console, against the running sandbox: the form, one POST to
Noyo however often it is sent, Noyo's 409 / 422 / 5xx / network errors in plain words with nothing
typed lost, the new connection in the mirror at once, and the audit log."""

import uuid

import pytest
from django.urls import reverse

from command_center.models import AuditEntry, StatusChange
from command_center.noyo.sandbox.carriers import CARRIERS
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import Group, GroupConnection, NoyoAction

NORTHWIND = CARRIERS[0]["id"]  # carrier_group_id: "NW" and 6 digits
CREATE_URL = reverse("connections:connection_create")


@pytest.fixture
def carriers(db):
    seed_carriers(CARRIERS)


@pytest.fixture
def group(sandbox, noyo_settings, carriers):
    """A sandbox group, mirrored as the sync leaves it."""
    from command_center.noyo.service import noyo_client
    from connections.sync import mirror_group

    with noyo_client() as noyo:
        return mirror_group(noyo.get_group(sandbox.examples()["groups"][1]))


@pytest.fixture
def posts(sandbox):
    """How many creates reached the sandbox so far."""
    return lambda: len(sandbox.requests(method="POST", path_contains="/group_connections"))


def open_form(client, **params):
    response = client.get(CREATE_URL, params)
    assert response.status_code == 200
    return str(response.context["form"].initial["token"])


def send(client, token, group=None, **values):
    data = {
        "token": token,
        "group": group.pk if group else "",
        "carrier": values.pop("carrier", NORTHWIND),
        "carrier_group_id": values.pop("carrier_group_id", "NW771100"),
        "broker_federal_ein": values.pop("broker_federal_ein", ""),
        "broker_tin": values.pop("broker_tin", ""),
    }
    if group is None:
        data["group_name"] = values.pop("group_name", "Juniper Dental Group")
        data["federal_ein"] = values.pop("federal_ein", "12-3456789")
    return client.post(CREATE_URL, data, **values)


def text(response):
    return " ".join(response.content.decode().split())


# --- The form ---------------------------------------------------------------------------------


def test_the_form_from_a_groups_page_preselects_the_group(operator_client, group):
    response = operator_client.get(reverse("connections:group_detail", args=[group.pk]))
    assert f"{CREATE_URL}?group={group.pk}" in response.content.decode()
    response = operator_client.get(CREATE_URL, {"group": group.pk})
    form = response.context["form"]
    assert form.initial["group"] == group.pk and response.context["group"] == group
    assert "group_name" not in form.fields and "federal_ein" not in form.fields  # Noyo keeps the group's own
    assert NoyoAction.objects.get(token=form.initial["token"]).state == "ready"


def test_the_connections_list_offers_the_form_to_operators_only(operator_client, viewer_client, db):
    list_url = reverse("connections:connection_list")
    assert CREATE_URL in operator_client.get(list_url).content.decode()
    assert CREATE_URL not in viewer_client.get(list_url).content.decode()


def test_choosing_a_carrier_shows_its_own_words_for_the_id(operator_client, carriers):
    response = operator_client.get(
        CREATE_URL, {"carrier": NORTHWIND}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="carrier-hint"
    )
    html = response.content.decode()
    assert 'id="carrier-hint"' in html and "<html" not in html
    assert "Northwind Health expects: NW followed by 6 digits" in html
    assert not NoyoAction.objects.exists()  # a hint is no form: no action made


def test_a_carrier_without_reference_data_says_so_plainly(operator_client, db):
    from tests.factories import make_carrier

    carrier = make_carrier(name="Carrier 1a2b3c4d", is_placeholder=True, carrier_group_id_format="", format_hint="")
    response = operator_client.get(
        CREATE_URL, {"carrier": carrier.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="carrier-hint"
    )
    assert "We have no reference data for Carrier 1a2b3c4d yet" in text(response)


def test_find_a_group_offers_matching_groups_to_choose(operator_client, group):
    response = operator_client.get(
        CREATE_URL, {"find": group.name[:6]}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="group-matches"
    )
    html = response.content.decode()
    assert f"?group={group.pk}" in html and "<html" not in html
    assert "No group matches" in text(operator_client.get(CREATE_URL, {"find": "zzz-nothing-like-it"}))


def test_an_unknown_group_id_is_said_plainly_and_the_form_is_for_a_new_group(operator_client, carriers):
    response = operator_client.get(CREATE_URL, {"group": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "is in the mirror" in text(response) and "group_name" in response.context["form"].fields


def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_client, group, posts):
    response = viewer_client.get(CREATE_URL)
    assert response.status_code == 403 and "Only Operators can create group connections." in text(response)
    response = send(viewer_client, str(uuid.uuid4()), group)
    assert response.status_code == 403 and "Your role doesn" in text(response)
    assert posts() == 0


# --- Success ----------------------------------------------------------------------------------


def test_a_connection_for_an_existing_group_is_sent_once_mirrored_at_once_and_lands_on_its_page(
    operator_client, operator, group, posts, sandbox
):
    token = open_form(operator_client, group=group.pk)

    response = send(operator_client, token, group, carrier_group_id="NW771100", broker_federal_ein="45-1234567")

    assert posts() == 1
    (post,) = sandbox.requests(method="POST", path_contains="/group_connections")
    assert post["path"] == f"/api/v1/groups/{group.pk}/group_connections" and post["status"] == 201
    connection = GroupConnection.objects.get(group=group, carrier_id=NORTHWIND, carrier_group_id="NW771100")
    assert response.status_code == 302 and response["Location"] == reverse(
        "connections:connection_detail", args=[connection.pk]
    )
    assert (connection.status, connection.request_type, connection.broker_federal_ein) == (
        "created",
        "incremental",
        "45-1234567",
    )
    assert StatusChange.objects.for_object(connection).get().new_status == "created"
    page = operator_client.get(response["Location"])
    assert "Noyo accepted the request: the connection is “Created”." in text(page)

    action = NoyoAction.objects.get(token=token)
    assert (action.state, action.result_id, action.noyo_status_code) == ("succeeded", connection.pk, 201)
    entry = AuditEntry.objects.get(action="connect")
    assert entry.actor == operator and entry.outcome == "succeeded" and entry.object_id == connection.pk
    assert entry.summary == f"Created connection of {group.name} → Northwind Health"
    assert entry.details["values"]["carrier_group_id"] == "NW771100"
    assert entry.details["noyo_answer"]["id"] == connection.pk


def test_a_connection_for_a_new_group_mirrors_the_group_noyo_made(
    operator_client, carriers, noyo_settings, posts, sandbox
):
    response = send(
        operator_client, open_form(operator_client), None, group_name="Juniper Dental Group", federal_ein="12-3456789"
    )
    assert posts() == 1
    assert sandbox.requests(method="POST", path_contains="/group_connections")[0]["path"] == "/api/v1/group_connections"
    connection = GroupConnection.objects.get(carrier_group_id="NW771100")
    assert connection.request_type == "initial" and connection.federal_ein == "12-3456789"
    assert Group.objects.get(pk=connection.group_id).name == "Juniper Dental Group"
    assert response["Location"] == reverse("connections:connection_detail", args=[connection.pk])


# --- One form, one POST ---------------------------------------------------------------------------


def test_a_double_click_or_a_browser_resend_posts_once_and_lands_on_the_same_connection(operator_client, group, posts):
    token = open_form(operator_client, group=group.pk)
    first = send(operator_client, token, group)
    again = send(operator_client, token, group)
    third = send(operator_client, token, group)
    assert posts() == 1
    assert first["Location"] == again["Location"] == third["Location"]
    assert AuditEntry.objects.filter(action="connect").count() == 1


def test_a_second_tab_with_the_same_values_finds_the_connection_made_and_sends_nothing(operator_client, group, posts):
    first_tab, second_tab = open_form(operator_client, group=group.pk), open_form(operator_client, group=group.pk)
    send(operator_client, first_tab, group)
    response = send(operator_client, second_tab, group)
    assert posts() == 1
    assert response.status_code == 200
    assert "Nothing was sent." in text(
        response
    ) and "already has a connection with carrier group id “NW771100”" in text(response)
    made = GroupConnection.objects.get(carrier_group_id="NW771100")
    assert reverse("connections:connection_detail", args=[made.pk]) in response.content.decode()
    assert NoyoAction.objects.get(token=second_tab).state == "skipped"


def test_while_the_same_request_is_in_flight_from_elsewhere_another_is_not_sent(
    operator_client, operator, group, posts
):
    from django.utils import timezone

    NoyoAction.objects.create(
        token=uuid.uuid4(),
        kind="create_connection",
        state="in_flight",
        started_at=timezone.now(),
        lock_key=f"connection:{NORTHWIND}:NW771100",
        requested_by=operator,
    )
    response = send(operator_client, open_form(operator_client, group=group.pk), group)
    assert posts() == 0
    assert "the same request is being sent to Noyo right now" in text(response)


def test_a_resend_while_its_request_is_in_flight_says_so_and_offers_its_outcome(operator_client, group, posts):
    token = open_form(operator_client, group=group.pk)
    NoyoAction.objects.filter(token=token).update(state="in_flight")
    response = send(operator_client, token, group)
    assert response.status_code == 202 and posts() == 0
    assert "Sending this request to Noyo" in text(response)
    assert reverse("connections:action_outcome", args=[token]) in response.content.decode()


def test_an_unknown_token_sends_nothing_and_keeps_what_was_typed(operator_client, carriers, posts):
    response = send(operator_client, str(uuid.uuid4()), None, group_name="Typed By Hand LLC")
    assert response.status_code == 422 and posts() == 0
    assert "out of date, so nothing was sent" in text(response)
    assert response.context["form"]["group_name"].value() == "Typed By Hand LLC"


# --- Checked before sending ---------------------------------------------------------------------


def test_a_carrier_group_id_in_the_wrong_format_is_refused_beside_the_field_before_anything_is_sent(
    operator_client, group, posts
):
    token = open_form(operator_client, group=group.pk)
    response = send(operator_client, token, group, carrier_group_id="12345", broker_tin="12-3456789")
    assert response.status_code == 422 and posts() == 0
    form = response.context["form"]
    assert (
        "Northwind Health expects a carrier group id in this format: NW followed by 6 digits"
        in form.errors["carrier_group_id"][0]
    )
    assert form["carrier_group_id"].value() == "12345" and form["broker_tin"].value() == "12-3456789"
    # The same form, corrected, is still good for one request.
    assert send(operator_client, token, group).status_code == 302 and posts() == 1


def test_a_new_group_needs_a_name_and_eins_are_checked(operator_client, carriers, posts):
    response = send(
        operator_client, open_form(operator_client), None, group_name="", federal_ein="123", broker_federal_ein="x"
    )
    errors = response.context["form"].errors
    assert errors["group_name"] == ["Enter the new group's name, or find an existing group instead."]
    assert "is not an EIN" in errors["federal_ein"][0] and "is not an EIN" in errors["broker_federal_ein"][0]
    assert posts() == 0


# --- Noyo says no -------------------------------------------------------------------------------------


def test_noyo_409_is_a_plain_sentence_with_a_link_to_the_existing_connection(
    operator_client, group, sandbox_api, posts
):
    taken = sandbox_api.get("/group_connections", params={"carrier_id": NORTHWIND, "page_size": 5}).json()["response"][
        0
    ]
    number = taken["group_data"]["carrier_group_id"]
    token = open_form(operator_client, group=group.pk)

    response = send(operator_client, token, group, carrier_group_id=number, broker_tin="123-45-6789")

    assert posts() == 1 and response.status_code == 422
    page = text(response)
    assert "No connection was made." in page and "Noyo already has this connection, so it made no new one" in page
    # Not in the mirror before: found at Noyo, mirrored, and linked.
    assert GroupConnection.objects.filter(pk=taken["id"]).exists()
    assert reverse("connections:connection_detail", args=[taken["id"]]) in response.content.decode()
    form = response.context["form"]
    assert form["carrier_group_id"].value() == number and form["broker_tin"].value() == "123-45-6789"
    assert str(form["token"].value()) != token
    entry = AuditEntry.objects.get(action="connect")
    assert entry.outcome == "failed" and entry.details["noyo_status_code"] == 409


def test_noyo_422_puts_each_fields_message_beside_its_field_with_everything_kept(operator_client, group, posts):
    from connections.models import Carrier

    # Our copy of the carrier does not know its format, so only Noyo can refuse the number.
    Carrier.objects.filter(pk=NORTHWIND).update(carrier_group_id_format="", format_hint="")
    response = send(
        operator_client,
        open_form(operator_client, group=group.pk),
        group,
        carrier_group_id="WRONG-1",
        broker_federal_ein="45-1234567",
    )
    assert posts() == 1 and response.status_code == 422
    form = response.context["form"]
    assert form.errors["carrier_group_id"][0].startswith("Noyo: Does not match Northwind Health's format")
    assert form["carrier_group_id"].value() == "WRONG-1" and form["broker_federal_ein"].value() == "45-1234567"
    assert "Noyo did not accept some of the values" in text(response)


@pytest.mark.parametrize("code", [500, 503])
def test_noyo_5xx_says_it_may_or_may_not_have_reached_noyo_and_keeps_the_values(
    operator_client, group, sandbox, posts, code
):
    sandbox.set_faults(fail_next=[code], path_contains="/group_connections", method="POST")
    token = open_form(operator_client, group=group.pk)
    response = send(operator_client, token, group, broker_tin="12-3456789")
    assert posts() == 1  # a write Noyo may have acted on is never re-sent by the client
    assert response.status_code == 422
    page = text(response)
    assert f"Noyo had a server error ({code}), so it may or may not have made the connection." in page
    assert "before sending it again" in page and "Right now Noyo shows no connection" in page
    assert response.context["form"]["broker_tin"].value() == "12-3456789"
    # A resend of that form shows the same failure, without posting again.
    assert "Noyo had a server error" in text(send(operator_client, token, group))
    assert posts() == 1


def test_a_dropped_connection_says_it_may_have_reached_noyo(operator_client, group, sandbox, posts):
    sandbox.set_faults(fail_next=["drop"], path_contains="/group_connections", method="POST")
    response = send(operator_client, open_form(operator_client, group=group.pk), group)
    assert posts() == 1 and response.status_code == 422
    assert "The connection to Noyo broke before it answered, so it may or may not have made the connection." in text(
        response
    )
    assert response.context["form"]["carrier_group_id"].value() == "NW771100"


def test_noyo_out_of_reach_says_nothing_was_sent(operator_client, group, settings, posts):
    import socket

    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    settings.NOYO_API_URL = f"http://127.0.0.1:{port}"
    settings.NOYO_TOKEN_URL = f"http://127.0.0.1:{port}/auth/public/token"
    response = send(operator_client, open_form(operator_client, group=group.pk), group, carrier_group_id="NW771101")
    assert response.status_code == 422 and posts() == 0
    assert "Could not reach Noyo" in text(response)
    assert response.context["form"]["carrier_group_id"].value() == "NW771101"
    assert NoyoAction.objects.get(state="failed").values["carrier_group_id"] == "NW771101"


# --- Bounds --------------------------------------------------------------------------------------------


def test_the_form_stays_within_the_query_bound_whatever_the_number_of_groups(
    operator_client, group, django_assert_max_num_queries
):
    from tests.factories import make_connection

    for _ in range(30):
        make_connection(group=group)
    with django_assert_max_num_queries(25):
        assert operator_client.get(CREATE_URL, {"group": group.pk, "find": "Group"}).status_code == 200
    with django_assert_max_num_queries(25):
        assert operator_client.get(CREATE_URL, {"find": "Group"}).status_code == 200
