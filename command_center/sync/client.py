"""The Noyo client as syncs use it: the configured client, with reads answered 500 asked again.

``sync_client()`` is what a run reads Noyo with; ``wait_for_local_noyo()`` gives a sandbox
on this machine a moment to start listening (``make run`` starts everything at once).
"""

from __future__ import annotations

import socket
import time

import httpx
from django.conf import settings

from command_center.noyo.backoff import RetryPolicy
from command_center.noyo.client import CallStats, NoyoClient
from command_center.noyo.service import noyo_client

# A GET answered 500 is asked this many times in all, by the sync's transport, pausing
# READ_500_DELAY seconds times the attempt number in between.
READ_500_ATTEMPTS = 3
READ_500_DELAY = 0.25
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def retry_policy() -> RetryPolicy:
    """The client's retry policy for syncs (tests swap in one with tiny delays)."""
    return RetryPolicy()


class ReadRetryTransport(httpx.HTTPTransport):
    """Asks again when Noyo answers a *read* with 500.

    The client retries 429/502/503/504 and connection failures, but not 500, because a write
    answered 500 may have been acted on. A GET changes nothing, so for the sync's reads a 500
    is worth another try, with a short pause, before the run gives up on Noyo.
    """

    def __init__(self, *args, attempts: int = READ_500_ATTEMPTS, delay: float = 0.25, **kwargs):
        super().__init__(*args, **kwargs)
        self.attempts, self.delay = attempts, delay
        self.stats = CallStats()  # replaced by the client's own, so its figures include these reads

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 1
        while True:
            response = super().handle_request(request)
            if request.method != "GET" or response.status_code != 500 or attempt >= self.attempts:
                return response
            response.read()
            response.close()
            self.stats.add("calls")
            self.stats.add("server_errors_retried")
            time.sleep(self.delay * attempt)
            attempt += 1


def wait_for_local_noyo(timeout: float = 20.0) -> bool:
    """When Noyo is the sandbox on this machine, wait (briefly) until it listens.

    ``make run`` starts the worker, which may pick up the first sync, before the sandbox
    listens. Real Noyo is never waited for: an outage is the run's to report.
    """
    url = httpx.URL(settings.NOYO_API_URL)
    if url.host not in LOOPBACK:
        return True
    port = url.port or (443 if url.scheme == "https" else 80)
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((url.host, port), timeout=0.5).close()
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)


def sync_client() -> _SyncClient:
    """A Noyo client for syncs: the configured one, with reads answered 500 retried (``ReadRetryTransport``).

    ``client.api_calls`` and ``client.stats`` include those extra reads. Close it when done.
    """
    timeout = httpx.Timeout(float(settings.NOYO_TIMEOUT_SECONDS))
    transport = ReadRetryTransport(
        attempts=READ_500_ATTEMPTS,
        delay=READ_500_DELAY,
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
    )
    http = httpx.Client(transport=transport, timeout=timeout, headers={"User-Agent": "command-center-noyo/1"})
    client = noyo_client(retry_policy=retry_policy(), http_client=http)
    transport.stats = client.stats
    return _SyncClient(client, http)


class _SyncClient:
    """The client, plus closing the connection pool it was given (a client closes only its own)."""

    def __init__(self, client: NoyoClient, http: httpx.Client):
        self._client, self._http = client, http

    def __getattr__(self, name):
        return getattr(self._client, name)

    def close(self) -> None:
        self._client.close()
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
