"""A disconnection request's page, and confirming or rejecting it against the running sandbox: a
confirmation step, one PUT to Noyo however often it is sent, the new status mirrored at once,
Noyo's 409 / 422 / 5xx / network errors in plain words with nothing typed lost, audited."""

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry, StatusChange
from command_center.noyo.sandbox.carriers import CARRIERS
from connections.management.commands.seed_carriers import seed_carriers
from connections.models import GroupDisconnectionRequest, NoyoAction
from tests.factories import make_connection, make_disconnection, make_group


@pytest.fixture
def mirror_disconnection(sandbox, noyo_settings, db):
    """mirror_disconnection("needs_review", n=0): the n-th sandbox request in that status, mirrored
    through the sync's own mapping, with its group (carriers seeded with their real names)."""
    from command_center.noyo.service import noyo_client
    from connections.sync import mirror_disconnection_request, mirror_group

    seed_carriers(CARRIERS)
    by_status = sandbox.examples()["group_disconnection_requests_by_status"]

    def mirror(status="needs_review", n=0):
        with noyo_client() as noyo:
            request = mirror_disconnection_request(noyo.get_group_disconnection_request(by_status[status][n]))
            mirror_group(noyo.get_group(request.group_id))
        return GroupDisconnectionRequest.objects.select_related("carrier", "group").get(pk=request.pk)

    return mirror


@pytest.fixture
def puts(sandbox):
    """How many confirms and rejects reached the sandbox so far."""
    return lambda: len([r for r in sandbox.requests(method="PUT") if "/group_disconnection_requests/" in r["path"]])


def detail_url(d):
    return reverse("connections:disconnection_detail", args=[d.pk])


def decide_url(d, decision):
    return reverse(f"connections:disconnection_{decision}", args=[d.pk])


def open_form(client, d, decision):
    response = client.get(decide_url(d, decision))
    assert response.status_code == 200
    return str(response.context["form"].initial["token"])


def send(client, d, decision, token, **values):
    data = {"token": token, "note": values.pop("note", "")}
    if decision == "confirm":
        data["effective_end_date"] = values.pop("effective_end_date", "")
    return client.post(decide_url(d, decision), data, **values)


def text(response):
    return " ".join(response.content.decode().split())


# --- The detail page ------------------------------------------------------------------------------


def test_the_page_shows_the_request_with_its_group_carrier_connection_dates_and_masked_payload(
    viewer_client, mirror_disconnection
):
    d = mirror_disconnection("completed")
    connection = make_connection(group=d.group, carrier=d.carrier, carrier_group_id="NW204518")
    GroupDisconnectionRequest.objects.filter(pk=d.pk).update(raw={**d.raw, "ssn": "123456789"})
    response = viewer_client.get(detail_url(d))
    page = text(response)
    assert response.status_code == 200
    for words in [
        d.group_name,
        d.carrier.name,
        "Completed",
        "Decided",
        "Completed",
        f"{d.decided:%b} {d.decided.day}, {d.decided:%Y}",
    ]:
        assert words in page
    assert reverse("connections:connection_detail", args=[connection.pk]) in response.content.decode()
    assert reverse("connections:group_detail", args=[d.group_id]) in response.content.decode()
    assert "123456789" not in page and json.loads(response.context["raw_json"])["ssn"] != "123456789"


def test_the_status_history_shows_what_the_sync_saw(viewer_client):
    d = make_disconnection(make_group(), status="processing")
    StatusChange.objects.record(d, "needs_review", "processing")
    response = viewer_client.get(detail_url(d))
    assert [c.new_status for c in response.context["timeline"]] == ["processing"]


def test_the_review_buttons_show_to_operators_and_only_while_it_needs_review(viewer_client, operator_client):
    waiting = make_disconnection(make_group(), status="needs_review")
    done = make_disconnection(make_group(), status="completed")
    assert decide_url(waiting, "confirm") in operator_client.get(detail_url(waiting)).content.decode()
    assert decide_url(waiting, "reject") in operator_client.get(detail_url(waiting)).content.decode()
    assert decide_url(waiting, "confirm") not in viewer_client.get(detail_url(waiting)).content.decode()
    assert decide_url(done, "confirm") not in operator_client.get(detail_url(done)).content.decode()


def test_an_unknown_request_is_404(viewer_client, db):
    assert viewer_client.get(reverse("connections:disconnection_detail", args=["nobody"])).status_code == 404


def test_the_page_stays_within_the_query_bound_with_a_long_history(
    viewer_client, operator, django_assert_max_num_queries
):
    group = make_group()
    d = make_disconnection(group, status="needs_review")
    for _n in range(30):
        make_connection(group=group, carrier=None)
        StatusChange.objects.record(d, "needs_review", "processing")
        NoyoAction.objects.create(
            token=uuid.uuid4(), kind="confirm_disconnection", target_id=d.pk, state="failed", requested_by=operator
        )
    with django_assert_max_num_queries(25):
        assert viewer_client.get(detail_url(d)).status_code == 200


# --- The confirmation step ----------------------------------------------------------------------------


def test_confirming_asks_first_and_says_what_it_does(operator_client, mirror_disconnection, puts):
    d = mirror_disconnection()
    response = operator_client.get(decide_url(d, "confirm"))
    page = text(response)
    assert "Are you sure?" in page and f"Noyo stops managing {d.group_name}'s enrollment with {d.carrier.name}" in page
    assert "Yes, confirm the disconnection" in page
    assert NoyoAction.objects.get(token=response.context["form"].initial["token"]).state == "ready"
    assert puts() == 0


def test_a_request_that_does_not_need_review_gets_an_explanation_not_a_form(operator_client):
    d = make_disconnection(make_group(), status="processing")
    response = operator_client.get(decide_url(d, "reject"))
    assert response.context["form"] is None
    assert "Only a request that needs review can be confirmed or rejected." in text(response)


@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_a_viewer_gets_403_in_plain_words_and_nothing_reaches_noyo(viewer_client, mirror_disconnection, puts, decision):
    d = mirror_disconnection()
    response = viewer_client.get(decide_url(d, decision))
    assert response.status_code == 403
    assert "Only Operators can confirm or reject disconnection requests." in text(response)
    assert send(viewer_client, d, decision, str(uuid.uuid4())).status_code == 403
    assert puts() == 0


# --- Success, once ----------------------------------------------------------------------------------------


def test_confirming_sends_one_put_mirrors_the_answer_at_once_and_audits_it(
    operator_client, operator, mirror_disconnection, puts, sandbox
):
    d = mirror_disconnection()
    token = open_form(operator_client, d, "confirm")

    response = send(
        operator_client, d, "confirm", token, effective_end_date="2031-03-31", note="Broker confirmed by phone"
    )

    assert puts() == 1
    (put,) = list(sandbox.requests(method="PUT"))
    assert put["path"] == f"/api/v1/group_disconnection_requests/{d.pk}/confirm" and put["status"] == 200
    assert response.status_code == 302 and response["Location"] == detail_url(d)
    d.refresh_from_db()
    assert (d.status, d.effective_end_date.isoformat()) == ("processing", "2031-03-31")
    assert d.decided is not None and d.source_type == "carrier"  # what the answer left out is kept
    assert StatusChange.objects.for_object(d).latest_first().first().new_status == "processing"
    page = text(operator_client.get(response["Location"]))
    assert "Noyo recorded the confirmation: the disconnection is “Processing”." in page
    assert "Broker confirmed by phone" in page  # in the page's review history

    entry = AuditEntry.objects.get(action="confirm")
    assert entry.actor == operator and entry.outcome == "succeeded" and entry.object_id == d.pk
    assert entry.summary == f"Confirmed disconnection of {d.group_name} from {d.carrier.name}"
    assert entry.details["values"] == {"effective_end_date": "2031-03-31", "note": "Broker confirmed by phone"}
    assert (entry.details["old_status"], entry.details["new_status"]) == ("needs_review", "processing")


def test_rejecting_sends_one_put_with_no_body_and_the_group_stays_connected(
    operator_client, mirror_disconnection, puts
):
    d = mirror_disconnection()
    response = send(operator_client, d, "reject", open_form(operator_client, d, "reject"))
    assert puts() == 1
    d.refresh_from_db()
    assert d.status == "rejected"
    assert "the group stays connected" in text(operator_client.get(response["Location"]))
    assert AuditEntry.objects.get(action="reject").outcome == "succeeded"


@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_a_double_click_or_a_resend_puts_once(operator_client, mirror_disconnection, puts, decision):
    d = mirror_disconnection()
    token = open_form(operator_client, d, decision)
    responses = [send(operator_client, d, decision, token) for _ in range(3)]
    assert puts() == 1
    assert {r.status_code for r in responses} == {302}
    assert AuditEntry.objects.filter(action=decision).count() == 1


def test_a_second_tab_finds_the_request_decided_and_sends_nothing(operator_client, mirror_disconnection, puts):
    d = mirror_disconnection()
    confirm_tab, reject_tab = open_form(operator_client, d, "confirm"), open_form(operator_client, d, "reject")
    send(operator_client, d, "confirm", confirm_tab)
    response = send(operator_client, d, "reject", reject_tab)
    assert puts() == 1
    page = text(operator_client.get(response["Location"]))
    assert "Not sent: this request is now “Processing”." in page
    assert NoyoAction.objects.get(token=reject_tab).state == "skipped"


def test_while_a_decision_is_in_flight_from_elsewhere_another_is_not_sent(
    operator_client, operator, mirror_disconnection, puts
):
    d = mirror_disconnection()
    NoyoAction.objects.create(
        token=uuid.uuid4(),
        kind="confirm_disconnection",
        target_id=d.pk,
        state="in_flight",
        started_at=timezone.now(),
        lock_key=f"disconnection:{d.pk}",
        requested_by=operator,
    )
    response = send(operator_client, d, "reject", open_form(operator_client, d, "reject"))
    assert puts() == 0
    assert "the same request is being sent to Noyo right now" in text(operator_client.get(response["Location"]))


def test_an_unknown_token_sends_nothing_and_keeps_the_note(operator_client, mirror_disconnection, puts):
    d = mirror_disconnection()
    response = send(operator_client, d, "confirm", str(uuid.uuid4()), note="typed by hand")
    assert response.status_code == 422 and puts() == 0
    assert "out of date, so nothing was sent" in text(response)
    assert response.context["form"]["note"].value() == "typed by hand"


def test_a_token_of_another_request_is_not_taken_for_this_one(operator_client, mirror_disconnection, puts):
    d, other = mirror_disconnection(), make_disconnection(make_group(), status="needs_review")
    token = open_form(operator_client, other, "confirm")
    assert send(operator_client, d, "confirm", token).status_code == 422 and puts() == 0


# --- Noyo says no -------------------------------------------------------------------------------------


def test_noyo_409_because_our_copy_is_behind_brings_it_up_to_date_in_plain_words(
    operator_client, mirror_disconnection, puts
):
    d = mirror_disconnection("processing")
    GroupDisconnectionRequest.objects.filter(pk=d.pk).update(status="needs_review", version="an-older-version")
    response = send(operator_client, d, "confirm", open_form(operator_client, d, "confirm"))
    assert puts() == 1
    d.refresh_from_db()
    assert d.status == "processing"
    page = text(operator_client.get(response["Location"]))
    assert "Noyo refused: the request is “Processing” at Noyo, so it can no longer be confirmed." in page
    assert AuditEntry.objects.get(action="confirm").details["noyo_status_code"] == 409


def test_noyo_422_puts_its_message_beside_the_date_with_the_note_kept(
    operator_client, mirror_disconnection, sandbox, puts
):
    d = mirror_disconnection()
    # A date our form takes, refused by Noyo (the sandbox refuses what is not YYYY-MM-DD: send one it reads as such).
    sandbox.set_faults(fail_next=[422], path_contains="/confirm", method="PUT")
    response = send(
        operator_client,
        d,
        "confirm",
        open_form(operator_client, d, "confirm"),
        effective_end_date="2031-03-31",
        note="keep me",
    )
    assert puts() == 1 and response.status_code == 422
    form = response.context["form"]
    assert form["note"].value() == "keep me" and str(form["effective_end_date"].value()) == "2031-03-31"
    assert "Noyo did not accept some of the values" in text(response)


@pytest.mark.parametrize("code", [500, 503])
def test_noyo_5xx_says_it_may_or_may_not_have_gone_through_and_keeps_the_values(
    operator_client, mirror_disconnection, sandbox, puts, code
):
    d = mirror_disconnection()
    sandbox.set_faults(fail_next=[code], path_contains="/confirm", method="PUT")
    token = open_form(operator_client, d, "confirm")
    response = send(operator_client, d, "confirm", token, note="after the broker's call")
    assert puts() == 1 and response.status_code == 422
    page = text(response)
    assert f"Noyo had a server error ({code}), so it may or may not have recorded the confirmation." in page
    assert "Noyo still shows it waiting for review, so you can send it again." in page
    assert response.context["form"]["note"].value() == "after the broker's call"
    # The same form sent again shows that outcome; it does not put again.
    send(operator_client, d, "confirm", token)
    assert puts() == 1


def test_a_request_decided_at_noyo_meanwhile_is_refused_in_plain_words_and_brought_up_to_date(
    operator_client, mirror_disconnection, puts
):
    from command_center.noyo.service import noyo_client

    d = mirror_disconnection()
    with noyo_client() as noyo:
        noyo.reject_group_disconnection_request(
            d.pk
        )  # decided in Noyo's own console, say: the mirror still says needs_review
    response = send(operator_client, d, "confirm", open_form(operator_client, d, "confirm"))
    assert puts() == 2
    d.refresh_from_db()
    assert d.status == "rejected"
    assert "Noyo refused: the request is “Rejected” at Noyo, so it can no longer be confirmed." in text(
        operator_client.get(response["Location"])
    )


def test_a_dropped_connection_says_it_may_have_reached_noyo(operator_client, mirror_disconnection, sandbox, puts):
    d = mirror_disconnection()
    sandbox.set_faults(fail_next=["drop"], path_contains="/reject", method="PUT")
    response = send(operator_client, d, "reject", open_form(operator_client, d, "reject"), note="why")
    assert puts() == 1 and response.status_code == 422
    assert "The connection to Noyo broke before it answered, so it may or may not have recorded the rejection." in text(
        response
    )
    assert response.context["form"]["note"].value() == "why"


def test_noyo_out_of_reach_says_nothing_was_sent(operator_client, mirror_disconnection, settings, puts):
    import socket

    d = mirror_disconnection()
    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    settings.NOYO_API_URL = f"http://127.0.0.1:{port}"
    settings.NOYO_TOKEN_URL = f"http://127.0.0.1:{port}/auth/public/token"
    response = send(operator_client, d, "confirm", open_form(operator_client, d, "confirm"), note="still here")
    assert response.status_code == 422 and puts() == 0
    assert "Could not reach Noyo, so nothing was sent and nothing changed." in text(response)
    assert response.context["form"]["note"].value() == "still here"
