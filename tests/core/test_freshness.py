"""Every page's header says how current its data is; green only when the latest attempt succeeded."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from command_center.models import SyncFamily, SyncRun
from command_center.sync import runs
from command_center.sync.runs import Outcome, record_outcome

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(response.content.decode().split())


def attempt(family, status, message="Read 45 group connections: nothing changed.", ago=dt.timedelta(minutes=1)):
    """A finished run of one family, recorded as the run wrapper records it."""
    finished = timezone.now() - ago
    run = SyncRun.objects.create(kind=family, trigger="schedule", status=status, finished_at=finished, message=message)
    runs.ensure_families()
    record_outcome(run, Outcome(family, status, message), finished=finished)
    return run


def test_the_header_is_green_when_the_latest_attempt_of_the_pages_families_succeeded(viewer_client):
    attempt("groups", "succeeded")
    attempt("group_connections", "succeeded")

    page = text(viewer_client.get(reverse("connections:connection_list")))

    assert 'class="freshness ok"' in page
    assert "Data current" in page
    assert 'role="alert"' not in page


def test_a_failed_latest_attempt_turns_the_header_red_and_says_which_family_when_why_and_the_datas_time(viewer_client):
    # Seen: the dashboard showed a green "Synced just now" from the last *successful* run.
    attempt("group_connections", "succeeded", ago=dt.timedelta(minutes=40))
    failed = attempt(
        "group_connections", "failed", message="Noyo did not answer (503) after 5 attempts; nothing was marked removed."
    )

    page = text(viewer_client.get(reverse("dashboard")))

    assert 'class="freshness bad"' in page
    assert "Data current" not in page and "Synced 40 minutes ago" not in page
    assert "The group connections sync failed 1 minute ago: Noyo did not answer (503) after 5 attempts" in page
    assert "The group connections shown are from" in page and "(40 minutes ago)" in page
    assert reverse("sync_detail", args=[failed.pk]) in page


def test_a_page_is_not_red_for_a_family_it_does_not_read(viewer_client):
    attempt("employees", "succeeded")
    attempt("group_connections", "failed", message="Noyo did not answer (503).")

    page = text(viewer_client.get(reverse("members:employee_list")))

    assert 'class="freshness ok"' in page
    assert "Noyo did not answer" not in page


def test_a_partly_synced_family_is_amber_and_says_so(viewer_client):
    attempt("groups", "succeeded")
    attempt(
        "group_connections",
        "partial",
        message="Read 45 group connections: nothing changed. 2 records could not be read.",
    )

    page = text(viewer_client.get(reverse("connections:connection_list")))

    assert 'class="freshness warn"' in page
    assert "2 records could not be read" in page


def test_a_family_that_stopped_syncing_is_amber_even_if_its_last_run_succeeded(viewer_client):
    attempt("groups", "succeeded")
    attempt("group_connections", "succeeded", ago=dt.timedelta(hours=2))

    page = text(viewer_client.get(reverse("connections:connection_list")))

    assert 'class="freshness warn"' in page
    assert "Group connections have not synced for 2 hours; they sync every 5 minutes." in page


def test_a_family_never_synced_says_nothing_was_mirrored_yet(viewer_client):
    page = text(viewer_client.get(reverse("connections:connection_list")))

    assert 'class="freshness bad"' in page
    assert "Nothing has been mirrored from Noyo yet" in page


def test_a_run_whose_worker_died_is_recorded_as_its_families_latest_failed_attempt(db):
    run = runs.start_sync("snapshots", SyncRun.Trigger.SCHEDULE, enqueue=False)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING, started_at=long_ago, heartbeat_at=long_ago)

    runs.reap_stale_runs()

    family = SyncFamily.objects.get(family="snapshots")
    assert (family.last_outcome, family.last_message) == ("failed", "The worker stopped while this sync was running.")


def test_healthz_reports_each_familys_latest_outcome_and_the_age_of_its_data(client):
    attempt("group_connections", "succeeded", ago=dt.timedelta(minutes=30))
    attempt("group_connections", "failed", message="Noyo did not answer (503).", ago=dt.timedelta(minutes=2))

    body = client.get(reverse("healthz")).json()

    connections = body["families"]["group_connections"]
    assert connections["latest_outcome"] == "failed"
    assert connections["latest_message"] == "Noyo did not answer (503)."
    assert 110 <= connections["latest_attempt_age_seconds"] <= 130
    assert 1790 <= connections["data_age_seconds"] <= 1810
    assert 1790 <= connections["last_success_age_seconds"] <= 1810
    assert body["families"]["employees"]["latest_outcome"] == "never_run"
    assert body["mirror"] == "failing"


def test_the_dashboard_takes_its_freshness_from_every_family_it_counts(viewer_client):
    """It counts disconnections and renewals, which the groups family reads."""
    from command_center.freshness import families_read_by

    assert "groups" in families_read_by("dashboard")


@pytest.mark.parametrize("url_name", ["api_key_list", "alerts:subscription_list", "alerts:channel_list"])
def test_a_page_that_shows_nothing_from_noyo_says_nothing_about_its_freshness(operator_client, url_name):
    # Seen: the API keys and alerts pages carried a banner for every family, and would have shown a
    # green pill vouching for data they do not show.
    record_outcome(
        runs.start_sync("groups", SyncRun.Trigger.COMMAND, enqueue=False),
        Outcome("groups", SyncRun.Status.FAILED, "Noyo is down"),
    )
    html = text(operator_client.get(reverse(url_name)))
    assert 'id="freshness"' not in html and "Noyo is down" not in html
