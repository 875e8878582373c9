"""The connection page: every field, the error in plain words, timeline, retry history, raw payload, links."""

import uuid

from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from connections.models import RetryAttempt
from tests.factories import (
    make_carrier,
    make_connection,
    make_group,
    make_status_change,
)


def page(client, connection):
    response = client.get(reverse("connections:connection_detail", args=[connection.pk]))
    assert response.status_code == 200
    return response, " ".join(strip_tags(response.content.decode()).split())


def test_it_shows_every_field(viewer_client):
    connection = make_connection(
        group=make_group(name="Granite Logistics", dba_name="Granite"),
        carrier=make_carrier(name="Cascade Mutual", kind="send"),
        carrier_group_id="4420917",
        federal_ein="12-3456789",
        broker_federal_ein="98-7654321",
        broker_tin="123-45-6789",
        employer_email_address="hr@example.com",
        request_type="incremental",
        status="waiting_on_carrier",
        group_audit_request_id="0b3f6d8e-1111-4222-8333-444455556666",
    )
    _, html = page(viewer_client, connection)
    for value in [
        "Granite Logistics",
        "DBA Granite",
        "Cascade Mutual",
        "4420917",
        "12-3456789",
        "98-7654321",
        "123-45-6789",
        "hr@example.com",
        "Incremental",
        "Waiting on carrier",
        connection.pk,
        connection.version,
        "0b3f6d8e-1111-4222-8333-444455556666",
        connection.organization_id,
    ]:
        assert value in html, value


def test_the_setup_error_and_what_the_status_means_are_in_plain_words(viewer_client):
    connection = make_connection(
        carrier=make_carrier(kind="send"),
        status="unable_to_connect",
        setup_error="The carrier reports that a different broker of record is on file for this group.",
    )
    _, html = page(viewer_client, connection)
    assert "What went wrong: The carrier reports that a different broker of record is on file" in html
    assert "The carrier could not accept the connection. Fix what the error says and retry." in html
    assert "Who acts: us (the platform)." in html


def test_the_timeline_lists_status_changes_oldest_first(viewer_client):
    connection = make_connection(status="unable_to_connect")
    make_status_change(connection, "", "created", timezone.now() - timezone.timedelta(days=2))
    make_status_change(connection, "created", "unable_to_connect", timezone.now() - timezone.timedelta(days=1))
    response, html = page(viewer_client, connection)
    assert [(c.old_status, c.new_status) for c in response.context["timeline"]] == [
        ("", "created"),
        ("created", "unable_to_connect"),
    ]
    assert "First seen as" in html


def test_it_shows_the_retry_history_but_not_forms_nobody_sent(viewer_client, operator):
    connection = make_connection(status="processing", carrier_group_id="AB000002")
    RetryAttempt.objects.create(
        token=uuid.uuid4(),
        connection=connection,
        requested_by=operator,
        state="succeeded",
        started_at=timezone.now(),
        old_carrier_group_id="AB000001",
        carrier_group_id="AB000002",
        note="Carrier gave us the right number",
        message="Noyo accepted the retry.",
        noyo_status_code=201,
    )
    RetryAttempt.objects.create(token=uuid.uuid4(), connection=connection, requested_by=operator)  # a form left open
    response, html = page(viewer_client, connection)
    assert len(response.context["attempts"]) == 1
    assert "otto.operator" in html and "AB000001" in html and "AB000002" in html
    assert "Carrier gave us the right number" in html and "Noyo answered 201" in html


def test_it_shows_the_raw_payload_with_ssns_masked(viewer_client):
    connection = make_connection(raw={"id": "x", "group_data": {"group_name": "Raw Co"}, "ssn": "123456789"})
    _, html = page(viewer_client, connection)
    assert "Raw Co" in html and "123456789" not in html and "6789" in html


def test_it_links_to_the_group_the_carrier_and_noyos_console(viewer_client, settings):
    settings.NOYO_CONSOLE_URL = "https://console.example.com/"
    connection = make_connection()
    response, _ = page(viewer_client, connection)
    html = response.content.decode()
    assert reverse("connections:group_detail", args=[connection.group_id]) in html
    assert reverse("connections:carrier_detail", args=[connection.carrier_id]) in html
    assert f"https://console.example.com/group_connections/{connection.pk}" in html


def test_a_connection_whose_group_and_carrier_are_not_mirrored_yet_still_shows(viewer_client):
    connection = make_connection()
    type(connection).objects.filter(pk=connection.pk).update(group_id=str(uuid.uuid4()), carrier_id=None)
    _, html = page(viewer_client, connection)
    assert "not mirrored yet" in html and "unknown carrier" in html


def test_an_unknown_connection_is_404(viewer_client):
    assert viewer_client.get(reverse("connections:connection_detail", args=["nope"])).status_code == 404
