"""python manage.py noyo_sync: the same sync in the foreground, with its summary."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from command_center.models import SyncRun
from connections.models import GroupConnection

pytestmark = pytest.mark.django_db


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("noyo_sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_runs_the_sync_and_prints_counts_api_calls_and_duration(noyo_settings, sandbox):
    out, _ = run_command("--resources", "group_connections")

    run = SyncRun.objects.get()
    assert (run.kind, run.trigger, run.status) == ("group_connections", "command", "succeeded")
    assert GroupConnection.objects.count() == sandbox.data.counts()["group_connections"]
    assert f"Group connections sync #{run.pk}: succeeded in" in out
    assert f"{run.api_calls:,} API calls" in out
    assert "group connections" in out and "fetched" in out and "unchanged" in out
    assert "records/s" in out


def test_several_families_run_one_after_another(noyo_settings, sandbox):
    run_command("--resources", "member_requests", "group_connections")
    assert list(SyncRun.objects.order_by("pk").values_list("kind", flat=True)) == [
        "group_connections",
        "member_requests",
    ]


def test_it_lists_failed_records(noyo_settings, sandbox):
    sandbox.set_faults(malformed_rate=0.2, malformed_mode="bad_date")
    out, _ = run_command("--resources", "group_connections")
    assert "Failed records (" in out
    assert "is not a date" in out or "is not a time" in out


def test_a_bad_resource_name_is_a_command_error(db):
    with pytest.raises(CommandError, match="Unknown resource family: widgets"):
        run_command("--resources", "widgets")
    assert not SyncRun.objects.exists()


def test_a_failed_sync_is_a_command_error_with_its_message(noyo_settings, sandbox):
    sandbox.set_faults(rate_503=1.0, retry_after=0)
    with pytest.raises(CommandError, match=r"failed: Noyo did not answer \(503\)"):
        run_command("--resources", "group_connections")


def test_queue_hands_the_sync_to_the_worker(db, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: queued.append(run.kind))
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run_command("--queue")
    run = SyncRun.objects.get()
    assert (run.kind, run.status) == ("full", "queued")
    assert queued == ["full"]
    assert f"Queued full sync #{run.pk}" in out
