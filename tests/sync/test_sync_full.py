"""The full sync against the sandbox over HTTP: every model filled, relations right, a resync writes nothing."""

import datetime as dt

from command_center.models import StatusChange, SyncRun
from connections.models import (
    Carrier,
    CarrierConfiguration,
    Contact,
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    GroupEnrollment,
    LatestAudit,
    Location,
    Plan,
    RenewalDecision,
)
from members.models import (
    Dependent,
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberSnapshot,
    MemberTransaction,
    Premium,
    TrackingDifference,
)
from tests.sync.conftest import mirror_writes

EVERY_MODEL = (
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    CarrierConfiguration,
    Contact,
    Location,
    LatestAudit,
    GroupEnrollment,
    Plan,
    RenewalDecision,
    Employee,
    Dependent,
    IndividualEnrollment,
    Premium,
    MemberSnapshot,
    FulfillmentSummary,
    TrackingDifference,
    MemberRequest,
    MemberTransaction,
)


def test_a_full_sync_fills_every_model_with_the_sandboxs_counts(sync_now, sandbox):
    run = sync_now()

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    counts = sandbox.data.counts()
    assert Group.objects.count() == counts["groups"]
    assert GroupConnection.objects.count() == counts["group_connections"]
    assert Employee.objects.count() == counts["employees"]
    assert Dependent.objects.count() == counts["dependents"]
    assert MemberRequest.objects.count() == counts["member_requests"]
    assert MemberTransaction.objects.count() == counts["member_transactions"]
    assert TrackingDifference.objects.count() == counts["differences"]
    assert RenewalDecision.objects.count() == counts["renewal_decisions"]
    for model in EVERY_MODEL:
        assert model.objects.exists(), f"{model.__name__} is empty"
    assert run.totals["created"] == sum(model.objects.count() for model in EVERY_MODEL)
    assert run.totals["failed"] == 0
    assert not any(model.objects.removed().exists() for model in EVERY_MODEL)


def test_a_full_sync_links_records_to_their_parents(sync_now, sandbox):
    sync_now()

    group_ids = set(Group.objects.values_list("pk", flat=True))
    employee_ids = set(Employee.objects.values_list("pk", flat=True))
    assert set(GroupConnection.objects.values_list("group_id", flat=True)) <= group_ids
    assert set(Employee.objects.values_list("group_id", flat=True)) <= group_ids
    assert set(Dependent.objects.values_list("employee_id", flat=True)) <= employee_ids
    assert not IndividualEnrollment.objects.filter(employee=None).exists()
    assert set(IndividualEnrollment.objects.values_list("employee_id", flat=True)) <= employee_ids
    assert not MemberRequest.objects.filter(group=None).exists()
    assert not MemberSnapshot.objects.filter(group=None).exists()
    assert not FulfillmentSummary.objects.filter(snapshot=None).exists()
    # Every carrier id seen has a Carrier row (a placeholder until staff name it).
    carrier_ids = set(Carrier.objects.values_list("pk", flat=True))
    assert set(GroupConnection.objects.values_list("carrier_id", flat=True)) <= carrier_ids
    assert set(IndividualEnrollment.objects.values_list("carrier_id", flat=True)) <= carrier_ids


def test_it_fills_the_columns_the_sync_derives(sync_now, sandbox):
    sync_now()

    covered = Employee.objects.exclude(lines_of_coverage="")
    assert covered.count() > Employee.objects.count() / 2
    employee = covered.first()
    lines = set(
        IndividualEnrollment.objects.filter(employee=employee)
        .exclude(status="terminated")
        .values_list("line_of_coverage", flat=True)
    )
    assert employee.lines_of_coverage_list == sorted(lines)
    replaced = MemberSnapshot.objects.filter(status="replaced")
    assert replaced.exists()
    for snapshot in replaced:
        assert snapshot.replaced_by is not None
        assert snapshot.replaced_by.employee_id == snapshot.employee_id
        assert snapshot.replaced_by.created >= snapshot.created
    connection = GroupConnection.objects.exclude(status="").first()
    assert connection.status_changed_at == connection.modified  # first sight: Noyo's modified
    assert StatusChange.objects.for_object(connection).get().new_status == connection.status


def test_a_second_sync_in_a_row_writes_nothing(sync_now, sandbox, capture_writes):
    sync_now()
    before = {model: dict(model.objects.values_list("pk", "last_seen")) for model in EVERY_MODEL}
    changes = StatusChange.objects.count()

    with capture_writes() as captured:
        run = sync_now()

    assert mirror_writes(captured.captured_queries) == []
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.totals["created"], run.totals["updated"], run.totals["removed"]) == (0, 0, 0)
    assert run.totals["unchanged"] == run.totals["fetched"]
    assert "nothing changed" in run.message
    assert {model: dict(model.objects.values_list("pk", "last_seen")) for model in EVERY_MODEL} == before
    assert StatusChange.objects.count() == changes


def test_advancing_the_sandbox_clock_produces_updates_and_status_history(sync_now, sandbox):
    sync_now()
    sandbox.advance(dt.timedelta(days=2).total_seconds())

    run = sync_now()

    assert run.totals["updated"] > 0
    moved = StatusChange.objects.filter(run=run).exclude(old_status="")
    assert moved.exists()
    change = moved.filter(resource="connections.groupconnection").first()
    assert change is not None
    connection = GroupConnection.objects.get(pk=change.object_id)
    assert connection.status == change.new_status
    assert connection.status_changed_at == change.observed_at
    assert run.resources["group_connections"]["updated"] >= 1


def test_it_counts_api_calls_near_the_minimum(sync_now, sandbox):
    run = sync_now()

    requests = sandbox.requests(method="GET")
    assert run.api_calls == len(requests)
    lists = {
        "/group_connections": "group_connections",
        "/member_requests": "member_requests",
        "/member_transactions": "member_transactions",
    }
    counts = sandbox.data.counts()
    for path, key in lists.items():
        made = [r for r in requests if r["path"].endswith("/api/v1" + path)]
        assert len(made) == -(-counts[key] // 100), path
