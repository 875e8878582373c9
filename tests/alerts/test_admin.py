"""Administrators set channels up in the admin; a webhook without its URL is refused in words."""

from django.urls import reverse

from command_center.alerts.models import Channel

ADD = reverse("admin:command_center_channel_add")


def test_an_administrator_adds_a_webhook_channel(admin_client):
    response = admin_client.post(
        ADD, {"name": "Ops Slack", "kind": "webhook", "url": "https://hooks.slack.com/services/T/B/x", "enabled": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Channel.objects.get(name="Ops Slack").url == "https://hooks.slack.com/services/T/B/x"


def test_a_webhook_channel_without_its_url_is_refused(admin_client):
    response = admin_client.post(ADD, {"name": "Ops Slack", "kind": "webhook", "url": "", "enabled": "on"})
    assert response.status_code == 200
    assert "A webhook channel needs the URL of its incoming webhook." in response.content.decode()
    assert not Channel.objects.filter(name="Ops Slack").exists()


def test_the_deliveries_cannot_be_deleted_in_the_admin(admin_client, db):
    assert admin_client.get(reverse("admin:command_center_delivery_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:command_center_alert_changelist")).status_code == 200
    assert admin_client.post(reverse("admin:command_center_delivery_delete", args=[1])).status_code == 403
