"""Per-parent lists split into chunk tasks (command_center.sync.chunks): what one process reads, many read alike."""

import threading
import uuid

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from command_center.models import SyncChunk, SyncFailure, SyncRun
from command_center.sync import chunks
from members.models import Dependent, Employee, IndividualEnrollment, Premium
from tests.factories import make_sync_run
from tests.noyo.test_client import wait_until
from tests.sync.test_sync_full import EVERY_MODEL

PARENTS_PER_CHUNK = 3


@pytest.fixture
def chunked(settings):
    settings.NOYO_SYNC_CHUNK_PARENTS = PARENTS_PER_CHUNK


def a_dependent_noyo_does_not_have() -> Dependent:
    dependent = Dependent.objects.first()
    dependent.pk = str(uuid.uuid4())
    dependent.save()
    return dependent


def every_count(run):
    return {key: {k: v for k, v in counts.items() if k != "order"} for key, counts in run.resources.items()}


def test_a_chunked_full_sync_mirrors_what_one_process_does(sync_now, sandbox, settings):
    settings.NOYO_SYNC_CHUNK_PARENTS = 0
    whole = sync_now()
    mirror = {model: set(model.objects.values_list("pk", "version")) for model in EVERY_MODEL}
    for model in EVERY_MODEL:
        model.objects.all().delete()

    settings.NOYO_SYNC_CHUNK_PARENTS = PARENTS_PER_CHUNK
    run = sync_now()

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert {model: set(model.objects.values_list("pk", "version")) for model in EVERY_MODEL} == mirror
    assert every_count(run) == every_count(whole)
    assert run.api_calls == whole.api_calls
    steps = set(SyncChunk.objects.filter(run=run).values_list("step", flat=True))
    assert steps == {
        "groups.lists",
        "employees.dependents",
        "employees.enrollments",
        "employees.premiums",
        "snapshots.by_group",
    }
    assert set(SyncChunk.objects.filter(run=run).values_list("status", flat=True)) == {SyncChunk.Status.DONE}
    employees = Employee.objects.count()
    assert SyncChunk.objects.filter(run=run, step="employees.dependents").count() == -(-employees // 3)
    # Lines of coverage are derived from the enrollments every chunk wrote.
    assert Employee.objects.exclude(lines_of_coverage=[]).exists()


def test_the_runs_page_says_how_its_lists_were_shared_out(chunked, sync_now, sandbox, viewer_client):
    run = sync_now("groups")
    groups = run.resources["contacts"]["parents"]

    page = viewer_client.get(reverse("sync_detail", args=[run.pk])).content.decode()

    chunks_read = -(-groups // PARENTS_PER_CHUNK)
    assert "Shared out among workers" in page
    assert f"Groups, lists: {chunks_read} of {chunks_read} chunks read, by 1 worker." in page


def test_a_chunked_resync_marks_removed_what_no_chunk_saw(chunked, sync_now, sandbox):
    sync_now()
    planted = a_dependent_noyo_does_not_have()

    run = sync_now()

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.resources["dependents"]["removed"] == 1
    planted.refresh_from_db()
    assert planted.removed_upstream_at is not None
    assert Dependent.objects.removed().count() == 1
    counts = run.resources["dependents"]
    assert counts["parents_done"] == counts["parents"] == Employee.objects.count()


def another_worker_reads(monkeypatch, before=None):
    """Chunk tasks run by another worker (a thread with its own client and database connection) as they
    are queued, each to its end before the run's task looks: the run's task then only adds them up."""
    workers = []

    def enqueue(ids):
        def work():
            try:
                for pk in ids:
                    if before is not None:
                        before(pk)
                    chunks.run_task(pk)
            finally:
                from django.db import connection

                connection.close()

        thread = threading.Thread(target=work, name="other-worker")
        thread.start()
        thread.join()
        workers.append(thread.name)

    monkeypatch.setattr(chunks, "enqueue", enqueue)
    return workers


@pytest.mark.django_db(transaction=True)
def test_chunks_read_by_another_worker_add_up_in_the_run(chunked, sync_now, sandbox, monkeypatch):
    sync_now("groups")
    asked_before = len(sandbox.requests())
    another_worker_reads(monkeypatch)

    run = sync_now("employees")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert {
        worker.rsplit(":", 1)[1] for worker in SyncChunk.objects.filter(run=run).values_list("worker", flat=True)
    } == {"other-worker"}
    assert Dependent.objects.count() == sandbox.data.counts()["dependents"]
    assert IndividualEnrollment.objects.exists() and Premium.objects.exists()
    counts = run.resources["dependents"]
    assert counts["fetched"] == counts["created"] == Dependent.objects.count()
    # The other worker's calls are the run's too: the count is every call the sandbox answered for it.
    assert run.api_calls == len([r for r in sandbox.requests()[asked_before:] if "/api/v1/" in r["path"]])


@pytest.mark.django_db(transaction=True)
def test_a_chunk_whose_worker_died_is_read_again(chunked, sync_now, sandbox, monkeypatch):
    sync_now("groups")
    sync_now("employees")
    planted = a_dependent_noyo_does_not_have()
    died = []

    def die_on_the_first(pk):
        if not died and chunks.claim(pk) is not None:
            chunk = SyncChunk.objects.get(pk=pk)
            SyncFailure.objects.create(run=chunk.run, chunk=chunk, resource="dependents", reason="Half read.")
            SyncChunk.objects.filter(pk=pk).update(heartbeat_at="2000-01-01T00:00:00Z")  # and no beat since
            died.append(pk)

    another_worker_reads(monkeypatch, before=die_on_the_first)

    run = sync_now("employees")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    lost = SyncChunk.objects.get(pk=died[0])
    assert (lost.status, lost.attempts) == (SyncChunk.Status.DONE, 2)
    assert not SyncFailure.objects.filter(chunk=lost).exists()
    planted.refresh_from_db()
    assert planted.removed_upstream_at is not None
    counts = run.resources["dependents"]
    assert counts["fetched"] == counts["unchanged"] == Dependent.objects.present().count()


@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_lost_its_worker_too_often_fails_the_family_and_nothing_is_removed(
    chunked, sync_now, sandbox, monkeypatch
):
    sync_now("groups")
    sync_now("employees")
    planted = a_dependent_noyo_does_not_have()
    died = []

    def lose_the_first_for_good(pk):
        if not died and chunks.claim(pk) is not None:
            SyncChunk.objects.filter(pk=pk).update(attempts=chunks.MAX_ATTEMPTS, heartbeat_at="2000-01-01T00:00:00Z")
            died.append(pk)

    another_worker_reads(monkeypatch, before=lose_the_first_for_good)

    run = sync_now("employees")

    assert run.status == SyncRun.Status.FAILED
    assert "stopped 3 times" in run.message and "nothing was marked removed" in run.message
    planted.refresh_from_db()
    assert planted.removed_upstream_at is None
    assert SyncChunk.objects.get(pk=died[0]).status == SyncChunk.Status.FAILED


def test_noyo_failing_in_a_chunk_stops_the_family_as_it_would_in_one_process(sync_now, sandbox, settings):
    sync_now("groups")
    sync_now("employees")
    planted = a_dependent_noyo_does_not_have()
    sandbox.set_faults(rate_500=1.0, path_contains="/dependents")
    settings.NOYO_SYNC_CHUNK_PARENTS = 0
    whole = sync_now("employees")

    settings.NOYO_SYNC_CHUNK_PARENTS = PARENTS_PER_CHUNK
    run = sync_now("employees")

    assert run.status == whole.status == SyncRun.Status.FAILED
    assert run.message == whole.message
    assert run.message.startswith("Noyo answered 500") and "nothing was marked removed" in run.message
    planted.refresh_from_db()
    assert planted.removed_upstream_at is None
    statuses = set(SyncChunk.objects.filter(run=run, step="employees.dependents").values_list("status", flat=True))
    assert statuses <= {SyncChunk.Status.FAILED, SyncChunk.Status.CANCELLED}
    assert SyncChunk.Status.FAILED in statuses
    assert not SyncChunk.objects.filter(run=run, step="employees.premiums").exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_chunk_at_once_read_it_once():
    # Seen in the workers benchmark: chunks marked "read 2 times" by one worker in a healthy run,
    # each costing its calls twice. The claim must re-check the chunk's status after the other
    # claimer's commit, not the status it saw before waiting for it.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: two claims never overlap there")
    run = make_sync_run(kind="employees", status=SyncRun.Status.RUNNING, finished_at=None)
    chunk = SyncChunk.objects.create(run=run, step="employees.dependents", number=0, parents=[])
    second = {}

    def claim_too():
        try:
            second["chunk"] = chunks.claim(chunk.pk)
        finally:
            connections.close_all()

    other = threading.Thread(target=claim_too)
    with transaction.atomic():
        assert chunks.claim(chunk.pk) is not None
        other.start()
        wait_until(a_claim_waits_on_a_row_lock)  # the other claim is blocked behind this one's
    other.join(timeout=15)

    assert second == {"chunk": None}
    assert SyncChunk.objects.get(pk=chunk.pk).attempts == 1


def a_claim_waits_on_a_row_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees the activity of its start
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            ['UPDATE "command_center_syncchunk"%'],
        )
        return cursor.fetchone()[0] > 0
