"""bench_sync empties the mirror tables, so it refuses the configured database unless told otherwise."""

import pytest
from django.core.management import CommandError, call_command

from command_center.management.commands.bench_sync import minimum_calls


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
