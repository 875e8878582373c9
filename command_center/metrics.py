"""Prometheus metrics (``GET /metrics``): what the database records, read when Prometheus asks,
and how long the web takes to answer.

Syncs run in Celery workers and pages in several web processes, so a counter kept in one process
would tell only that process's part. Everything about syncs, connections, attention items and
retries is therefore read from the database at scrape time (``DatabaseCollector``): nine
aggregate queries, whatever the number of rows.

1. Sync figures (runs, family outcomes and durations, records, Noyo calls) are sums over the sync
   runs the database keeps. ``prune_sync_runs`` (daily, keeping 30 days) deletes old runs, so they
   drop once a day: they are gauges, read with ``delta()``, never ``rate()`` or ``increase()``,
   which would take the drop for a restart and count everything again.
2. Each family's latest outcome and last success come from its ``SyncFamily`` row.
3. Connections by status, open attention items by kind, retry attempts by outcome: one GROUP BY
   each. Retry attempts are never deleted, so theirs is a true counter.
4. Web request latency exists only in the process that answered: a Histogram, kept in files the
   processes share when ``PROMETHEUS_MULTIPROC_DIR`` is set (gunicorn), in memory otherwise.

Every label takes values from a set the code fixes (families, statuses, route names), never from a
raw path or an id.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.db.models import Count, FloatField, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from command_center.models import AttentionItem, SyncFamily, SyncRun
from command_center.noyo import contract
from command_center.sync.engine import RESOURCES
from command_center.sync.families import FAMILIES, KINDS, sync_family

PREFIX = "command_center"
KEPT = "in the sync runs the database keeps (prune_sync_runs deletes old ones: read with delta(), not rate())"

# Family sync durations: from a few seconds (group connections) to hours (a large employees sync).
DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)
# What became of each record read: these add up to "fetched"; all but "failed" were mirrored.
RECORD_OUTCOMES = ("created", "updated", "unchanged", "repeated", "failed")
FAMILY_OUTCOMES = (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL, SyncRun.Status.FAILED)
# CallStats key -> why the call was sent again.
RETRY_REASONS = {
    "rate_limited": "rate_limited",
    "server_errors_retried": "server_error",
    "connection_errors_retried": "network_error",
    "tokens_refused": "token_refused",
}


# --- Web request latency (per process) ----------------------------------------------------------

# No "_created" series: multiprocess mode has none, and a scrape should look the same in both modes.
disable_created_metrics()

REQUEST_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time to answer a web request (a streamed CSV export: to its first byte), by route name, method and status class.",
    ["route", "method", "status"],
    registry=None,  # registered per scrape (registry()), or read from the shared files in multiprocess mode
)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def route_of(request) -> str:
    """The URL name the request resolved to; "unmatched" for static files, unknown paths and
    requests answered before resolution (an HTTPS redirect); the admin site is one route."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.view_name:
        return "unmatched"
    if match.namespaces and match.namespaces[0] == "admin":
        return "admin"
    return match.view_name


class RequestLatencyMiddleware:
    """Times every request, first in MIDDLEWARE so the others are timed too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        status = f"{response.status_code // 100}xx"
        REQUEST_LATENCY.labels(route_of(request), method, status).observe(time.perf_counter() - started)
        return response


def registry() -> CollectorRegistry:
    """What one scrape shows: web latency (this process's, or every process's) and the database's figures."""
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(DatabaseCollector())
    return registry


# --- What the database records ----------------------------------------------------------------------


class DatabaseCollector:
    """Reads the figures from the database on each scrape: nine queries (see the module docstring)."""

    def collect(self):
        yield from sync_runs()
        yield from family_runs()
        yield from records()
        yield from noyo_calls()
        yield from family_states()
        yield from connections()
        yield from attention_items()
        yield from retry_attempts()


def _gauge(name, documentation, labels):
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=labels)


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Json:
    """The JSON SQL that differs between Postgres and SQLite, for reading a run's JSON fields
    entry by entry (``FROM syncrun AS r, <each> AS e``: one row per key of the object)."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def each(self, column: str, key: str | None = None) -> str:
        """The entries of ``r.column`` (or of its object under ``key``)."""
        if self.postgres:
            return f"jsonb_each(r.{column} -> '{key}')" if key else f"jsonb_each(r.{column})"
        return f"json_each(r.{column}, '$.{key}')" if key else f"json_each(r.{column})"

    def text(self, field: str) -> str:
        return f"(e.value ->> '{field}')" if self.postgres else f"json_extract(e.value, '$.{field}')"

    def number(self, field: str | None = None) -> str:
        """A field of the entry's value as a number (or the value itself)."""
        if self.postgres:
            return f"(e.value ->> '{field}')::numeric" if field else "(e.value #>> '{}')::numeric"
        return f"json_extract(e.value, '$.{field}')" if field else "e.value"

    def seconds(self, start: str, end: str) -> str:
        """Seconds between two ISO timestamps held in the entry's value."""
        if self.postgres:
            return f"EXTRACT(EPOCH FROM ({self.text(end)}::timestamptz - {self.text(start)}::timestamptz))"
        return f"(julianday({self.text(end)}) - julianday({self.text(start)})) * 86400.0"


RUNS = SyncRun._meta.db_table


def sync_runs():
    """Runs by kind and status: one GROUP BY over the (status, kind) index."""
    runs = _gauge("sync_runs", f"Sync runs by kind (a family, or full) and status, {KEPT}.", ["kind", "status"])
    counts = dict.fromkeys(((kind, status) for kind in KINDS for status in SyncRun.Status.values), 0)
    for kind, status, n in SyncRun.objects.order_by().values_list("kind", "status").annotate(n=Count("*")):
        counts[(kind, status)] = n
    for (kind, status), n in counts.items():
        runs.add_metric([kind, status], n)
    yield runs


def family_runs():
    """Each family's outcome and duration in every run (a full run holds them all): one query over
    the runs' ``families`` JSON, the durations bucketed in the database."""
    json = _Json()
    buckets = ", ".join("SUM(CASE WHEN seconds <= %s THEN 1 ELSE 0 END)" for _ in DURATION_BUCKETS)
    rows = _rows(
        f"SELECT family, outcome, COUNT(*), COUNT(seconds), SUM(seconds), {buckets} FROM ("
        f"  SELECT e.key AS family, {json.text('status')} AS outcome, {json.seconds('started_at', 'finished_at')} AS seconds"
        f"  FROM {RUNS} AS r, {json.each('families')} AS e"
        f") AS f GROUP BY family, outcome",
        DURATION_BUCKETS,
    )
    counts = dict.fromkeys(((family, outcome) for family in FAMILIES for outcome in FAMILY_OUTCOMES), 0)
    durations = {family: _Durations() for family in FAMILIES}
    for family, outcome, n, timed, seconds, *in_buckets in rows:
        counts[(family, outcome)] = n
        durations.setdefault(family, _Durations()).add(timed, seconds, in_buckets)

    outcomes = _gauge(
        "sync_family_runs",
        f"Family syncs by outcome, {KEPT}; a full run counts once for each family.",
        ["family", "outcome"],
    )
    for (family, outcome), n in counts.items():
        outcomes.add_metric([family, outcome], n)
    yield outcomes
    histogram = GaugeHistogramMetricFamily(
        f"{PREFIX}_sync_family_duration_seconds",
        f"How long each family's sync took, {KEPT}; a full run holds one of each family.",
        labels=["family"],
    )
    for family, histogram_of_family in durations.items():
        histogram.add_metric([family], histogram_of_family.buckets(), histogram_of_family.sum)
    yield histogram


class _Durations:
    """One family's duration histogram, added up over the rows of its outcomes."""

    def __init__(self):
        self.count, self.sum, self.in_buckets = 0.0, 0.0, [0.0] * len(DURATION_BUCKETS)

    def add(self, count, seconds, in_buckets):
        self.count += float(count or 0)
        self.sum += float(seconds or 0)
        self.in_buckets = [mine + float(theirs or 0) for mine, theirs in zip(self.in_buckets, in_buckets)]

    def buckets(self) -> list[tuple[str, float]]:
        """Cumulative (upper bound, count) pairs, ending with +Inf: every run timed."""
        return [*zip((str(float(bound)) for bound in DURATION_BUCKETS), self.in_buckets), ("+Inf", self.count)]


def records():
    """Records each resource's syncs read, by what became of them: one query over the runs' ``resources`` JSON."""
    json = _Json()
    columns = ", ".join(f"SUM({json.number(key)})" for key in (*RECORD_OUTCOMES, "removed"))
    rows = _rows(f"SELECT e.key, {columns} FROM {RUNS} AS r, {json.each('resources')} AS e GROUP BY e.key")
    read = _gauge(
        "sync_records",
        f"Records read by outcome (created, updated, unchanged, repeated, failed: they add up to the "
        f"records fetched; all but failed were mirrored), by resource, {KEPT}.",
        ["resource", "outcome"],
    )
    removed = _gauge(
        "sync_records_removed",
        f"Records marked removed upstream (Noyo no longer lists them), by resource, {KEPT}.",
        ["resource"],
    )
    sums = {resource: [0] * (len(RECORD_OUTCOMES) + 1) for resource in known_resources()}
    sums.update({resource: values for resource, *values in rows})
    for resource, values in sorted(sums.items()):
        for outcome, value in zip(RECORD_OUTCOMES, values):
            read.add_metric([resource, outcome], float(value or 0))
        removed.add_metric([resource], float(values[-1] or 0))
    yield read
    yield removed


def known_resources() -> list[str]:
    """Every resource a sync can read, so each has its series (at 0) before its first sync."""
    for family in FAMILIES:
        sync_family(family)  # importing the family's module registers its resources
    return list(RESOURCES)


def noyo_calls():
    """Calls to Noyo by kind and answer, and the retries: the runs' ``api_calls`` and ``absorbed`` (one
    GROUP BY kind), and the per-status counts inside ``absorbed`` (one query)."""
    json = _Json()
    absorbed = {
        key: Sum(Cast(KT(f"absorbed__{key}"), FloatField())) for key in (*RETRY_REASONS, "rate_limited_wait_seconds")
    }
    per_kind = SyncRun.objects.order_by().values("kind").annotate(api_calls=Sum("api_calls"), **absorbed)
    by_status = _rows(
        f"SELECT r.kind, e.key, SUM({json.number()}) FROM {RUNS} AS r, {json.each('absorbed', 'statuses')} AS e GROUP BY r.kind, e.key"
    )
    calls = _gauge(
        "noyo_api_calls",
        f"HTTP calls sync runs made to Noyo (retries included), by kind and what came back: the HTTP "
        f"status, network_error, or unknown (runs recorded before statuses were), {KEPT}.",
        ["kind", "status"],
    )
    answered: dict[str, float] = {}
    for kind, status, n in sorted(by_status):
        calls.add_metric([kind, status], float(n or 0))
        answered[kind] = answered.get(kind, 0) + float(n or 0)
    retries = _gauge(
        "noyo_api_retries",
        f"Calls to Noyo sent again, by kind and reason: rate_limited (429, waited out), "
        f"server_error (5xx), network_error (dropped or timed out), token_refused (401, a new token fetched), {KEPT}.",
        ["kind", "reason"],
    )
    waited = _gauge(
        "noyo_rate_limit_wait_seconds", f"Time sync runs waited out Noyo's 429s, by kind, {KEPT}.", ["kind"]
    )
    for row in sorted(per_kind, key=lambda row: row["kind"]):
        kind = row["kind"]
        unknown = float(row["api_calls"] or 0) - answered.get(kind, 0)
        if unknown > 0:
            calls.add_metric([kind, "unknown"], unknown)
        for key, reason in RETRY_REASONS.items():
            retries.add_metric([kind, reason], float(row[key] or 0))
        waited.add_metric([kind], float(row["rate_limited_wait_seconds"] or 0))
    yield calls
    yield retries
    yield waited


def family_states():
    """Each family's latest outcome and last success: its SyncFamily row (one small query)."""
    success = _gauge(
        "sync_family_last_success_timestamp_seconds",
        "When each family's sync last fully succeeded (Unix time; 0 if it never did).",
        ["family"],
    )
    attempt = _gauge(
        "sync_family_last_attempt_timestamp_seconds",
        "When each family's latest sync ended, whatever its outcome (Unix time; 0 if it never ran).",
        ["family"],
    )
    latest = _gauge(
        "sync_family_last_outcome",
        "1 for the outcome of each family's latest sync (succeeded, partial or failed), 0 for the others.",
        ["family", "outcome"],
    )
    rows = {
        row[0]: row[1:]
        for row in SyncFamily.objects.values_list("family", "last_success_at", "last_attempt_at", "last_outcome")
    }
    for family in FAMILIES:
        last_success, last_attempt, last_outcome = rows.get(family, (None, None, ""))
        success.add_metric([family], last_success.timestamp() if last_success else 0)
        attempt.add_metric([family], last_attempt.timestamp() if last_attempt else 0)
        for outcome in FAMILY_OUTCOMES:
            latest.add_metric([family, outcome], 1 if last_outcome == outcome else 0)
    yield success
    yield attempt
    yield latest


def connections():
    """Group connections by status: one GROUP BY, read from the (status, status_changed_at) index
    alone on Postgres (no table rows: about 0.2 s for a million connections). Connections Noyo no
    longer lists are counted in their last status: excluding them would read every row."""
    from connections.models import GroupConnection

    counts = dict.fromkeys(contract.GROUP_CONNECTION_STATUSES, 0)
    for status, n in GroupConnection.objects.order_by().values_list("status").annotate(n=Count("*")):
        counts[status or "none"] = n
    by_status = _gauge(
        "connections",
        "Group connections in the mirror by status (none: Noyo sent none), including those Noyo no longer lists.",
        ["status"],
    )
    for status, n in counts.items():
        by_status.add_metric([status], n)
    yield by_status


def attention_items():
    """Open attention items by kind, snoozed ones included: one GROUP BY over the open-items index."""
    counts = dict.fromkeys(AttentionItem.Kind.values, 0)
    counts.update(AttentionItem.objects.open().order_by().values_list("kind").annotate(n=Count("*")))
    items = _gauge("attention_items_open", "Open attention items by kind (snoozed ones included).", ["kind"])
    for kind, n in counts.items():
        items.add_metric([kind], n)
    yield items


def retry_attempts():
    """Connection retries sent to Noyo, by outcome: one GROUP BY state."""
    from connections.models import RetryAttempt

    State = RetryAttempt.State
    counts = dict(RetryAttempt.objects.order_by().values_list("state").annotate(n=Count("*")))
    finished = CounterMetricFamily(
        f"{PREFIX}_retry_attempts",
        "Connection retries that ended, by outcome: succeeded (Noyo "
        "accepted), failed (Noyo refused or could not be reached, or no answer was recorded), skipped (not "
        "sent: no longer retryable, or another retry of it was on its way).",
        labels=["outcome"],
    )
    for state in RetryAttempt.FINISHED_STATES:
        finished.add_metric([state], counts.get(state, 0))
    yield finished
    in_flight = _gauge("retry_attempts_in_flight", "Connection retries sent to Noyo and not answered yet.", [])
    in_flight.add_metric([], counts.get(State.IN_FLIGHT, 0))
    yield in_flight
