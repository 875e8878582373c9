"""Pytest fixtures that run the Noyo sandbox over real loopback HTTP.

Registered in tests/conftest.py through ``pytest_plugins``.

* ``sandbox_server`` (session): one sandbox, scale small, seed ``SANDBOX_SEED``,
  its clock frozen (time moves only through ``advance``), on a free port.
* ``sandbox``: the same, reset before the test (clock, faults, writes, request
  log). A ``RunningSandbox``: ``.url`` (the API is under ``{url}/api/v1``),
  ``.api_url``, ``.token_url``, ``.client_id``, ``.client_secret``, ``.reset()``,
  ``.set_faults(**kw)``, ``.advance(seconds)``, ``.requests(method=None,
  path_contains=None)``, ``.now()``, ``.expire_tokens()``, ``.examples()``,
  ``.set_clock_speed(x)``, ``.set_webhook(url, secret)``, ``.data`` (the generator).
* ``sandbox_api``: an ``httpx.Client`` on ``{url}/api/v1`` with a fresh bearer token.
* ``noyo_settings``: Django settings pointed at the sandbox (NOYO_API_URL,
  NOYO_TOKEN_URL, NOYO_TRACKING_URL, NOYO_CLIENT_ID, NOYO_CLIENT_SECRET).
"""

import httpx
import pytest

from command_center.noyo.sandbox import Config, RunningSandbox

SANDBOX_SEED = 7


@pytest.fixture(scope="session")
def sandbox_server():
    running = RunningSandbox(Config(seed=SANDBOX_SEED, scale="small", clock_speed=0)).start()
    yield running
    running.stop()


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset()
    return sandbox_server


def sandbox_token(sandbox) -> str:
    answer = httpx.post(
        sandbox.token_url,
        auth=(sandbox.client_id, sandbox.client_secret),
        json={"grant_type": "client_credentials"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


@pytest.fixture
def sandbox_api(sandbox):
    token = sandbox_token(sandbox)
    with httpx.Client(base_url=sandbox.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        yield client


@pytest.fixture
def noyo_settings(settings, sandbox):
    settings.NOYO_API_URL = sandbox.url
    settings.NOYO_TOKEN_URL = sandbox.token_url
    settings.NOYO_TRACKING_URL = sandbox.url
    settings.NOYO_CLIENT_ID = sandbox.client_id
    settings.NOYO_CLIENT_SECRET = sandbox.client_secret
    return settings
