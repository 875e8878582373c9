"""The Syncs pages: the list of runs, one run with live progress, and "Sync now"."""

from django.urls import reverse
from django.utils import timezone

from command_center.models import AuditEntry, SyncFailure, SyncRun


def make_run(**fields):
    now = timezone.now()
    defaults = {
        "kind": "group_connections",
        "trigger": SyncRun.Trigger.SCHEDULE,
        "status": SyncRun.Status.SUCCEEDED,
        "started_at": now,
        "finished_at": now,
        "api_calls": 7,
        "message": "Read 45 group connections: 2 new, 1 changed, 0 marked removed.",
        "resources": {
            "group_connections": {
                "total": 45,
                "fetched": 45,
                "created": 2,
                "updated": 1,
                "unchanged": 42,
                "removed": 0,
                "failed": 0,
                "done": True,
                "complete": True,
                "order": 0,
            }
        },
    }
    return SyncRun.objects.create(**{**defaults, **fields})


def test_the_list_shows_each_run_with_its_counts(viewer_client):
    run = make_run()
    make_run(kind="employees", status=SyncRun.Status.FAILED, message="Noyo did not answer (503) after 5 attempts")

    response = viewer_client.get(reverse("sync_list"))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("sync_detail", args=[run.pk])}"' in body
    assert "Group connections" in body and "Employees" in body
    assert "Succeeded" in body and "Failed" in body


def test_the_list_filters_by_kind_and_status(viewer_client):
    make_run(kind="groups")
    make_run(kind="employees", status=SyncRun.Status.FAILED)

    response = viewer_client.get(reverse("sync_list"), {"kind": "employees", "status": "failed"})

    rows = list(response.context["rows"])
    assert [run.kind for run in rows] == ["employees"]


def test_a_bad_filter_value_answers_400(viewer_client):
    assert viewer_client.get(reverse("sync_list"), {"status": "exploded"}).status_code == 400


def test_an_htmx_request_gets_only_the_results(viewer_client):
    make_run()
    response = viewer_client.get(reverse("sync_list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_the_detail_page_shows_resources_failures_with_masked_ssns_and_the_error(viewer_client):
    run = make_run(status=SyncRun.Status.PARTIAL, error="Traceback (most recent call last): boom")
    SyncFailure.objects.create(
        run=run,
        resource="employees",
        noyo_id="abc",
        reason="Its date_of_birth 'x' is not a date.",
        payload={"id": "abc", "person": {"ssn": "123456789"}},
    )

    response = viewer_client.get(reverse("sync_detail", args=[run.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Group connections" in body and 'max="100" value="100"' in body
    assert "is not a date" in body
    assert "123456789" not in body and "6789" in body
    assert "Traceback" in body
    assert 'hx-trigger="every 2s"' not in body  # finished: no polling


def test_a_running_run_polls_its_progress_and_shows_a_bar_per_resource(viewer_client):
    run = make_run(
        status=SyncRun.Status.RUNNING,
        finished_at=None,
        message="",
        resources={
            "employees": {
                "total": 200,
                "fetched": 50,
                "created": 50,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": False,
                "order": 0,
            },
            "dependents": {
                "total": None,
                "fetched": 10,
                "parents": 200,
                "parents_done": 20,
                "created": 10,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": False,
                "order": 1,
            },
        },
    )

    page = viewer_client.get(reverse("sync_detail", args=[run.pk])).content.decode()
    partial = viewer_client.get(reverse("sync_progress", args=[run.pk]), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 2s"' in page
    assert partial.status_code == 200
    body = partial.content.decode()
    assert 'max="100" value="25"' in body and 'max="100" value="10"' in body
    assert body.index("Employees") < body.index("Dependents")
    assert "<html" not in body


def test_the_progress_partial_answers_286_once_the_run_has_finished(viewer_client):
    run = make_run()
    response = viewer_client.get(reverse("sync_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    assert "every 2s" not in response.content.decode()


def test_an_operator_sees_sync_now_and_a_viewer_does_not(operator_client, viewer_client):
    assert "Sync now" in operator_client.get(reverse("sync_list")).content.decode()
    assert "Sync now" not in viewer_client.get(reverse("sync_list")).content.decode()


def test_sync_now_as_operator_queues_a_run_and_audits_it(
    operator_client, operator, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: queued.append(run.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(reverse("sync_start"), {"kind": "group_connections"})

    run = SyncRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sync_detail", args=[run.pk])
    assert (run.kind, run.trigger, run.requested_by, run.status) == ("group_connections", "user", operator, "queued")
    assert queued == [run.pk]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome, entry.actor, entry.object_id) == ("sync", "succeeded", operator, str(run.pk))


def test_sync_now_while_that_family_runs_is_skipped_and_says_why(operator_client, monkeypatch):
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: None)
    operator_client.post(reverse("sync_start"), {"kind": "group_connections"})
    first = SyncRun.objects.get()

    response = operator_client.post(reverse("sync_start"), {"kind": "group_connections"}, follow=True)

    second = SyncRun.objects.exclude(pk=first.pk).get()
    assert second.status == SyncRun.Status.SKIPPED
    assert second.message == f"A group connections sync (#{first.pk}) is already queued."
    assert second.message in response.content.decode()
    assert AuditEntry.objects.filter(outcome="skipped").exists()


def test_sync_now_is_refused_with_403_for_a_viewer(viewer_client):
    response = viewer_client.post(reverse("sync_start"), {"kind": "full"})
    assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_sync_now_with_a_get_is_not_allowed(operator_client):
    assert operator_client.get(reverse("sync_start")).status_code == 405


def test_the_detail_page_says_per_family_and_per_resource_what_happened_in_plain_words(viewer_client):
    run = make_run(
        kind="full",
        status=SyncRun.Status.PARTIAL,
        message="4 of 5 families synced.",
        families={
            "groups": {
                "status": "partial",
                "message": "Read 120 records of 9 kinds: nothing changed. Noyo does not offer renewal decisions to this API key (it answered 404 to their list).",
            },
            "group_connections": {
                "status": "failed",
                "message": "Noyo did not answer (503) after 5 attempts; nothing was marked removed.",
            },
        },
        resources={
            "groups": {
                "total": 20,
                "fetched": 20,
                "created": 0,
                "updated": 0,
                "unchanged": 19,
                "failed": 1,
                "removed": 0,
                "done": True,
                "complete": True,
                "order": 0,
                "family": "groups",
            },
            "renewal_decisions": {
                "total": None,
                "fetched": 0,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "failed": 0,
                "removed": 0,
                "done": True,
                "complete": False,
                "order": 1,
                "family": "groups",
                "unavailable": "Noyo does not offer renewal decisions to this API key (it answered 404 to their list).",
                "notes": ["Nothing was marked removed: Noyo would not list them."],
            },
        },
        absorbed={
            "calls": 30,
            "rate_limited": 3,
            "rate_limited_wait_seconds": 4.5,
            "server_errors_retried": 2,
            "connection_errors_retried": 1,
            "tokens_fetched": 2,
            "tokens_refused": 1,
        },
    )

    page = " ".join(viewer_client.get(reverse("sync_detail", args=[run.pk])).content.decode().split())

    assert "Noyo does not offer renewal decisions to this API key" in page and "not offered" in page
    assert "Nothing was marked removed: Noyo would not list them." in page
    assert "Noyo did not answer (503) after 5 attempts" in page
    assert "Noyo asked us to slow down (429) 3 times; the sync waited 4.5 s in all." in page
    assert "Noyo had a server error (5xx) 2 times" in page and "dropped or timed out once" in page
    assert "Noyo refused an expired token once" in page
    assert "counts do not add up" not in page


def test_a_resource_still_being_read_is_not_said_to_be_short(viewer_client):
    # 824 read, the batch not written yet: the run goes on, nothing is missing.
    run = make_run(
        status=SyncRun.Status.RUNNING,
        finished_at=None,
        message="",
        resources={
            "dependents": {
                "total": None,
                "fetched": 824,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": False,
                "order": 0,
            },
        },
    )
    page = viewer_client.get(reverse("sync_detail", args=[run.pk])).content.decode()
    partial = viewer_client.get(reverse("sync_progress", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "counts do not add up" not in page and "counts do not add up" not in partial


def test_a_failed_runs_resource_whose_counts_fall_short_is_said_to(viewer_client):
    run = make_run(
        status=SyncRun.Status.FAILED,
        message="Noyo answered 503.",
        resources={
            "dependents": {
                "total": None,
                "fetched": 824,
                "created": 800,
                "updated": 0,
                "unchanged": 0,
                "removed": 0,
                "failed": 0,
                "done": False,
                "order": 0,
            },
        },
    )
    page = " ".join(viewer_client.get(reverse("sync_detail", args=[run.pk])).content.decode().split())
    assert "The counts do not add up: 824 read, 800 mirrored, 0 failed." in page


def test_the_detail_page_says_so_if_a_resources_counts_do_not_add_up(viewer_client):
    run = make_run(
        resources={
            "group_connections": {
                "total": 45,
                "fetched": 45,
                "created": 2,
                "updated": 1,
                "unchanged": 40,
                "removed": 0,
                "failed": 0,
                "done": True,
                "complete": True,
                "order": 0,
            }
        }
    )
    page = " ".join(viewer_client.get(reverse("sync_detail", args=[run.pk])).content.decode().split())
    assert "The counts do not add up: 45 read, 43 mirrored, 0 failed." in page


def test_after_sync_now_the_runs_page_carries_no_notice_that_goes_stale(operator_client, monkeypatch):
    # Seen: a green "…is queued." stayed above the red "Failed" once the run had failed.
    monkeypatch.setattr("command_center.sync.runs._enqueue", lambda run: None)
    operator_client.post(reverse("sync_start"), {"kind": "group_connections"})
    run = SyncRun.objects.get()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED, message="Noyo did not answer (503).")

    page = operator_client.get(reverse("sync_detail", args=[run.pk])).content.decode()

    assert "is queued" not in page
    assert 'class="notice ok"' not in page and "Noyo did not answer (503)." in page
