"""/healthz reports how old the mirror is: the age of the last successful sync."""

from django.urls import reverse


def test_healthz_reports_the_age_of_the_last_successful_sync(client, sync_now):
    assert client.get(reverse("healthz")).json()["last_successful_sync_age_seconds"] is None

    sync_now("group_connections")

    age = client.get(reverse("healthz")).json()["last_successful_sync_age_seconds"]
    assert age is not None and 0 <= age < 60
