"""What a snapshot sent, through a real sync against the sandbox: the lists leave the submitted payload out
(seed 002), so the sync reads each new or changed snapshot on its own, once, and a resync with no change
reads none."""

import datetime as dt

import pytest
from django.urls import reverse

from command_center.models import SyncRun
from members import sync as members_sync
from members.models import Employee, MemberSnapshot
from tests.members.factories import SSN_DIGITS
from tests.sync.conftest import mirror_writes


def single_reads(sandbox):
    """The GETs of one snapshot (``/member_snapshots/{id}``), not of a group's list."""
    return list(sandbox.requests(method="GET", path_contains="/api/v1/member_snapshots/"))


def test_a_sync_reads_each_snapshot_once_and_keeps_its_payload_and_created_members(sync_now, sandbox):
    run = sync_now()

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    snapshots = MemberSnapshot.objects.all()
    assert len(single_reads(sandbox)) == snapshots.count() > 0
    assert not MemberSnapshot.objects.details_needed().exists()
    assert all(s.submitted and s.details_read for s in snapshots)
    created = snapshots.exclude(created_members=[]).first()
    (member,) = created.created_members
    assert member["id"] == created.employee_id and member["type"] == "employee"
    assert "one by one" in " ".join(run.resources["member_snapshots"]["notes"])


def test_a_resync_with_no_change_reads_no_snapshot_and_writes_nothing(sync_now, sandbox, capture_writes):
    sync_now()
    before = len(single_reads(sandbox))

    with capture_writes() as captured:
        run = sync_now()

    assert len(single_reads(sandbox)) == before
    assert mirror_writes(captured.captured_queries) == []
    assert (run.totals["created"], run.totals["updated"]) == (0, 0)


def test_only_the_snapshots_whose_version_moved_are_read_again(sync_now, sandbox):
    sync_now()
    versions = dict(MemberSnapshot.objects.values_list("pk", "version"))
    before = len(single_reads(sandbox))
    sandbox.advance(dt.timedelta(days=2).total_seconds())

    sync_now()

    moved = {pk for pk, version in MemberSnapshot.objects.values_list("pk", "version") if versions.get(pk) != version}
    read = [r["path"].rsplit("/", 1)[-1] for r in single_reads(sandbox)[before:]]
    assert moved and sorted(read) == sorted(moved)
    assert not MemberSnapshot.objects.details_needed().exists()


def test_a_run_reads_at_most_its_share_newest_first_and_the_next_runs_the_rest(sync_now, sandbox, monkeypatch):
    monkeypatch.setattr(members_sync, "DETAILS_PER_RUN", 5)
    run = sync_now()

    newest = list(MemberSnapshot.objects.order_by("-created", "pk").values_list("pk", flat=True)[:5])
    assert sorted(r["path"].rsplit("/", 1)[-1] for r in single_reads(sandbox)) == sorted(newest)
    assert "at most 5 are read a run" in " ".join(run.resources["member_snapshots"]["notes"])
    waiting = MemberSnapshot.objects.details_needed().count()

    sync_now()

    assert MemberSnapshot.objects.details_needed().count() == waiting - 5
    assert len(single_reads(sandbox)) == 10


def test_a_snapshot_noyo_will_not_show_alone_is_not_asked_again(sync_now, sandbox, viewer_client):
    sandbox.set_faults(not_offered={"/member_snapshots/{id}": 404})
    sync_now()
    asked = len(single_reads(sandbox))

    sync_now()

    assert asked == MemberSnapshot.objects.count() and len(single_reads(sandbox)) == asked
    assert not MemberSnapshot.objects.exclude(submitted=None).exists()
    snapshot = MemberSnapshot.objects.first()
    assert snapshot.details_read
    html = viewer_client.get(reverse("members:snapshot_detail", args=[snapshot.pk])).content.decode()
    assert "Noyo's copy of this snapshot came without the submitted payload." in html


def test_when_noyo_fails_the_snapshots_are_kept_and_the_next_sync_reads_them(sync_now, sandbox):
    sandbox.set_faults(rate_500=1.0, path_contains="/api/v1/member_snapshots/")
    run = sync_now()

    assert (
        MemberSnapshot.objects.exists()
        and MemberSnapshot.objects.details_needed().count() == MemberSnapshot.objects.count()
    )
    assert "the next sync asks again" in " ".join(run.resources["member_snapshots"]["notes"])
    assert run.resources["differences"]["fetched"] > 0  # read before the single snapshots: not lost

    sandbox.set_faults()
    sync_now()

    assert not MemberSnapshot.objects.details_needed().exists()


@pytest.fixture
def synced(sync_now, sandbox):
    run = sync_now()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    return run


def test_the_snapshot_page_shows_what_was_sent_readably_with_ssns_masked(viewer_client, synced):
    snapshot = MemberSnapshot.objects.exclude(created_members=[]).select_related("employee").first()
    employee = snapshot.employee
    html = viewer_client.get(reverse("members:snapshot_detail", args=[snapshot.pk])).content.decode()

    section = html[html.index('id="submitted"') : html.index('id="differences"')]
    assert "What was sent" in section and "Current open" in section
    assert employee.first_name in section and employee.last_name in section
    assert employee.ssn_masked in section
    assert employee.ssn not in html and employee.ssn.replace("-", "") not in html
    assert "Coverage" in section and "Members this snapshot created" in section
    assert reverse("members:employee_detail", args=[employee.pk]) in section
    assert "EMP-" in section  # the custom id the created member was given
    assert "Submitted payload as JSON" in section


def test_each_person_sent_links_to_the_mirrored_employee(viewer_client, synced):
    snapshot = MemberSnapshot.objects.exclude(submitted=None).first()
    response = viewer_client.get(reverse("members:snapshot_detail", args=[snapshot.pk]))
    (employee_row, *dependent_rows) = response.context["submitted"].people
    assert employee_row.role == "Employee" and employee_row.mirrored["employee_id"] == snapshot.employee_id
    assert all(person.mirrored and person.mirrored["kind"] == "dependent" for person in dependent_rows)
    assert SSN_DIGITS not in response.content.decode()


def test_a_snapshot_not_read_yet_says_when_it_will_be(viewer_client, synced):
    snapshot = MemberSnapshot.objects.first()
    MemberSnapshot.objects.filter(pk=snapshot.pk).update(submitted=None, created_members=[], details_version="", raw={})
    html = viewer_client.get(reverse("members:snapshot_detail", args=[snapshot.pk])).content.decode()
    assert "Not read yet." in html and "the next sync brings it" in html


def test_the_snapshot_family_alone_reads_them_too(sync_now, sandbox):
    sync_now()
    MemberSnapshot.objects.update(details_version="")
    before = len(single_reads(sandbox))

    run = sync_now(kind="snapshots")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert len(single_reads(sandbox)) - before == MemberSnapshot.objects.count()
    assert Employee.objects.exists()


def test_a_snapshot_a_webhook_brought_keeps_its_payload_and_the_sync_does_not_read_it_again(
    client, settings, sync_now, sandbox, django_capture_on_commit_callbacks
):
    from tests.sync.test_webhook_view import SECRET, URL, event, signed

    settings.NOYO_WEBHOOK_SECRET = SECRET
    sync_now()
    snapshot = MemberSnapshot.objects.first()
    MemberSnapshot.objects.filter(pk=snapshot.pk).update(submitted=None, created_members=[], details_version="")
    raw, headers = signed(event(snapshot.pk, "member_snapshot.status_change"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, raw, content_type="application/json", **headers).status_code == 200

    snapshot.refresh_from_db()
    assert snapshot.submitted and snapshot.details_read
    before = len(single_reads(sandbox))
    sync_now()
    assert len(single_reads(sandbox)) == before
