"""Fixtures for the Noyo client's tests: a client on the running sandbox whose retries remember their waits
instead of sleeping."""

import pytest

from command_center.noyo.backoff import RetryPolicy
from command_center.noyo.client import NoyoClient

ATTEMPTS = 3


class Sleeps(list):
    """Stands in for time.sleep: remembers each wait instead of waiting."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def policy(sleeps):
    return RetryPolicy(
        max_attempts=ATTEMPTS, base_delay=0.01, max_delay=2.0, max_total_seconds=10.0, jitter=0.0, sleep=sleeps
    )


@pytest.fixture
def make_client(sandbox, policy):
    made = []

    def make(**overrides):
        options = {"retry_policy": policy, "timeout": 5.0}
        options.update(overrides)
        secret = options.pop("client_secret", sandbox.client_secret)
        client = NoyoClient(sandbox.url, sandbox.token_url, sandbox.client_id, secret, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def noyo(make_client):
    return make_client()
