"""Schemathesis against the live API: every operation in the served document, called over HTTP with
real credentials, answers no 5xx, only status codes the document lists, and bodies that match it.

1. The mirror is filled by a real sync from the sandbox, so the lists have rows of every kind.
2. The document is read from the running app (``/api/schema/``), as a client would.
3. Each operation is called plainly for records that exist (their ids read from the list above
   it, so a detail or a write is more than a 404), then gets ``EXAMPLES`` generated requests,
   valid and invalid, aimed at those records or at generated ids.
4. Reads go as a Viewer. Writes go as an Operator, and reach Noyo only as the sandbox: the
   settings point every Noyo call at it (``noyo_settings``), and the test checks that writes
   did reach it (the plain call retries a retryable connection), so the write path really ran.
   A sync the API starts is queued (in memory) as for a worker, not run inside the request.

Derandomized and without a database of examples: every run sends the same requests. Shrinking
is off: a failure names the request that failed, and shrinking would multiply the requests.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from command_center.models import ApiKey, SyncRun
from command_center.noyo.sandbox.carriers import CARRIERS
from command_center.roles import is_operator
from command_center.sync import runs
from connections.management.commands.seed_carriers import seed_carriers
from tests.api.keys import make_key
from tests.conftest import _forget_broker_connections

# Requests per operation: small enough that the whole run stays well under a minute on two cores.
EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SAFE = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture
def api_credentials(live_server):
    """headers_for(user): the headers a script sends to act as ``user``: a real API key, as
    signed and stored by the console (operator scope for an Operator, else read-only)."""

    def headers_for(user):
        scope = ApiKey.Scope.OPERATOR if is_operator(user) else ApiKey.Scope.READ_ONLY
        return {"Authorization": f"Bearer {make_key(user, scope=scope)[1]}"}

    return headers_for


@pytest.fixture
def synced_mirror(noyo_settings, transactional_db):
    """The mirror as a full sync from the sandbox leaves it: every family, with its real mapping."""
    seed_carriers(CARRIERS)
    run = runs.execute(runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message


@pytest.fixture
def syncs_queued_not_run(celery_conf):
    """Tasks go to an in-memory broker no worker reads: a started sync stays queued, as until a worker takes it."""
    from command_center.celery import app

    celery_conf(task_always_eager=False, broker_url="memory://")
    _forget_broker_connections(app)
    yield
    _forget_broker_connections(app)


@dataclass
class Figures:
    """What a run did, for the report: operations, requests, failures, time, status codes seen."""

    operations: int = 0
    examples: int = 0
    failures: list = field(default_factory=list)
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    seconds_by_operation: Counter = field(default_factory=Counter)

    def __str__(self):
        codes = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        slowest = ", ".join(f"{label} {seconds:.1f} s" for label, seconds in self.seconds_by_operation.most_common(3))
        return (
            f"{self.operations} operations, {self.examples} examples, {len(self.failures)} failures, "
            f"{self.seconds:.1f} s (status codes {codes}; slowest {slowest})"
        )


def live_schema(live_server, headers):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=headers)
    # The run's own credentials go with every request: generated ones would only meet 401.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def existing_ids(live_server, headers, operation) -> list[dict]:
    """Path parameters naming records that exist, read from the list above the operation's path: its
    first row, and the first row ready for each thing a row says it is ready for (``is_retryable``)."""
    path = operation.path
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    if len(names) != 1:
        return []
    answer = requests.get(
        f"{live_server.url}{path[: path.index('{')]}", {"page_size": 200}, headers=headers, timeout=30
    )
    rows = answer.json().get("results", []) if answer.ok else []
    flags = sorted(
        {key for row in rows for key, value in row.items() if key.startswith("is_") and isinstance(value, bool)}
    )
    chosen = rows[:1] + [next(row for row in rows if row[flag]) for flag in flags if any(row[flag] for row in rows)]
    return [{names[0]: str(row.get(names[0], row["id"]))} for row in chosen]


def plain_cases(operation, ids: list[dict]) -> list:
    """The operation called plainly (once, or once per existing record when it takes an id): no
    optional parameter, an empty JSON body, a UUID of its own in each required header (``Idempotency-Key``)."""
    body = {"body": {}, "media_type": "application/json"} if operation.body else {}
    headers = {
        header.name: str(uuid.uuid5(uuid.NAMESPACE_URL, operation.label))
        for header in operation.headers
        if header.is_required
    }
    targets = ids if "{" in operation.path else [{}]
    return [operation.Case(path_parameters=path_parameters, headers=headers, **body) for path_parameters in targets]


def run_operations(live_server, headers, which) -> Figures:
    schema = live_schema(live_server, headers)
    figures = Figures()
    started = time.monotonic()

    def call(case):
        figures.examples += 1
        response = case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS, timeout=30)
        figures.statuses[response.status_code] += 1

    for result in schema.get_all_operations():
        operation = result.ok()
        if not which(operation):
            continue
        figures.operations += 1
        ids = existing_ids(live_server, headers, operation)
        strategies = [
            operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            for path_parameters in [None, *ids]
            for mode in schemathesis.GenerationMode
        ]

        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def fuzzed(case):
            call(case)

        operation_started = time.monotonic()
        try:
            for case in plain_cases(operation, ids):
                call(case)
            fuzzed()
        except (Exception, FailureGroup) as failure:  # every operation runs; the failures are reported together
            figures.failures.append(f"{operation.label}: {failure}")
        figures.seconds_by_operation[operation.label] = time.monotonic() - operation_started
    figures.seconds = time.monotonic() - started
    return figures


def test_every_read_answers_as_documented(live_server, synced_mirror, api_credentials, viewer, capsys):
    figures = run_operations(live_server, api_credentials(viewer), lambda operation: operation.method.upper() in SAFE)
    with capsys.disabled():
        print(f"\nSchemathesis, reads as a Viewer: {figures}")
    assert figures.operations and figures.examples
    assert not figures.failures, "\n\n".join(figures.failures)


def test_every_write_answers_as_documented_and_reaches_only_the_sandbox(
    live_server, synced_mirror, sandbox, api_credentials, operator, syncs_queued_not_run, capsys
):
    assert django_settings.NOYO_API_URL == sandbox.url
    figures = run_operations(
        live_server, api_credentials(operator), lambda operation: operation.method.upper() not in SAFE
    )
    # The sync before the run only read (GET), apart from its token requests.
    sent = [request for request in sandbox.requests() if request["method"] != "GET" and "/auth/" not in request["path"]]
    with capsys.disabled():
        print(f"\nSchemathesis, writes as an Operator: {figures}; {len(sent)} writes reached the sandbox")
    assert figures.operations and figures.examples
    assert not figures.failures, "\n\n".join(figures.failures)
    assert sent, "no write reached the sandbox: the run only met refusals"
