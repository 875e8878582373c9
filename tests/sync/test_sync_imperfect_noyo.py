"""A sync against a Noyo that is not our sandbox's best behaviour: lists not offered, families failing,
malformed parents, faults absorbed. The mirror must stay true and say what happened."""

import pytest

from command_center.models import SyncFailure, SyncFamily, SyncRun
from command_center.sync.families import FAMILIES
from connections.models import Contact, Group, GroupConnection, RenewalDecision
from members.models import (
    Dependent,
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberSnapshot,
    Premium,
    TrackingDifference,
)
from tests.sync.test_sync_full import EVERY_MODEL


def resources(run, family=None):
    return {key: counts for key, counts in run.resources.items() if family is None or counts.get("family") == family}


def accounted(counts):
    """fetched == mirrored + failed, mirrored being created + updated + unchanged + repeated."""
    mirrored = sum(counts.get(key, 0) for key in ("created", "updated", "unchanged", "repeated"))
    return counts["fetched"] == mirrored + counts["failed"]


# --- A list Noyo will not give this API key -------------------------------------------------------


def test_a_list_noyo_does_not_offer_is_unavailable_and_every_family_is_still_synced(sync_now, sandbox):
    sandbox.set_faults(not_offered={"/renewal_decisions": 404})
    run = sync_now()

    assert set(run.families) == set(FAMILIES)
    assert run.families["groups"]["status"] == SyncRun.Status.PARTIAL
    assert all(run.families[f]["status"] == SyncRun.Status.SUCCEEDED for f in FAMILIES if f != "groups")
    assert run.status == SyncRun.Status.PARTIAL
    renewals = run.resources["renewal_decisions"]
    assert (
        renewals["unavailable"]
        == "Noyo does not offer renewal decisions to this API key (it answered 404 to their list)."
    )
    assert renewals["unavailable"] in run.families["groups"]["message"]
    counts = sandbox.data.counts()
    assert Contact.objects.count() > 0 and Employee.objects.count() == counts["employees"]
    assert GroupConnection.objects.count() == counts["group_connections"]
    assert not RenewalDecision.objects.exists()


def test_renewal_decisions_already_mirrored_are_not_marked_removed_when_noyo_stops_offering_them(sync_now, sandbox):
    sync_now("groups")
    mirrored = RenewalDecision.objects.count()
    sandbox.set_faults(not_offered={"/renewal_decisions": 403})

    run = sync_now("groups")

    assert RenewalDecision.objects.present().count() == mirrored > 0
    assert run.resources["renewal_decisions"]["removed"] == 0
    assert "Nothing was marked removed: Noyo would not list them." in run.resources["renewal_decisions"]["notes"]


def test_snapshots_are_mirrored_when_the_tracking_differences_list_is_not_offered(sync_now, sandbox):
    sync_now("groups")
    sandbox.set_faults(not_offered={"/differences": 404})
    run = sync_now("snapshots")

    assert run.status == SyncRun.Status.PARTIAL
    assert MemberSnapshot.objects.exists() and FulfillmentSummary.objects.exists()
    assert not TrackingDifference.objects.exists()
    assert "tracking differences" in run.resources["differences"]["unavailable"]


def test_a_parent_whose_list_is_refused_is_said_and_nothing_is_marked_removed_for_that_resource(sync_now, sandbox):
    sync_now("groups")
    group = sandbox.data.group(0)["id"]
    sandbox.set_faults(not_offered={f"/groups/{group}/contacts": 403})

    run = sync_now("groups")

    contacts = run.resources["contacts"]
    assert contacts["parents_refused"] == 1 and contacts["removed"] == 0
    assert Contact.objects.filter(group_id=group).present().count() == len(sandbox.data.contacts(0))
    assert "Noyo refused this API key the lists of 1 of" in run.families["groups"]["message"]


def test_a_per_parent_list_not_offered_for_any_parent_marks_nothing_removed(sync_now, sandbox):
    sync_now("groups")
    contacts = Contact.objects.count()
    sandbox.set_faults(not_offered={"/groups/{group_id}/contacts": 404})

    run = sync_now("groups")

    assert run.resources["contacts"]["unavailable"].startswith("Noyo does not offer contacts to this API key")
    assert run.resources["contacts"]["removed"] == 0 and Contact.objects.present().count() == contacts > 0
    assert run.families["groups"]["status"] == SyncRun.Status.PARTIAL


def test_individual_enrollments_are_read_per_employee_where_the_group_enrollment_lists_are_not_offered(
    sync_now, sandbox
):
    sync_now("groups")
    clean = sync_now("employees")
    IndividualEnrollment.objects.all().delete()
    sandbox.set_faults(not_offered={"/group_enrollments/{enrollment_id}/individual_enrollments": 404})

    run = sync_now("employees")

    enrollments = run.resources["individual_enrollments"]
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert "so they were read per employee instead" in enrollments["notes"][0]
    assert IndividualEnrollment.objects.count() == clean.resources["individual_enrollments"]["created"] > 0
    assert not IndividualEnrollment.objects.filter(employee=None).exists()
    assert not IndividualEnrollment.objects.filter(carrier=None).exists()


# --- One family failing ---------------------------------------------------------------------------


def test_a_family_that_fails_does_not_stop_the_ones_after_it(sync_now, sandbox):
    sandbox.set_faults(path_contains="/group_connections", rate_503=1.0, retry_after=0)
    run = sync_now()

    assert run.families["group_connections"]["status"] == SyncRun.Status.FAILED
    assert run.families["group_connections"]["message"].startswith("Noyo did not answer (503)")
    assert [run.families[f]["status"] for f in ("groups", "employees", "snapshots", "member_requests")] == [
        "succeeded"
    ] * 4
    assert run.status == SyncRun.Status.PARTIAL
    assert run.message.startswith("4 of 5 families synced.")
    assert "Group connections failed: Noyo did not answer (503)" in run.message
    assert MemberSnapshot.objects.exists()


def test_each_familys_latest_outcome_is_kept_on_its_row(sync_now, sandbox):
    sync_now()
    sandbox.set_faults(path_contains="/group_connections", rate_503=1.0, retry_after=0)
    failed = sync_now("group_connections")

    rows = {row.family: row for row in SyncFamily.objects.all()}
    assert rows["group_connections"].last_outcome == SyncRun.Status.FAILED
    assert rows["group_connections"].last_attempt_run_id == failed.pk
    assert rows["group_connections"].last_message == failed.message
    assert rows["group_connections"].last_success_at < failed.finished_at
    assert rows["employees"].last_outcome == SyncRun.Status.SUCCEEDED


# --- Records behind a malformed parent --------------------------------------------------------------


def test_the_children_of_an_employee_that_failed_to_map_are_still_fetched_and_mirrored(sync_now, sandbox):
    employee = sandbox.data.employee(0)
    sandbox.set_faults(malformed_ids=[employee["id"]], malformed_mode="bad_date")

    run = sync_now("employees")

    assert not Employee.objects.filter(pk=employee["id"]).exists()
    assert SyncFailure.objects.filter(run=run, resource="employees", noyo_id=employee["id"]).exists()
    assert Dependent.objects.filter(employee_id=employee["id"]).count() == len(sandbox.data.dependents(0)) > 0
    assert Premium.objects.filter(employee_id=employee["id"]).exists()


def test_the_children_of_a_group_that_failed_to_map_are_still_fetched_and_mirrored(sync_now, sandbox):
    group = sandbox.data.group(0)
    sandbox.set_faults(malformed_ids=[group["id"]], malformed_mode="bad_date")

    sync_now()

    assert not Group.objects.filter(pk=group["id"]).exists()
    assert Contact.objects.filter(group_id=group["id"]).count() == len(sandbox.data.contacts(0)) > 0
    assert MemberSnapshot.objects.filter(group_id=group["id"]).exists()


def test_a_malformed_snapshots_fulfillment_summaries_are_mirrored_all_the_same(sync_now, sandbox):
    sync_now("groups")
    sync_now("employees")
    clean = sync_now("snapshots")
    snapshot = MemberSnapshot.objects.filter(fulfillment_summaries__isnull=False).first()
    summaries = set(snapshot.fulfillment_summaries.values_list("pk", flat=True))
    for model in (MemberSnapshot, FulfillmentSummary):
        model.objects.all().delete()
    sandbox.set_faults(malformed_ids=[snapshot.pk], malformed_mode="bad_date")

    run = sync_now("snapshots")

    assert not MemberSnapshot.objects.filter(pk=snapshot.pk).exists()
    assert set(FulfillmentSummary.objects.filter(snapshot_id=snapshot.pk).values_list("pk", flat=True)) == summaries
    assert run.resources["fulfillment_summaries"]["fetched"] == clean.resources["fulfillment_summaries"]["fetched"]


def test_with_malformed_records_every_record_read_is_mirrored_or_listed_as_failed(sync_now, sandbox):
    clean = sync_now()
    for model in EVERY_MODEL:
        model.objects.all().delete()
    sandbox.set_faults(malformed_rate=0.05, malformed_mode="bad_date")

    run = sync_now()

    for key, counts in run.resources.items():
        assert accounted(counts), key
        assert SyncFailure.objects.filter(run=run, resource=key).count() == counts["failed"], key
        # Nothing lost: the same records were read as in a clean run of the same data.
        assert counts["fetched"] == clean.resources[key]["fetched"], key
    assert run.totals["failed"] > 0


def test_a_record_that_fails_to_map_on_a_resync_is_not_marked_removed(sync_now, sandbox):
    sync_now()
    sandbox.advance(30 * 86400)  # records move on, so the resync maps them again instead of skipping them
    sandbox.set_faults(malformed_rate=0.05, malformed_mode="bad_date")

    run = sync_now()

    failures = SyncFailure.objects.filter(run=run)
    assert failures.count() == run.totals["failed"] > 0
    for failure in failures:
        for model in EVERY_MODEL:
            row = model.objects.filter(pk=failure.noyo_id).first()
            assert row is None or row.removed_upstream_at is None, (model.__name__, failure.reason)
    failed_snapshots = failures.filter(resource="member_snapshots").values_list("noyo_id", flat=True)
    assert not FulfillmentSummary.objects.filter(snapshot_id__in=list(failed_snapshots)).removed().exists()


# --- What the run absorbed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "faults, key",
    [
        ({"rate_429": 0.1, "retry_after": 0}, "rate_limited"),
        ({"rate_503": 0.1, "retry_after": 0}, "server_errors_retried"),
        ({"rate_500": 0.1}, "server_errors_retried"),
        ({"drop_rate": 0.1}, "connection_errors_retried"),
    ],
    ids=["429s", "503s", "500s", "dropped connections"],
)
def test_a_run_records_the_faults_it_absorbed(sync_now, sandbox, faults, key):
    sandbox.set_faults(
        seed=5,
        **{name: 0.3 if name.endswith("rate") or name.startswith("rate") else value for name, value in faults.items()},
    )
    run = sync_now("member_requests")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    met = [request for request in sandbox.requests() if request["fault"] and request["path"] != "/auth/public/token"]
    assert run.absorbed[key] == len(met) > 0
    assert run.absorbed["calls"] == run.api_calls


def test_a_run_records_the_tokens_it_fetched_when_noyo_expires_them_early(sync_now, sandbox, settings):
    # Each token dies after 5 requests, whatever the time: a token that died in seconds failed the run
    # once on a busy machine, when a fresh token expired before its first request was answered.
    # One call at a time, so that no other call can use up a new token first (calls refused at once
    # are test_client_units' concern).
    settings.NOYO_SYNC_WORKERS = 1
    sandbox.set_faults(token_uses=5)
    run = sync_now("member_requests")

    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert run.absorbed["tokens_refused"] > 0
    assert run.absorbed["tokens_fetched"] == run.absorbed["tokens_refused"] + 1
