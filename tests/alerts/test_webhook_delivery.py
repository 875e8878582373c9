"""A webhook channel gets one POST {"text": ...} per digest, over real HTTP on loopback; errors that may pass
are tried again with growing waits, the others are not, and every try is recorded."""

from command_center.alerts import deliver
from command_center.alerts.models import Delivery
from tests.alerts.conftest import past_the_window, subscribe
from tests.attention.factories import make_item


def deliver_one_item(operator, webhook_channel, clock, tick, settings) -> Delivery:
    subscribe(operator, webhook_channel)
    make_item()
    tick()
    clock.shift(past_the_window(settings))
    (delivery_id,) = tick()["deliveries"]
    return Delivery.objects.get(pk=delivery_id)


def test_a_digest_is_posted_to_the_webhook_as_json_with_a_text(
    operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    delivery = deliver_one_item(operator, webhook_channel, clock, tick, settings)

    assert delivery.state == Delivery.State.SENT and delivery.attempts == 1
    (request,) = webhook_endpoint.received
    assert request["content_type"] == "application/json"
    assert request["path"] == "/services/T000/B000/secret"
    assert request["json"] == {"text": delivery.body}
    assert "Connection needs action" in delivery.body
    webhook_channel.refresh_from_db()
    assert webhook_channel.last_sent_at is not None and webhook_channel.consecutive_failures == 0


def test_a_webhook_answering_500_is_tried_again_with_growing_waits_then_recorded_as_failed_with_the_reason(
    operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    webhook_endpoint.answers = [500]

    delivery = deliver_one_item(operator, webhook_channel, clock, tick, settings)

    assert len(webhook_endpoint.received) == settings.ALERT_SEND_ATTEMPTS == 4
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempts == 4
    assert delivery.reason == (
        "The webhook answered 500 Internal Server Error (“upstream trouble”). Gave up after 4 tries."
    )
    assert [entry["outcome"] for entry in delivery.history] == ["retrying", "retrying", "retrying", "failed"]
    # The waits doubled from ALERT_RETRY_SECONDS (the eager task makes the tries at once; a worker waits).
    assert [entry.get("wait_seconds") for entry in delivery.history] == [30, 60, 120, None]
    assert delivery.sent_at is None and delivery.next_attempt_at is None
    webhook_channel.refresh_from_db()
    assert webhook_channel.consecutive_failures == 1 and webhook_channel.last_failure == delivery.reason


def test_a_webhook_answering_4xx_is_not_tried_again(operator, webhook_channel, webhook_endpoint, clock, tick, settings):
    webhook_endpoint.answers = [403]

    delivery = deliver_one_item(operator, webhook_channel, clock, tick, settings)

    assert len(webhook_endpoint.received) == 1
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == 1
    assert delivery.reason == (
        "The webhook answered 403 Forbidden (“invalid_token”). Check the channel's URL in the admin. "
        "Not tried again: another try would meet the same answer."
    )


def test_a_429_is_tried_again_and_a_later_success_is_recorded_as_sent(
    operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    webhook_endpoint.answers = [429, 503, 200]

    delivery = deliver_one_item(operator, webhook_channel, clock, tick, settings)

    assert len(webhook_endpoint.received) == 3
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 3 and delivery.reason == ""
    assert [entry["outcome"] for entry in delivery.history] == ["retrying", "retrying", "sent"]
    assert "429 Too Many Requests" in delivery.history[0]["reason"]


def test_a_webhook_nobody_listens_on_is_tried_again_as_a_connection_error(
    operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    webhook_endpoint.server.shutdown()
    webhook_endpoint.server.server_close()  # the port refuses connections now

    delivery = deliver_one_item(operator, webhook_channel, clock, tick, settings)

    assert delivery.state == Delivery.State.FAILED and delivery.attempts == settings.ALERT_SEND_ATTEMPTS
    assert delivery.reason.startswith("Could not reach the webhook: ")
    assert delivery.reason.endswith(f"Gave up after {settings.ALERT_SEND_ATTEMPTS} tries.")


def test_retry_after_is_honoured_and_waits_stop_at_an_hour(settings):
    settings.ALERT_RETRY_SECONDS = 30
    assert [deliver.backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert deliver.backoff(1, retry_after=90) == 90
    assert deliver.backoff(20) == deliver.backoff(1, retry_after=10**6) == 3600
