"""After real syncs against the sandbox, every figure /metrics shows is what the database holds.

Each test starts from a full sync and a member requests sync through 429s and dropped connections
(about five seconds), so the tests are few and each checks a group of figures read from one place.
"""

from collections import Counter
from datetime import datetime

import pytest
from django.urls import reverse

from command_center.metrics import DURATION_BUCKETS, RECORD_OUTCOMES
from command_center.models import AttentionItem, SyncFamily, SyncRun
from command_center.noyo import contract
from command_center.sync.families import FAMILIES, KINDS
from connections.models import GroupConnection, RetryAttempt

OUTCOMES = ("succeeded", "partial", "failed")


@pytest.fixture
def synced(sync_now, sandbox):
    """The runs to compare with: a full sync, then a member requests sync that met 429s and dropped connections."""
    full = sync_now()
    assert full.status == SyncRun.Status.SUCCEEDED, full.message
    sandbox.set_faults(rate_429=0.3, drop_rate=0.1, retry_after=0, seed=5)
    bumpy = sync_now("member_requests")
    assert bumpy.status == SyncRun.Status.SUCCEEDED, bumpy.message
    sandbox.set_faults(rate_429=0, drop_rate=0)
    return full, bumpy


def family_entries():
    """(family, its outcome in a run) for every family of every run."""
    return [(family, outcome) for run in SyncRun.objects.all() for family, outcome in (run.families or {}).items()]


def test_runs_family_outcomes_durations_and_records_match_the_runs_table(synced, scrape):
    figures = scrape()

    runs = Counter(SyncRun.objects.values_list("kind", "status"))
    assert figures.values("command_center_sync_runs", "kind", "status") == {
        (kind, status): runs[(kind, status)] for kind in KINDS for status in SyncRun.Status.values
    }

    # A full run counts once for each of its families.
    outcomes = Counter((family, outcome["status"]) for family, outcome in family_entries())
    assert outcomes[("member_requests", "succeeded")] == 2 and outcomes[("groups", "succeeded")] == 1
    assert figures.values("command_center_sync_family_runs", "family", "outcome") == {
        (family, outcome): outcomes[(family, outcome)] for family in FAMILIES for outcome in OUTCOMES
    }

    buckets = figures.values("command_center_sync_family_duration_seconds_bucket", "family", "le")
    for family in FAMILIES:
        seconds = [
            (
                datetime.fromisoformat(outcome["finished_at"]) - datetime.fromisoformat(outcome["started_at"])
            ).total_seconds()
            for name, outcome in family_entries()
            if name == family
        ]
        for bound in DURATION_BUCKETS:
            assert buckets[(family, str(float(bound)))] == sum(1 for s in seconds if s <= bound), (family, bound)
        assert buckets[(family, "+Inf")] == len(seconds)
        assert figures.value("command_center_sync_family_duration_seconds_gcount", family=family) == len(seconds)
        # SQLite's julianday() keeps milliseconds.
        assert figures.value("command_center_sync_family_duration_seconds_gsum", family=family) == pytest.approx(
            sum(seconds), abs=0.002 * len(seconds)
        )

    counts = Counter()
    for resources in SyncRun.objects.values_list("resources", flat=True):
        for resource, resource_counts in resources.items():
            for outcome in (*RECORD_OUTCOMES, "removed", "fetched"):
                counts[(resource, outcome)] += resource_counts.get(outcome, 0)
    read = figures.values("command_center_sync_records", "resource", "outcome")
    removed = figures.values("command_center_sync_records_removed", "resource")
    resources = {resource for resource, _ in counts}
    # Every resource a sync reads has its series, at 0 until a run reads it.
    assert {resource for resource, _ in read} >= resources
    assert all(n == 0 for (resource, _), n in read.items() if resource not in resources)
    for resource in resources:
        assert {outcome: read[(resource, outcome)] for outcome in RECORD_OUTCOMES} == {
            outcome: counts[(resource, outcome)] for outcome in RECORD_OUTCOMES
        }, resource
        # The outcomes add up to what was fetched.
        assert sum(read[(resource, outcome)] for outcome in RECORD_OUTCOMES) == counts[(resource, "fetched")]
        assert removed[(resource,)] == counts[(resource, "removed")]
    assert read[("member_requests", "created")] > 0 and read[("member_requests", "unchanged")] > 0


def test_noyo_calls_by_status_are_the_calls_the_sandbox_received_and_retries_what_the_runs_absorbed(
    synced, sandbox, scrape
):
    full, bumpy = synced
    figures = scrape()

    received = Counter(
        str(request["status"] or "network_error")
        for request in sandbox.requests()
        if request["path"] != contract.TOKEN_PATH
    )
    assert received["429"] > 0 and received["network_error"] > 0
    calls = figures.values("command_center_noyo_api_calls", "kind", "status")
    by_status = Counter()
    for (_, status), n in calls.items():
        by_status[status] += n
    assert by_status == received
    for run in synced:
        assert sum(n for (kind, _), n in calls.items() if kind == run.kind) == run.api_calls

    retries = figures.values("command_center_noyo_api_retries", "kind", "reason")
    assert retries[("member_requests", "rate_limited")] == bumpy.absorbed["rate_limited"] > 0
    assert retries[("member_requests", "network_error")] == bumpy.absorbed["connection_errors_retried"] > 0
    assert retries[("full", "rate_limited")] == full.absorbed["rate_limited"] == 0
    assert (
        figures.value("command_center_noyo_rate_limit_wait_seconds", kind="member_requests")
        == bumpy.absorbed["rate_limited_wait_seconds"]
    )


def test_last_successes_connections_and_open_attention_items_match_the_mirror(synced, scrape):
    figures = scrape()

    assert SyncFamily.objects.count() == len(FAMILIES)
    for row in SyncFamily.objects.all():
        assert (
            figures.value("command_center_sync_family_last_success_timestamp_seconds", family=row.family)
            == row.last_success_at.timestamp()
        )
        assert (
            figures.value("command_center_sync_family_last_attempt_timestamp_seconds", family=row.family)
            == row.last_attempt_at.timestamp()
        )
        assert figures.value("command_center_sync_family_last_outcome", family=row.family, outcome="succeeded") == 1

    statuses = Counter(dict.fromkeys(contract.GROUP_CONNECTION_STATUSES, 0))
    statuses.update(status or "none" for status in GroupConnection.objects.values_list("status", flat=True))
    assert figures.values("command_center_connections", "status") == {(status,): n for status, n in statuses.items()}
    assert statuses["unable_to_connect"] > 0

    items = Counter(AttentionItem.objects.open().values_list("kind", flat=True))
    assert sum(items.values()) > 0
    assert figures.values("command_center_attention_items_open", "kind") == {
        (kind,): items[kind] for kind in AttentionItem.Kind.values
    }


def test_a_family_that_fails_shows_failed_and_keeps_its_last_success(synced, sync_now, sandbox, scrape):
    before = SyncFamily.objects.get(family="group_connections").last_success_at
    sandbox.set_faults(rate_503=1.0, retry_after=0)
    failed = sync_now("group_connections")
    assert failed.status == SyncRun.Status.FAILED, failed.message

    figures = scrape()
    assert (
        figures.values("command_center_sync_family_last_outcome", "family", "outcome")[("group_connections", "failed")]
        == 1
    )
    assert (
        figures.value("command_center_sync_family_last_outcome", family="group_connections", outcome="succeeded") == 0
    )
    assert (
        figures.value("command_center_sync_family_last_success_timestamp_seconds", family="group_connections")
        == before.timestamp()
    )
    assert (
        figures.value("command_center_sync_family_last_attempt_timestamp_seconds", family="group_connections")
        > before.timestamp()
    )
    assert figures.value("command_center_sync_runs", kind="group_connections", status="failed") == 1
    assert figures.value("command_center_sync_family_runs", family="group_connections", outcome="failed") == 1
    assert figures.value("command_center_noyo_api_calls", kind="group_connections", status="503") == failed.api_calls


def retry(client, connection):
    """Open the retry form and send it, as an operator's browser does."""
    url = reverse("connections:connection_retry", args=[connection.pk])
    token = str(client.get(url).context["form"].initial["token"])
    client.post(
        url,
        {
            "token": token,
            "carrier_group_id": connection.carrier_group_id,
            "note": "",
            "broker_federal_ein": connection.broker_federal_ein,
            "broker_tin": connection.broker_tin,
        },
    )


def test_retry_attempts_by_outcome_count_the_retries_sent(
    operator_client, mirror_from_sandbox, sandbox, retry_calls, scrape
):
    retry(operator_client, mirror_from_sandbox("unable_to_connect", 0))
    sandbox.set_faults(fail_next=[500], path_contains="/retry", method="PUT")
    retry(operator_client, mirror_from_sandbox("unable_to_connect", 1))
    assert retry_calls() == 2
    # The failed one's answer offers the form again: a new attempt, ready and not counted.
    assert Counter(RetryAttempt.objects.values_list("state", flat=True)) == {"succeeded": 1, "failed": 1, "ready": 1}

    figures = scrape()
    assert figures.values("command_center_retry_attempts_total", "outcome") == {
        ("succeeded",): 1,
        ("failed",): 1,
        ("skipped",): 0,
    }
    assert figures.value("command_center_retry_attempts_in_flight") == 0
