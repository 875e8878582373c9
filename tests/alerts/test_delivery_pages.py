"""What was sent, and the channels: a channel whose last messages failed shows as failing on both pages.
The deliveries page is for whom an administrator allows (``command_center.view_delivery``, superusers)."""

import html
import re

from django.contrib.auth.models import Permission
from django.urls import reverse

from command_center.alerts.models import Delivery
from tests.alerts.conftest import past_the_window, subscribe
from tests.attention.factories import make_item

DELIVERIES = reverse("alerts:delivery_list")
CHANNELS = reverse("alerts:channel_list")


def text(response):
    """The page's words, without its tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def fail_three_digests(operator, webhook_channel, webhook_endpoint, clock, tick, settings):
    webhook_endpoint.answers = [404]
    subscribe(operator, webhook_channel)
    for _ in range(settings.ALERT_CHANNEL_FAILING_AFTER):
        make_item()
        tick()
        clock.shift(past_the_window(settings))
        tick()


def test_a_channel_whose_last_messages_failed_shows_as_failing_with_each_delivery_and_its_reason(
    admin_client, operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    fail_three_digests(operator, webhook_channel, webhook_endpoint, clock, tick, settings)
    webhook_channel.refresh_from_db()
    assert webhook_channel.is_failing

    response = admin_client.get(DELIVERIES)

    assert response.status_code == 200
    page = text(response)
    assert "Ops chat Webhook Failing 3 in a row" in page
    assert page.count("The webhook answered 404 Not Found") >= 3
    assert len(response.context["rows"]) == 3
    assert all(row.state == Delivery.State.FAILED and row.attempts == 1 for row in response.context["rows"])
    assert webhook_endpoint.url not in page  # the webhook's address is a secret
    channels = text(admin_client.get(CHANNELS))
    assert "Failing" in channels and "3 in a row" in channels and webhook_endpoint.url not in channels


def test_a_sent_message_puts_the_channel_back_to_working(
    admin_client, operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    fail_three_digests(operator, webhook_channel, webhook_endpoint, clock, tick, settings)
    webhook_endpoint.answers = [200]
    make_item()
    tick()
    clock.shift(past_the_window(settings))
    tick()

    webhook_channel.refresh_from_db()
    assert not webhook_channel.is_failing and webhook_channel.consecutive_failures == 0
    assert "Working" in text(admin_client.get(CHANNELS))


def test_the_deliveries_filter_by_state_and_channel_and_refuse_garbage(
    admin_client, operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    fail_three_digests(operator, webhook_channel, webhook_endpoint, clock, tick, settings)

    assert len(admin_client.get(DELIVERIES, {"state": "failed", "channel": webhook_channel.pk}).context["rows"]) == 3
    assert len(admin_client.get(DELIVERIES, {"state": "sent"}).context["rows"]) == 0
    assert admin_client.get(DELIVERIES, {"state": "nonsense"}).status_code == 400
    partial = admin_client.get(DELIVERIES, {"state": "failed"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"<html" not in partial.content


def test_a_delivery_page_shows_the_message_and_every_try(
    admin_client, operator, webhook_channel, webhook_endpoint, clock, tick, settings
):
    webhook_endpoint.answers = [503, 200]
    subscribe(operator, webhook_channel)
    item = make_item()
    tick()
    clock.shift(past_the_window(settings))
    tick()
    delivery = Delivery.objects.get()

    page = text(admin_client.get(reverse("alerts:delivery_detail", args=[delivery.pk])))

    assert "Sent" in page and "Tries 2" in page
    assert "retrying: The webhook answered 503 Service Unavailable" in page
    assert f"/attention/{item.pk}/" in page


def test_the_deliveries_pages_need_the_permission_and_the_channels_page_does_not(
    viewer_client, operator_client, viewer, client
):
    for page in (DELIVERIES, reverse("alerts:delivery_detail", args=[1])):
        assert viewer_client.get(page).status_code == 403
        assert operator_client.get(page).status_code == 403
    assert viewer_client.get(CHANNELS).status_code == 200
    assert "What was sent" not in text(viewer_client.get(reverse("alerts:subscription_list")))

    viewer.user_permissions.add(
        Permission.objects.get(codename="view_delivery", content_type__app_label="command_center")
    )
    client.force_login(viewer)
    assert client.get(DELIVERIES).status_code == 200
    assert "What was sent" in text(client.get(reverse("alerts:subscription_list")))


def test_the_deliveries_page_reads_a_fixed_number_of_queries_whatever_the_rows(
    admin_client, operator, webhook_channel, webhook_endpoint, clock, tick, settings, django_assert_max_num_queries
):
    fail_three_digests(operator, webhook_channel, webhook_endpoint, clock, tick, settings)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(DELIVERIES)
    for _ in range(5):
        fail_three_digests(operator, webhook_channel, webhook_endpoint, clock, tick, settings)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(DELIVERIES)
