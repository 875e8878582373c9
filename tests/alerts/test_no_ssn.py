"""No alert carries an SSN. The records alerts are about hold SSNs in their payloads (employees, dependents,
snapshots, member requests), and free text can hold one too (a carrier's error, Noyo's answer to a retry, a
sync's message, even a group's name): every e-mail and webhook body is checked for each of them, with and
without dashes, and for anything SSN-shaped at all."""

import re

from django.apps import apps
from django.core import mail
from django.utils import timezone

from command_center.alerts import digest
from command_center.alerts.models import Alert, Delivery, Subscription
from command_center.models import AttentionItem, SyncFamily
from connections.models import RetryAttempt
from members.readable import SSN_IN_TEXT
from tests.alerts.conftest import subscribe
from tests.attention.factories import make_item
from tests.factories import make_connection, make_group

Topic = Subscription.Topic
TYPED_SSNS = ["123-45-6789", "078-05-1120", "219099999"]


def ssns_in_payloads() -> set[str]:
    """Every SSN in the mirrored payloads, as nine digits."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if "ssn" in key.lower() and isinstance(inner, (str, int)) and len(re.sub(r"\D", "", str(inner))) == 9:
                    found.add(re.sub(r"\D", "", str(inner)))
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for model in apps.get_app_config("members").get_models():
        if any(field.name == "raw" for field in model._meta.fields):
            for raw in model._base_manager.values_list("raw", flat=True).iterator():
                walk(raw)
    return found


def spellings(ssn: str) -> list[str]:
    digits = re.sub(r"\D", "", ssn)
    return [digits, f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"]


def records_with_ssns_in_their_free_text(operator):
    """A connection, its item, a failed retry and a failing family, each quoting an SSN where text is free."""
    group = make_group(name=f"Acme {TYPED_SSNS[1]} LLC")
    connection = make_connection(
        group=group, status="unable_to_connect", setup_error=f"The carrier has SSN {TYPED_SSNS[0]} on another member"
    )
    make_item(record=connection, summary=f"Unable to connect: The carrier has SSN {TYPED_SSNS[0]} on another member")
    RetryAttempt.objects.create(
        token="00000000-0000-0000-0000-000000000001",
        connection=connection,
        requested_by=operator,
        state=RetryAttempt.State.FAILED,
        finished_at=timezone.now(),
        noyo_status_code=422,
        message=f"Noyo refused: member {TYPED_SSNS[2]} is not on this group",
        noyo_answer={"ssn": TYPED_SSNS[2]},
    )
    SyncFamily.objects.update_or_create(
        family="member_requests",
        defaults={
            "last_outcome": "failed",
            "last_attempt_at": timezone.now(),
            "last_success_at": None,
            "last_message": f"The sync stopped on an unexpected error (ValueError: bad ssn {TYPED_SSNS[0]})",
        },
    )


def test_no_e_mail_or_webhook_body_carries_an_ssn(
    sync_now, sandbox, operator, email_channel, webhook_channel, webhook_endpoint, clock, tick, settings, monkeypatch
):
    monkeypatch.setattr(digest, "MAX_LINES", 10_000)  # every alert in the body, not the first 50
    for channel in (email_channel, webhook_channel):
        subscribe(operator, channel, Topic.ATTENTION)
        subscribe(operator, channel, Topic.WRITE_FAILED)
        subscribe(operator, channel, Topic.FAMILY_STALE, stale_minutes=1)
    run = sync_now()  # every family: items about employees, snapshots and member requests
    assert run.status == "succeeded", run.message
    records_with_ssns_in_their_free_text(operator)
    ssns = ssns_in_payloads()
    assert len(ssns) > 100, "the sandbox's members carry SSNs"
    assert AttentionItem.objects.filter(employee__isnull=False).exists()
    assert any(TYPED_SSNS[0] in summary for summary in AttentionItem.objects.values_list("summary", flat=True))

    clock.shift(2 * 60)
    tick()
    clock.shift(settings.ALERT_DIGEST_SECONDS + 1)
    tick()

    bodies = [message.body for message in mail.outbox] + [message.subject for message in mail.outbox]
    bodies += webhook_endpoint.texts + list(Delivery.objects.values_list("body", flat=True))
    bodies += list(Alert.objects.values_list("text", flat=True))
    assert len(mail.outbox) == 1 and len(webhook_endpoint.texts) == 1
    assert mail.outbox[0].body.count("\n• ") == Alert.objects.values("event").distinct().count() > 100
    assert Alert.objects.filter(topic=Topic.ATTENTION, attention_item__employee__isnull=False).exists()
    assert (
        Alert.objects.filter(topic=Topic.WRITE_FAILED).exists()
        and Alert.objects.filter(topic=Topic.FAMILY_STALE).exists()
    )
    assert "Acme •••-••-1120 LLC" in mail.outbox[0].body  # a name is kept, with the SSN in it masked
    for body in bodies:
        for ssn in [*ssns, *TYPED_SSNS]:
            for spelling in spellings(ssn):
                assert spelling not in body
        assert SSN_IN_TEXT.search(body) is None, SSN_IN_TEXT.search(body)
