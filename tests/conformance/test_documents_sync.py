"""A full sync of Noyo's documents, through the real client and mirror, lands every documented record.

Noyo is ``server.RunningDocuments``: each response example of ``documents.json`` at its
documented path, 404 for anything else. What each table must hold is ``records.TABLES``.

A full sync also reads lists the documents do not show: the org-wide ``/renewal_decisions``
and ``/differences``, each group's disconnection requests and member snapshots, and each
group enrollment's individual enrollments. The server answers them 404, as Noyo does for
what an API key is not offered: the first four are then *unavailable* (the run is partly
synced, saying so, and marks none of them removed); the enrollments are read per employee,
the documented way.
"""

from __future__ import annotations

import pytest

from command_center.models import SyncFailure, SyncRun
from command_center.sync import runs
from command_center.sync.engine import write_one
from connections.models import CarrierConfiguration, Contact, Group, GroupEnrollment, LatestAudit, Plan
from members.models import Employee, IndividualEnrollment, MemberRequest, MemberTransaction
from members.sync import INDIVIDUAL_ENROLLMENTS
from tests.conformance import documents
from tests.conformance.records import TABLES, Table
from tests.sync.conftest import mirror_writes

# The lists a full sync reads that no document shows, and what the run says of each.
UNAVAILABLE = {
    "renewal_decisions": "Noyo does not offer renewal decisions to this API key (it answered 404 to their list).",
    "differences": "Noyo does not offer tracking differences to this API key (it answered 404 to their list).",
    "disconnection_requests": "Noyo does not offer disconnection requests to this API key (it answered 404 to the lists of all 6 parents).",
    "member_snapshots": "Noyo does not offer member snapshots to this API key (it answered 404 to the lists of all 6 parents).",
}
# Records shown only by a GET of one record, in no documented list: no sync can reach them.
ONLY_IN_GET_ONE_EXAMPLES = {
    # Seed 001's "Temporal Data" example: one individual enrollment as of three dates.
    "ac96373c-fcb2-4cb5-af1f-52d2afeace01": "/api/v1/individual_enrollments/ac96373c-fcb2-4cb5-af1f-52d2afeace01",
}


def full_sync() -> SyncRun:
    started = runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False)
    assert started.status == SyncRun.Status.QUEUED, started.message
    return runs.execute(started.pk)


@pytest.fixture
def documents_sync(documents_settings, documented_noyo, db):
    """documents_sync() runs a full sync of the documents in the foreground and returns the finished run."""
    return full_sync


def assert_synced_but_for_what_the_documents_do_not_offer(run):
    """Partly synced, and only because the lists no document shows are not offered."""
    assert run.status == SyncRun.Status.PARTIAL, run.message
    assert {
        key: counts.get("unavailable") for key, counts in run.resources.items() if counts.get("unavailable")
    } == UNAVAILABLE
    assert {family: outcome["status"] for family, outcome in run.families.items()} == {
        "groups": "partial",
        "group_connections": "succeeded",
        "employees": "succeeded",
        "snapshots": "partial",
        "member_requests": "succeeded",
    }


@pytest.mark.parametrize("table", [pytest.param(t, id=t.name) for t in TABLES])
def test_every_documented_record_lands_in_its_table_with_its_documented_fields(table, documents_sync):
    run = documents_sync()

    assert_synced_but_for_what_the_documents_do_not_offer(run)
    records = table.records()
    assert records, f"the documents hold no {table.name}: the table in records.py is wrong"
    problems = []
    for record in records:
        # No ordering: Meta.ordering by a parent ("group") would INNER JOIN it and hide rows whose parent is not mirrored.
        rows = list(table.model._base_manager.filter(**table.find(record)).order_by())
        if len(rows) != 1:
            problems.append(f"{record.where}: {len(rows)} rows for {table.find(record)}")
        else:
            problems += differences(table, record, rows[0])
    assert not problems, "\n".join(problems)


def differences(table: Table, record, row) -> list[str]:
    """How ``row`` differs from what the documents say of ``record``, one line per column."""
    found = []
    for column, documented in table.expected(record).items():
        mirrored = getattr(row, column)
        if column in table.unordered:
            mirrored, documented = sorted(mirrored), sorted(documented)
        if mirrored != documented:
            found.append(f"{record.where}: {table.name}.{column} is {mirrored!r}, documented {documented!r}")
    return found


def test_the_documented_individual_enrollment_maps_to_its_documented_fields(db):
    """The mapping on its own, the payload as documented: the family owner is the employee."""
    (table,) = [t for t in TABLES if t.model is IndividualEnrollment]
    (record,) = table.records()

    row = write_one(INDIVIDUAL_ENROLLMENTS, record.payload)

    assert differences(table, record, row) == []
    assert row.employee_id == record.payload["individual_id"]  # an employee's own enrollment: the family owner


def test_no_documented_record_is_recorded_as_failed(documents_sync):
    run = documents_sync()

    failures = [f"{f.resource} {f.noyo_id}: {f.reason}" for f in SyncFailure.objects.filter(run=run)]
    assert failures == []
    assert run.totals["failed"] == 0


def test_references_to_records_the_documents_lack_crash_nothing_and_the_counts_add_up(documents_sync):
    run = documents_sync()

    assert_synced_but_for_what_the_documents_do_not_offer(run)
    for key, counts in run.resources.items():
        accounted = counts["created"] + counts["updated"] + counts["unchanged"] + counts["repeated"] + counts["failed"]
        assert counts["fetched"] == accounted, f"{key}: fetched {counts['fetched']}, accounted for {accounted}"
    # The documents' records point at records they never show; each still landed, pointing there.
    dangling = {
        "a carrier configuration's group": CarrierConfiguration.objects.get().group_id,
        "the latest audit's group": LatestAudit.objects.get().group_id,
        "a plan's group enrollment": Plan.objects.first().group_enrollment_id,
        "the member transaction's member request": MemberTransaction.objects.get().member_request_id,
        "the member transaction's employee": MemberTransaction.objects.get().employee_id,
    }
    known = set(Group.objects.values_list("pk", flat=True)) | set(GroupEnrollment.objects.values_list("pk", flat=True))
    known |= set(MemberRequest.objects.values_list("pk", flat=True)) | set(
        Employee.objects.values_list("pk", flat=True)
    )
    assert all(target and target not in known for target in dangling.values()), dangling


def test_the_groups_without_documented_children_are_read_as_having_none(documents_sync, documented_noyo):
    run = documents_sync()

    not_found = {r["path"] for r in documented_noyo.requests() if r["status"] == 404}
    assert "/api/v1/groups/049c6ac3-3cf2-4d99-b781-aaa9aa846cb2/contacts" in not_found
    assert run.resources["contacts"]["complete"] is True, run.resources["contacts"]
    assert Contact.objects.filter(group_id="049c6ac3-3cf2-4d99-b781-aaa9aa846cb2").count() == 0


def test_a_second_sync_of_the_documents_changes_nothing(documents_sync, capture_writes):
    first = documents_sync()
    assert first.totals["created"] > 0

    with capture_writes() as captured:
        second = documents_sync()

    assert_synced_but_for_what_the_documents_do_not_offer(second)
    assert {key: second.totals[key] for key in ("created", "updated", "removed", "failed")} == {
        "created": 0,
        "updated": 0,
        "removed": 0,
        "failed": 0,
    }
    assert mirror_writes(captured.captured_queries) == []


def test_the_individual_enrollments_are_read_per_employee_when_no_group_enrollment_list_is_offered(documents_sync):
    run = documents_sync()

    enrollments = run.resources["individual_enrollments"]
    assert "so they were read per employee instead" in enrollments["notes"][0]
    assert enrollments["complete"] is True and not enrollments.get("unavailable")


def test_the_records_no_documented_list_holds_are_only_the_temporal_data_example():
    listed = set()
    for table in TABLES:
        listed |= {record.payload.get("id") for record in table.records()}
    only_get_one = {
        example["json"]["id"]: example["path"]
        for example in documents.load()["examples"]
        if example["kind"] == "response"
        and example["method"] == "GET"
        and isinstance(example["json"], dict)
        and isinstance(example["json"].get("id"), str)
        and example["json"]["id"] not in listed
    }

    assert only_get_one == ONLY_IN_GET_ONE_EXAMPLES
