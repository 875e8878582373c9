"""The subscription page: anyone signed in subscribes to what they care about, sees it in words, and unsubscribes."""

import html
import re

from django.urls import reverse

from command_center.alerts.models import Subscription
from command_center.models import AttentionItem
from tests.alerts.conftest import subscribe
from tests.factories import make_carrier

URL = reverse("alerts:subscription_list")
Topic = Subscription.Topic


def text(response):
    """The page's words, without its tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_a_viewer_subscribes_to_one_kind_of_item_for_one_carrier_by_e_mail(viewer, viewer_client, email_channel):
    viewer.email = "vera@example.com"
    viewer.save()
    carrier = make_carrier(name="Beta Health")

    response = viewer_client.post(
        URL,
        {
            "topic": "attention",
            "attention_kind": "connection_needs_action",
            "carrier": carrier.pk,
            "family": "groups",
            "stale_minutes": "15",
            "channel": email_channel.pk,
        },
        follow=True,
    )

    subscription = Subscription.objects.get(user=viewer)
    assert (subscription.topic, subscription.attention_kind, subscription.carrier, subscription.channel) == (
        Topic.ATTENTION,
        "connection_needs_action",
        carrier,
        email_channel,
    )
    assert subscription.family == "" and subscription.stale_minutes is None  # not this topic's
    assert "Subscribed: New attention items (Connection needs action, Beta Health) by E-mail." in text(response)
    assert "New attention items (Connection needs action, Beta Health) by E-mail" in text(viewer_client.get(URL))


def test_a_family_subscription_needs_its_minutes_and_drops_kind_and_carrier(operator, operator_client, email_channel):
    subscribe(operator, email_channel, Topic.WRITE_FAILED)  # gives the operator an address
    response = operator_client.post(
        URL, {"topic": "family_stale", "family": "groups", "stale_minutes": "", "channel": email_channel.pk}
    )
    assert response.status_code == 400
    assert "Say after how many minutes without a successful sync you want to hear." in text(response)

    operator_client.post(
        URL,
        {
            "topic": "family_stale",
            "family": "groups",
            "stale_minutes": "90",
            "attention_kind": "renewal_not_ready",
            "channel": email_channel.pk,
        },
    )
    subscription = Subscription.objects.get(user=operator, topic=Topic.FAMILY_STALE)
    assert (subscription.family, subscription.stale_minutes, subscription.attention_kind, subscription.carrier) == (
        "groups",
        90,
        "",
        None,
    )
    assert "No successful groups sync for 90 minutes, by E-mail" in text(operator_client.get(URL))


def test_e_mail_needs_an_address_and_the_same_subscription_twice_is_refused(
    viewer, viewer_client, email_channel, webhook_channel
):
    response = viewer_client.post(URL, {"topic": "write_failed", "channel": email_channel.pk})
    assert response.status_code == 400
    assert "Your account has no e-mail address. Ask an administrator to add one, or pick a webhook channel." in text(
        response
    )

    viewer_client.post(URL, {"topic": "write_failed", "channel": webhook_channel.pk})
    response = viewer_client.post(URL, {"topic": "write_failed", "channel": webhook_channel.pk})
    assert response.status_code == 400 and "You already have this subscription." in text(response)
    assert Subscription.objects.filter(user=viewer).count() == 1


def test_a_disabled_channel_cannot_be_chosen_and_a_failing_one_says_so(
    operator, operator_client, email_channel, webhook_channel, settings
):
    email_channel.enabled = False
    email_channel.save()
    webhook_channel.consecutive_failures = settings.ALERT_CHANNEL_FAILING_AFTER
    webhook_channel.save()

    page = operator_client.get(URL)
    choices = [label for _, label in page.context["form"].fields["channel"].choices]
    assert choices == ["Ops chat (webhook, failing)"]
    response = operator_client.post(URL, {"topic": "write_failed", "channel": email_channel.pk})
    assert response.status_code == 400


def test_one_unsubscribes_from_ones_own_subscriptions_only(operator, operator_client, viewer, webhook_channel):
    own = subscribe(operator, webhook_channel, Topic.WRITE_FAILED)
    theirs = subscribe(viewer, webhook_channel, Topic.WRITE_FAILED)

    assert operator_client.post(reverse("alerts:subscription_delete", args=[theirs.pk])).status_code == 404
    assert operator_client.get(reverse("alerts:subscription_delete", args=[own.pk])).url == URL  # a GET only goes back
    response = operator_client.post(reverse("alerts:subscription_delete", args=[own.pk]), follow=True)

    assert "Unsubscribed: Failed retries and writes to Noyo (any carrier) by Ops chat." in text(response)
    assert list(Subscription.objects.all()) == [theirs]


def test_the_page_lists_ones_latest_alerts_and_whether_they_went(operator, operator_client, webhook_channel, tick):
    from tests.attention.factories import make_item

    subscribe(operator, webhook_channel, Topic.ATTENTION, attention_kind=AttentionItem.Kind.CONNECTION_NEEDS_ACTION)
    item = make_item()
    tick()

    page = text(operator_client.get(URL))
    assert "Connection needs action" in page and "Waiting for the digest" in page
    assert f'href="/attention/{item.pk}/"' in operator_client.get(URL).content.decode()
