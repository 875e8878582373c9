"""Fixtures for attention items: real syncs against the sandbox (``sync_now``), and items made directly for page tests."""

import pytest

from tests.sync.conftest import fast_retries, sync_now  # noqa: F401  (fixtures shared with the sync tests)


@pytest.fixture
def derive():
    """derive(*kinds, complete=True): one derivation pass of these kinds (all of them by default), as a sync's end runs it."""
    from command_center import attention

    def run(*kinds, complete=True, now=None, run=None):
        from django.utils import timezone

        now = now or timezone.now()
        chosen = kinds or tuple(attention.CONDITIONS)
        return {
            kind: attention.derive(attention.CONDITIONS[kind], now=now, complete=complete, run=run) for kind in chosen
        }

    return run
