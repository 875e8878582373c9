"""A scrape costs the same few aggregate queries whatever the number of runs, connections, items and retries."""

import uuid

from django.utils import timezone

from command_center.models import AttentionItem
from command_center.sync.families import FAMILIES
from connections.models import RetryAttempt
from tests.attention.factories import make_item
from tests.factories import make_connection, make_sync_run

# Runs by kind and status; family outcomes and durations; records; calls by status; calls and retries
# by kind; the families' rows; connections by status; open items by kind; retries by outcome.
SCRAPE_QUERIES = 9


def add_rows(n):
    now = timezone.now().isoformat()
    families = {
        family: {"status": "succeeded", "message": "", "started_at": now, "finished_at": now} for family in FAMILIES
    }
    resources = {
        key: {"fetched": 3, "created": 1, "updated": 1, "unchanged": 1, "failed": 0, "removed": 0}
        for key in ("groups", "group_connections", "employees")
    }
    for i in range(n):
        make_sync_run(
            kind="full",
            families=families,
            resources=resources,
            api_calls=5,
            absorbed={"calls": 5, "rate_limited": 1, "statuses": {"200": 4, "429": 1}},
        )
        connection = make_connection(status=("unable_to_connect", "completed", "processing")[i % 3])
        make_item(AttentionItem.Kind.CONNECTION_NEEDS_ACTION, connection)
        RetryAttempt.objects.create(token=uuid.uuid4(), connection=connection, state=("succeeded", "failed")[i % 2])


def test_a_scrape_costs_the_same_queries_with_no_rows_and_with_many(scrape, django_assert_num_queries):
    with django_assert_num_queries(SCRAPE_QUERIES):
        empty = scrape()
    add_rows(30)
    with django_assert_num_queries(SCRAPE_QUERIES):
        full = scrape()

    assert empty.value("command_center_sync_runs", kind="full", status="succeeded") == 0
    assert full.value("command_center_sync_runs", kind="full", status="succeeded") == 30
    assert full.value("command_center_noyo_api_calls", kind="full", status="429") == 30
    assert full.value("command_center_connections", status="unable_to_connect") == 10
    assert full.value("command_center_attention_items_open", kind="connection_needs_action") == 30
    assert full.value("command_center_retry_attempts_total", outcome="failed") == 15


def test_runs_recorded_before_calls_were_counted_by_status_show_as_unknown(scrape):
    make_sync_run(kind="groups", api_calls=7, absorbed={"calls": 7})
    make_sync_run(kind="groups", api_calls=3, absorbed={"calls": 3, "statuses": {"200": 2, "404": 1}})
    figures = scrape()
    assert figures.values("command_center_noyo_api_calls", "kind", "status") == {
        ("groups", "200"): 2,
        ("groups", "404"): 1,
        ("groups", "unknown"): 7,
    }
