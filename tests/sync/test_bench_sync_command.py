"""bench_sync empties the mirror tables, so it refuses the configured database unless told otherwise."""

import pytest
from django.core.management import CommandError, call_command

from command_center.management.commands.bench_sync import minimum_calls, mirror_rows, rows_written


def test_it_refuses_to_run_on_the_configured_database_without_force(db):
    with pytest.raises(CommandError, match="empties the mirror tables"):
        call_command("bench_sync", "--scale", "small")


def test_the_minimum_is_one_call_per_hundred_records_per_list():
    resources = {
        "member_requests": {"min_pages": 10_000},
        "dependents": {"min_pages": 50_000},
        "fulfillment_summaries": {},
    }
    assert minimum_calls(resources) == 60_000


def test_the_resync_rows_written_are_the_mirror_tables_only_and_each_table_written_is_named():
    before = {"members_employee": 50, "connections_carrierstatuscount": 126, "connections_groupconnection": 10}
    after = {"members_employee": 52, "connections_carrierstatuscount": 252, "connections_groupconnection": 10}
    written = rows_written(before, after)
    assert written == {"members_employee": 2, "connections_carrierstatuscount": 126}
    # The carriers summary is rewritten whole with its count time each sync: bookkeeping, not a mirror write.
    assert mirror_rows(written) == 2
    assert mirror_rows(rows_written(after, after)) == 0
