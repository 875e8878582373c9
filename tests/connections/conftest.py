"""Fixtures for the connections console: connections mirrored from the running sandbox."""

import pytest

from command_center.noyo.sandbox.carriers import CARRIERS
from connections.management.commands.seed_carriers import seed_carriers

RETRY_PATH = "/retry"


@pytest.fixture
def mirror_from_sandbox(sandbox, noyo_settings, db):
    """mirror_from_sandbox("unable_to_connect", n=0): the n-th sandbox connection in that status, mirrored
    through the sync's own mapping (carriers seeded with their real formats)."""
    from connections.sync import refetch_group_connection

    seed_carriers(CARRIERS)
    by_status = sandbox.examples()["group_connections_by_status"]

    def mirror(status="unable_to_connect", n=0):
        return refetch_group_connection(by_status[status][n])

    return mirror


@pytest.fixture
def retry_calls(sandbox):
    """How many retry calls reached the sandbox so far."""
    return lambda: len(sandbox.requests(method="PUT", path_contains=RETRY_PATH))
