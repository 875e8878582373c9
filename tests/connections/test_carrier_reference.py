"""Carrier reference data on every page that needs it, and plain words where it is missing.

After a sync against anything but the demo, every carrier is a placeholder ("Carrier 1a2b3c4d",
kind unknown, no id format): the pages must say so rather than pretend, statuses are explained
in words that hold for Sync and Send carriers alike, and the id is not checked here.
"""

import html
import re

import pytest
from django.urls import reverse

from command_center.noyo.sandbox.carriers import CARRIERS
from connections.explain import STATUS_MEANINGS, status_meaning
from connections.management.commands.seed_carriers import load_sandbox_carriers, seed_carriers
from connections.models import MISSING_REFERENCE_SENTENCE, Carrier
from tests.factories import make_carrier, make_connection

PLACEHOLDER = "5e6f7a8b-0000-4000-8000-000000000002"


def text(response):
    return " ".join(response.content.decode().split())


def plain(response):
    """The page's words, without tags."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()).replace(" .", "."))


@pytest.fixture
def placeholder(db):
    Carrier.objects.ensure([PLACEHOLDER])
    return Carrier.objects.get(pk=PLACEHOLDER)


# --- What is missing, in words ------------------------------------------------------------


def test_a_placeholder_misses_its_name_kind_and_id_format():
    carrier = Carrier(id=PLACEHOLDER, name="Carrier 5e6f7a8b", is_placeholder=True)
    assert carrier.missing_reference_parts == ["name", "Sync or Send", "id format"]
    assert carrier.reference_sentence == MISSING_REFERENCE_SENTENCE
    assert MISSING_REFERENCE_SENTENCE == (
        "We have no reference data for this carrier: its kind and id format are unknown, so the id is not checked. "
        "Staff can add it in the admin."
    )


def test_a_carrier_missing_one_part_says_which():
    assert "id format" in Carrier(name="A", kind="send").reference_sentence
    assert "Sync or Send" in Carrier(name="A", carrier_group_id_format=r"\d+").reference_sentence
    complete = Carrier(name="A", kind="sync", carrier_group_id_format=r"\d+")
    assert complete.reference_missing is False and complete.reference_sentence == ""


@pytest.mark.django_db
def test_the_queryset_finds_the_same_carriers_as_the_property():
    carriers = [
        make_carrier(kind="sync"),
        make_carrier(kind="unknown"),
        make_carrier(carrier_group_id_format=""),
        make_carrier(is_placeholder=True),
    ]
    missing = set(Carrier.objects.missing_reference().values_list("pk", flat=True))
    assert missing == {c.pk for c in carriers if c.reference_missing} == {c.pk for c in carriers[1:]}
    assert set(Carrier.objects.with_reference().values_list("pk", flat=True)) == {carriers[0].pk}


# --- Status wording -------------------------------------------------------------------------


def test_an_unknown_kind_gets_wording_that_holds_for_both_kinds_not_the_sync_wording():
    for status in STATUS_MEANINGS:
        either = status_meaning(status, "unknown")
        assert either["kind_known"] is False
        sync, send = status_meaning(status, "sync")["meaning"], status_meaning(status, "send")["meaning"]
        if sync != send:
            assert either["meaning"] not in (sync, send), status
    assert "Sync carrier" in status_meaning("carrier_authorization", "")["meaning"]
    assert status_meaning("waiting_on_carrier", "send")["meaning"].startswith(
        "Waiting for the carrier's setup instructions"
    )
    assert status_meaning("completed", "sync")["kind_known"] is True


# --- Each page ------------------------------------------------------------------------------


def test_the_carrier_page_says_its_reference_data_is_missing(viewer_client, placeholder):
    page = plain(viewer_client.get(reverse("connections:carrier_detail", args=[PLACEHOLDER])))
    assert "Reference data missing (name, Sync or Send, id format)." in page
    assert MISSING_REFERENCE_SENTENCE in page
    assert "Sync or Send not known" in page and "Not known: any id is accepted" in page


def test_the_carrier_page_shows_every_reference_field_and_staff_get_a_link_to_edit_it(client, django_user_model, db):
    carrier = make_carrier(
        name="Evergreen",
        kind="send",
        carrier_group_id_label="Policy number",
        carrier_group_id_format=r"\d{10}",
        format_hint="10-digit policy number, e.g. 0071234455",
        format_example="0071234455",
        file_cadence="Monthly file",
        authorization_steps="Call the carrier.\nThen retry.",
        sandbox_test_ids="0000000001 → unable to connect",
    )
    url = reverse("connections:carrier_detail", args=[carrier.pk])
    staff = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(staff)
    page = text(client.get(url))
    for words in [
        "Policy number",
        "0071234455",
        "Monthly file",
        "Call the carrier.<br>Then retry.",
        "0000000001 → unable to connect",
        "Edit reference data",
    ]:
        assert words in page
    assert "Reference data missing" not in page


def test_viewers_get_no_edit_link(viewer_client, placeholder):
    assert "Edit reference data" not in text(
        viewer_client.get(reverse("connections:carrier_detail", args=[PLACEHOLDER]))
    )


def test_the_connection_page_says_the_carriers_reference_data_is_missing_and_words_the_status_for_both_kinds(
    viewer_client, placeholder
):
    connection = make_connection(carrier=placeholder, status="carrier_authorization")
    page = plain(viewer_client.get(reverse("connections:connection_detail", args=[connection.pk])))
    assert f"Reference data missing for Carrier 5e6f7a8b. {MISSING_REFERENCE_SENTENCE}" in page
    assert status_meaning("carrier_authorization", "unknown")["meaning"] in page
    assert status_meaning("carrier_authorization", "sync")["meaning"] not in page
    assert "this carrier's kind is not known" in page


def test_the_connection_page_names_the_id_as_the_carrier_does(viewer_client, db):
    carrier = make_carrier(carrier_group_id_label="Policy number")
    connection = make_connection(carrier=carrier, carrier_group_id="AB123456")
    page = text(viewer_client.get(reverse("connections:connection_detail", args=[connection.pk])))
    assert "<dt>Policy number</dt>" in page and "Reference data missing" not in page


def test_the_retry_form_says_the_id_is_not_checked_and_accepts_any(operator_client, placeholder):
    connection = make_connection(carrier=placeholder, status="unable_to_connect", carrier_group_id="whatever-1")
    page = plain(operator_client.get(reverse("connections:connection_retry", args=[connection.pk])))
    assert MISSING_REFERENCE_SENTENCE in page
    assert "Not checked here: this carrier's id format is not known." in page


def test_the_retry_form_labels_the_id_with_the_carriers_own_name(operator_client, db):
    carrier = make_carrier(
        carrier_group_id_label="Master agreement number",
        carrier_group_id_format=r"\d{5}-\d{3}",
        format_hint="5 digits, a dash and 3, e.g. 51830-001",
    )
    connection = make_connection(carrier=carrier, status="unable_to_connect", carrier_group_id="51830-001")
    response = operator_client.get(reverse("connections:connection_retry", args=[connection.pk]))
    assert response.context["form"].fields["carrier_group_id"].label == "Master agreement number"
    assert "Reference data missing" not in text(response) and "We have no reference data" not in text(response)
    form = type(response.context["form"])(
        {"token": response.context["form"].initial["token"], "carrier_group_id": "5183"}, connection=connection
    )
    assert "expects a master agreement number in this format" in form.errors["carrier_group_id"][0]


def test_after_a_sync_without_reference_data_noyo_still_checks_the_id_and_says_so_beside_the_field(
    operator_client, sandbox, noyo_settings, retry_calls
):
    """The carriers are placeholders (nothing seeded): we accept any id, and Noyo's 422 lands beside the field."""
    from connections.sync import refetch_group_connection

    connection = refetch_group_connection(sandbox.examples()["group_connections_by_status"]["unable_to_connect"][0])
    assert connection.carrier.is_placeholder and connection.carrier.reference_missing
    form = operator_client.get(reverse("connections:connection_retry", args=[connection.pk])).context["form"]
    response = operator_client.post(
        reverse("connections:connection_retry", args=[connection.pk]),
        {
            "token": form.initial["token"],
            "carrier_group_id": "not-their-format",
            "broker_federal_ein": "",
            "broker_tin": "",
            "note": "",
        },
    )
    assert retry_calls() == 1
    assert response.status_code == 422
    assert any("Noyo:" in e and "format" in e for e in response.context["form"].errors["carrier_group_id"])


# --- The demo's reference data ----------------------------------------------------------------


def test_the_demo_carriers_get_examples_that_match_their_formats_and_names_only_where_the_hint_says_them(db):
    rows = load_sandbox_carriers()
    for row in rows:
        assert row["format_example"] and re.fullmatch(row["carrier_group_id_format"], row["format_example"]), row[
            "name"
        ]
        assert row["authorization_steps"]
        if row["carrier_group_id_label"]:
            assert row["carrier_group_id_label"].split()[0].lower() in row["format_hint"].lower(), row
    labels = {row["name"]: row["carrier_group_id_label"] for row in rows}
    assert labels["Evergreen Guardian Life"] == "Policy number"
    assert labels["ClearSight Vision"] == "Master agreement number"
    assert labels["Northwind Health"] == "Group number"
    assert labels["Bluepeak Dental"] == ""  # its hint does not say what the carrier calls it

    seed_carriers(rows)
    assert not Carrier.objects.missing_reference().exists()
    assert {c.pk for c in Carrier.objects.all()} == {row["id"] for row in CARRIERS}
    for carrier in Carrier.objects.all():
        carrier.full_clean()  # the format is a regex and the example matches it
