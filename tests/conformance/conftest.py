"""Fixtures for the conformance tests: Noyo is its documents, served over loopback HTTP.

* ``documents_server`` (session): ``server.RunningDocuments`` over ``documents.json``.
* ``documented_noyo``: the same, its request log cleared.
* ``documents_api``: an ``httpx.Client`` on ``{url}/api/v1`` with the documented token.
* ``documents_settings``: Django settings pointed at it (API, token, tracking, credentials).
* ``fast_retries`` (autouse) and ``capture_writes``: those of the sync tests.
"""

import httpx
import pytest

from tests.conformance import documents
from tests.conformance.server import RunningDocuments
from tests.sync.conftest import capture_writes, fast_retries  # noqa: F401 - fixtures, used by name


@pytest.fixture(scope="session")
def documents_server():
    running = RunningDocuments(documents.load()["examples"]).start()
    yield running
    running.stop()


@pytest.fixture
def documented_noyo(documents_server):
    documents_server.reset()
    return documents_server


@pytest.fixture
def documents_api(documented_noyo):
    answer = httpx.post(
        documented_noyo.token_url,
        auth=(documented_noyo.client_id, documented_noyo.client_secret),
        json={"grant_type": "client_credentials"},
        timeout=10,
    )
    answer.raise_for_status()
    token = answer.json()["access_token"]
    with httpx.Client(
        base_url=documented_noyo.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def documents_settings(settings, documented_noyo):
    settings.NOYO_API_URL = documented_noyo.url
    settings.NOYO_TOKEN_URL = documented_noyo.token_url
    settings.NOYO_TRACKING_URL = documented_noyo.url
    settings.NOYO_CLIENT_ID = documented_noyo.client_id
    settings.NOYO_CLIENT_SECRET = documented_noyo.client_secret
    return settings
