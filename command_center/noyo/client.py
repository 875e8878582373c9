"""The Noyo Fulfillment API client: the one place the product talks to Noyo.

httpx only, no Django, so it can be used and tested on its own; build one from
settings with ``command_center.noyo.service.noyo_client()``.

    with NoyoClient(api_url, token_url, client_id, client_secret) as noyo:
        connections = noyo.iter_group_connections(status=["unable_to_connect"])
        print(connections.total)
        for connection in connections:
            ...

Guarantees:

1. Auth: OAuth2 client credentials, a cached bearer token renewed well before
   it expires (see ``token_lifetime``), fetched again once on a 401. Tokens and
   secrets are never logged nor put into errors.
2. Every list goes through one iterator (``Records``): page_size 100, offset
   paging until ``meta.total_records``, each record yielded once by ``id``.
3. Failures raise the types in ``errors``; transient ones are retried per
   ``backoff.RetryPolicy``, and a write is never re-sent once Noyo may have
   received it (the table in ``backoff``).
4. One pooled httpx.Client, a timeout on every request, and one log line per
   HTTP call on logger ``command_center.noyo`` (method, path, query *keys*,
   status, duration, attempt): query values can be names or birth dates.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from . import contract
from .backoff import Failure, RetryPolicy, failure_for_status, parse_retry_after
from .errors import AuthenticationError, NetworkError, NoyoError, error_for_response

logger = logging.getLogger("command_center.noyo")

Record = dict[str, Any]
Params = Mapping[str, Any]

# httpx errors after which the request provably never reached Noyo.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Our own mistakes (a bad URL, an unsendable request): sending again cannot help.
_HOPELESS_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def token_lifetime(expires_in: Any) -> float:
    """Seconds to keep a token before fetching a new one.

    The documents disagree on the unit of ``expires_in`` (contract.py, §2 of
    ENDPOINTS.md), so it is read both ways and the shorter reading wins, unless
    that reading is implausibly short for a token (under two renewal margins),
    in which case the value was seconds. The result is renewed
    TOKEN_RENEW_MARGIN_SECONDS early and never kept beyond TOKEN_MAX_AGE_SECONDS.
    """
    try:
        value = float(expires_in)
    except (TypeError, ValueError):
        return float(contract.TOKEN_MAX_AGE_SECONDS)
    if value <= 0:
        return 0.0
    margin = contract.TOKEN_RENEW_MARGIN_SECONDS
    as_millis = value / 1000
    seconds = as_millis if as_millis >= 2 * margin else value
    keep = seconds - margin if seconds > 2 * margin else seconds / 2
    return min(float(contract.TOKEN_MAX_AGE_SECONDS), keep)


def query_value(value: Any) -> str:
    """A filter value as Noyo reads it: lists become comma lists, dates ISO, bools lowercase."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(query_value(item) for item in value)
    return str(value)


def query_params(filters: Mapping[str, Any]) -> dict[str, str]:
    return {key: query_value(value) for key, value in filters.items() if value is not None}


class CallStats:
    """What the client met and absorbed, counted across the threads that share it.

    ``calls``: HTTP requests to the API hosts, retries included. ``rate_limited``: 429s
    waited out, ``rate_limited_wait_seconds`` the time spent waiting on them;
    ``server_errors_retried``: 502/503/504 (and, by the sync's transport, 500) asked again;
    ``connection_errors_retried``: dropped connections and timeouts asked again;
    ``tokens_fetched``: bearer tokens obtained; ``tokens_refused``: calls Noyo answered 401,
    after which a new token was fetched. ``statuses``: the calls by what came back, the HTTP
    status (``"200"``, ``"429"``) or ``"network_error"`` when no answer did (they add up to ``calls``).
    """

    KEYS = (
        "calls",
        "rate_limited",
        "rate_limited_wait_seconds",
        "server_errors_retried",
        "connection_errors_retried",
        "tokens_fetched",
        "tokens_refused",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(self.KEYS, 0)
        self._statuses: dict[str, int] = {}

    def add(self, key: str, amount: float = 1) -> None:
        with self._lock:
            self._counts[key] += amount

    def add_answer(self, status: int | str) -> None:
        """One call's outcome: its HTTP status, or ``"network_error"``."""
        with self._lock:
            self._statuses[str(status)] = self._statuses.get(str(status), 0) + 1

    def __getitem__(self, key: str) -> float:
        return self._counts[key]

    def as_dict(self) -> dict:
        with self._lock:
            counts: dict = dict(self._counts)
            counts["statuses"] = dict(sorted(self._statuses.items()))
        counts["rate_limited_wait_seconds"] = round(counts["rate_limited_wait_seconds"], 1)
        return counts


class Records(Iterator[Record]):
    """Every record of one Noyo list, fetched a page of 100 at a time.

    Paging is by offset until ``meta.total_records`` (re-read on every page, as
    it moves while we read). Records can shift between pages meanwhile: one
    pushed forward would be yielded twice, so records are deduplicated by
    ``id`` against the previous page (a shift of less than a page, in memory that
    does not grow with the list); one pulled back is missed, and the next sync
    picks it up. Bare-array and single-object answers are yielded as they are,
    in one call.

    ``read_ahead(n)`` fetches up to ``n`` of the following pages at once while
    full pages keep coming (Noyo has no cursor: every page is an offset, so a
    long list need not wait a round trip per page); records are still yielded
    in page order and each page is handled as above. A short page before the
    end drops the pages fetched past it and paging goes on from where it ended.

    ``total`` is the record count Noyo reports (fetching the first page if
    needed), for progress bars; ``pages`` counts the pages fetched so far.
    """

    def __init__(self, fetch: Callable[[Params], Any], params: Params, *, paged: bool = True) -> None:
        self._fetch = fetch
        self._params = dict(params)
        self._paged = paged
        self._ahead = 1
        self._total: int | None = None
        self._first: Any = None
        self._started = False
        self._records = self._generate()
        self.pages = 0

    def read_ahead(self, pages: int) -> Records:
        """Fetch up to ``pages`` pages at once after the first (1: one after the other)."""
        self._ahead = max(1, pages)
        return self

    @property
    def total(self) -> int | None:
        self._load_first()
        return self._total

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> Record:
        return next(self._records)

    def close(self) -> None:
        """Stop reading: pages being fetched ahead are waited for, the rest never asked."""
        self._records.close()

    def _request_page(self, offset: int) -> Any:
        params = dict(self._params)
        if self._paged:
            params.update(page_size=contract.PAGE_SIZE_MAX, offset=offset)
        return self._fetch(params)

    def _took(self, body: Any) -> Any:
        """Count a fetched page and read its total; called in page order, in the iterating thread."""
        self.pages += 1
        if isinstance(body, dict) and isinstance(body.get("response"), list):
            meta = body.get("meta") or {}
            self._total = int(meta.get("total_records", len(body["response"])))
        elif isinstance(body, list):
            self._total = len(body)
        else:
            self._total = 1 if body else 0
        return body

    def _load_first(self) -> None:
        if not self._started:
            self._first = self._took(self._request_page(0))
            self._started = True

    def _generate(self) -> Iterator[Record]:
        self._load_first()
        body, self._first = self._first, None
        if not (isinstance(body, dict) and isinstance(body.get("response"), list)):
            yield from _unpaged_records(body)
            return
        # A record pushed forward while we read reappears at the top of the next page: the ids
        # of the previous page and this one are enough to skip it, and keep memory flat (a set
        # of every id of a million-record list would cost over 100 MB).
        previous: set[Any] = set()
        for page in self._pages(body):
            current: set[Any] = set()
            for record in page:
                key = record.get("id") if isinstance(record, dict) else None
                if key is not None:
                    if key in previous or key in current:
                        continue
                    current.add(key)
                yield record
            previous = current

    def _pages(self, body: Any) -> Iterator[list]:
        """The first page's records, then each following page's, in order."""
        ahead: deque[tuple[int, Future]] = deque()
        pool = ThreadPoolExecutor(max_workers=self._ahead, thread_name_prefix="noyo-page") if self._ahead > 1 else None
        offset = 0
        try:
            while True:
                page = body["response"]
                yield page
                offset += len(page)
                # An empty page ends the list even if total_records says otherwise,
                # so a list that shrinks while we read cannot loop forever.
                if not self._paged or not page or self._total is None or offset >= self._total:
                    return
                if ahead and ahead[0][0] != offset:
                    self._drop(ahead)
                if pool is not None and len(page) == contract.PAGE_SIZE_MAX:
                    following = ahead[-1][0] + contract.PAGE_SIZE_MAX if ahead else offset
                    while len(ahead) < self._ahead and following < self._total:
                        ahead.append((following, pool.submit(self._request_page, following)))
                        following += contract.PAGE_SIZE_MAX
                body = self._took(ahead.popleft()[1].result() if ahead else self._request_page(offset))
                if not (isinstance(body, dict) and isinstance(body.get("response"), list)):
                    return
        finally:
            self._drop(ahead)
            if pool is not None:
                pool.shutdown(wait=True)

    def _drop(self, ahead: deque) -> None:
        """Forget pages fetched ahead; those already asked of Noyo still count as fetched."""
        while ahead:
            _, future = ahead.popleft()
            if not future.cancel():
                self.pages += 1


def _unpaged_records(body: Any) -> Iterator[Record]:
    if isinstance(body, list):
        yield from body
    elif body:
        yield body


class NoyoClient:
    """A pooled, authenticated, retrying client of the Noyo Fulfillment API.

    ``api_calls`` counts every HTTP request to the API (and tracking) hosts,
    retries included; ``token_calls`` counts requests to the token endpoint; ``stats``
    (``CallStats``) counts what was absorbed on the way (429s, retried 5xx, tokens).
    """

    def __init__(
        self,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        tracking_url: str | None = None,
        timeout: float = 30.0,
        retry_policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.tracking_url = (tracking_url or api_url).rstrip("/")
        self._credentials = (client_id, client_secret)
        self._timeout = httpx.Timeout(timeout)
        self.retry_policy = retry_policy or RetryPolicy()
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=self._timeout,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
            headers={"User-Agent": "command-center-noyo/1"},
        )
        self._clock = clock
        self._token: str | None = None
        self._token_renew_at = 0.0
        # Threads share the token: the first that finds it stale or refused fetches the next one.
        self._token_lock = threading.Lock()
        self.stats = CallStats()
        self.token_calls = 0

    @property
    def api_calls(self) -> int:
        return int(self.stats["calls"])

    def __repr__(self) -> str:
        return f"NoyoClient(api_url={self.api_url!r})"

    def __enter__(self) -> NoyoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # --- Groups -----------------------------------------------------------------

    def iter_groups(
        self,
        *,
        company: str | None = None,
        group_ids: Iterable[str] | None = None,
        carrier_id: str | None = None,
        carrier_group_id: str | None = None,
    ) -> Records:
        """Groups; ``carrier_id`` and ``carrier_group_id`` go together (find a group by its carrier number)."""
        return self._list(
            "groups",
            company=company,
            group_ids=_listed(group_ids),
            carrier_id=carrier_id,
            carrier_group_id=carrier_group_id,
        )

    def get_group(self, group_id: str) -> Record:
        return self._get("group", group_id=group_id)

    def iter_group_carrier_configurations(self, group_id: str, *, effective_date: date | str | None = None) -> Records:
        return self._list("group_carrier_configurations", {"group_id": group_id}, effective_date=effective_date)

    def iter_group_contacts(self, group_id: str) -> Records:
        return self._list("group_contacts", {"group_id": group_id})

    def iter_group_locations(self, group_id: str) -> Records:
        return self._list("group_locations", {"group_id": group_id})

    def get_group_latest_audit(self, group_id: str, *, carrier_id: str | None = None) -> Record:
        return self._get("group_latest_audit", {"carrier_id": carrier_id}, group_id=group_id)

    # --- Group connections and disconnections -------------------------------------

    def iter_group_connections(
        self,
        *,
        ids: Iterable[str] | None = None,
        status: Iterable[str] | str | None = None,
        carrier_id: Iterable[str] | str | None = None,
        carrier_group_id: str | None = None,
        organization_id: str | None = None,
        sort_by: str | None = None,
        sort_direction: str | None = None,
    ) -> Records:
        """Every group connection of the organisation (``ids`` is sent as Noyo's ``id`` filter)."""
        return self._list(
            "group_connections",
            id=_listed(ids),
            status=_listed(status),
            carrier_id=_listed(carrier_id),
            carrier_group_id=carrier_group_id,
            organization_id=organization_id,
            sort_by=sort_by,
            sort_direction=sort_direction,
        )

    def iter_group_connections_by_group(
        self,
        group_id: str,
        *,
        status: Iterable[str] | str | None = None,
        sort_by: str | None = None,
        sort_direction: str | None = None,
    ) -> Records:
        return self._list(
            "group_group_connections",
            {"group_id": group_id},
            status=_listed(status),
            sort_by=sort_by,
            sort_direction=sort_direction,
        )

    def get_group_connection(self, connection_id: str) -> Record:
        return self._get("group_connection", connection_id=connection_id)

    def iter_group_disconnection_requests(self, group_id: str) -> Records:
        return self._list("group_disconnection_requests", {"group_id": group_id})

    def get_group_disconnection_request(self, request_id: str) -> Record:
        return self._get("group_disconnection_request", request_id=request_id)

    def confirm_group_disconnection_request(
        self, request_id: str, effective_end_date: date | str | None = None
    ) -> Record:
        """Confirm a disconnection Noyo or a carrier started (``needs_review``); answers the request, now processing.

        ``effective_end_date`` (optional) sets the last day managed through Noyo. Not idempotent
        in effect (a second confirm is refused): re-sent only when Noyo provably never received it.
        """
        body = {} if effective_end_date is None else {"effective_end_date": query_value(effective_end_date)}
        url = self.api_url + contract.path("group_disconnection_request_confirm", request_id=request_id)
        return self._request("PUT", url, json=body, is_write=True).json()

    def reject_group_disconnection_request(self, request_id: str) -> Record:
        """Reject a disconnection that needs review: the group stays connected. Answers the request, now rejected.

        The documented call has no body. Re-sent only when Noyo provably never received it.
        """
        url = self.api_url + contract.path("group_disconnection_request_reject", request_id=request_id)
        return self._request("PUT", url, is_write=True).json()

    def retry_group_connection(
        self,
        connection_id: str,
        carrier_group_id: str | None = None,
        broker_federal_ein: str | None = None,
        broker_tin: str | None = None,
    ) -> Record:
        """Ask Noyo to retry a connection, optionally with corrected ids; answers the updated connection.

        Not idempotent: re-sent only when Noyo provably never received it (see backoff).
        """
        fields = {
            "carrier_group_id": carrier_group_id,
            "broker_federal_ein": broker_federal_ein,
            "broker_tin": broker_tin,
        }
        body = {key: value for key, value in fields.items() if value is not None}
        url = self.api_url + contract.path("group_connection_retry", connection_id=connection_id)
        return self._request("PUT", url, json=body, is_write=True).json()

    def create_group_connection(
        self,
        carrier_id: str,
        group_data: Mapping[str, Any],
        *,
        federal_ein: str | None = None,
        group_id: str | None = None,
    ) -> Record:
        """Request a connection to a carrier, for a new group or (``group_id``) an existing one.

        A new group's body is ``{carrier_id, federal_ein, group_data: {carrier_group_id, group_name, ...}}``
        (``POST /group_connections``); an existing group's is ``{carrier_id, group_data}`` only
        (``POST /groups/{group_id}/group_connections``): Noyo keeps that group's EIN, so passing
        ``federal_ein`` with ``group_id`` is refused here rather than sent undocumented.

        Not idempotent: a duplicate would be refused with 409 at best, so it is
        re-sent only when Noyo provably never received it (see backoff).
        """
        body: dict[str, Any] = {"carrier_id": carrier_id, "group_data": dict(group_data)}
        if group_id is None:
            if federal_ein is not None:
                body["federal_ein"] = federal_ein
            url = self.api_url + contract.path("group_connections")
        else:
            if federal_ein is not None:
                raise ValueError(
                    "federal_ein is sent only for a new group; an existing group keeps the EIN Noyo has for it."
                )
            url = self.api_url + contract.path("group_group_connections", group_id=group_id)
        return self._request("POST", url, json=body, is_write=True).json()

    # --- Group enrollments, plans, renewals ---------------------------------------

    def iter_group_enrollments(
        self, group_id: str, *, effective_date: date | str | None = None, status: Iterable[str] | str | None = None
    ) -> Records:
        return self._list(
            "group_enrollments", {"group_id": group_id}, effective_date=effective_date, status=_listed(status)
        )

    def get_group_enrollment(self, enrollment_id: str) -> Record:
        return self._get("group_enrollment", enrollment_id=enrollment_id)

    def iter_plans(
        self,
        group_id: str,
        *,
        effective_date: date | str | None = None,
        status: Iterable[str] | str | None = None,
        line_of_coverage: Iterable[str] | str | None = None,
        carrier_id: Iterable[str] | str | None = None,
    ) -> Records:
        return self._list(
            "group_plans",
            {"group_id": group_id},
            effective_date=effective_date,
            status=_listed(status),
            line_of_coverage=_listed(line_of_coverage),
            carrier_id=_listed(carrier_id),
        )

    def iter_renewal_decisions(self) -> Records:
        return self._list("renewal_decisions")

    def iter_renewal_decisions_by_group(self, group_id: str) -> Records:
        return self._list("group_renewal_decisions", {"group_id": group_id})

    def create_renewal_decision(self, group_id: str, renewal_date: date | str, body: Mapping[str, Any]) -> Record:
        """Record what a group's carriers are expected to have for a new plan year; answers the decision, submitted.

        ``body`` is ``{carriers: [{carrier_id, lines_of_coverage: {<line>: {open_enrollment_start_date,
        open_enrollment_end_date, plans: [{plan_id} | {name, plan_type, metal_tier}]}}}]}`` (seed 003).
        Not idempotent: re-sent only when Noyo provably never received it (see backoff).
        """
        payload = {"renewal_date": query_value(renewal_date), "body": dict(body)}
        url = self.api_url + contract.path("group_renewal_decisions", group_id=group_id)
        return self._request("POST", url, json=payload, is_write=True).json()

    # --- Members ------------------------------------------------------------------

    def iter_employees(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        date_of_birth: date | str | None = None,
        name: str | None = None,
    ) -> Records:
        return self._list(
            "employees", first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, name=name
        )

    def iter_employees_by_group(
        self,
        group_id: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        date_of_birth: date | str | None = None,
        name: str | None = None,
    ) -> Records:
        return self._list(
            "group_employees",
            {"group_id": group_id},
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            name=name,
        )

    def get_employee(self, employee_id: str) -> Record:
        return self._get("employee", employee_id=employee_id)

    def iter_dependents(self, employee_id: str) -> Records:
        return self._list("employee_dependents", {"employee_id": employee_id})

    def get_dependent(self, dependent_id: str) -> Record:
        return self._get("dependent", dependent_id=dependent_id)

    def iter_individual_enrollments(
        self, employee_id: str, *, effective_date: date | str | None = None, include_dependents: bool | None = None
    ) -> Records:
        return self._list(
            "employee_individual_enrollments",
            {"employee_id": employee_id},
            effective_date=effective_date,
            include_dependents=include_dependents,
        )

    def iter_individual_enrollments_by_group_enrollment(
        self, enrollment_id: str, *, effective_date: date | str | None = None
    ) -> Records:
        return self._list(
            "group_enrollment_individual_enrollments", {"enrollment_id": enrollment_id}, effective_date=effective_date
        )

    def get_individual_enrollment(self, enrollment_id: str, *, effective_date: date | str | None = None) -> Record:
        return self._get("individual_enrollment", {"effective_date": effective_date}, enrollment_id=enrollment_id)

    def iter_premiums(self, employee_id: str, *, effective_date: date | str | None = None) -> Records:
        return self._list("employee_premiums", {"employee_id": employee_id}, effective_date=effective_date)

    # --- Changes: snapshots and tracking ------------------------------------------

    def iter_member_snapshots_by_group(self, group_id: str, *, employee_id: str | None = None) -> Records:
        return self._list("group_member_snapshots", {"group_id": group_id}, employee_id=employee_id)

    def iter_member_snapshots_by_employee(self, employee_id: str) -> Records:
        return self._list("employee_member_snapshots", {"employee_id": employee_id})

    def get_member_snapshot(self, snapshot_id: str) -> Record:
        """One snapshot with its submitted payload and per-carrier ``fulfillment_summary``."""
        return self._get("member_snapshot", snapshot_id=snapshot_id)

    def iter_differences(
        self,
        *,
        member_snapshot_id: str | None = None,
        group_id: str | None = None,
        employee_id: str | None = None,
        carrier_id: str | None = None,
    ) -> Records:
        """Tracking differences, read from the tracking host (``tracking_url``)."""
        filters = {
            "member_snapshot_id": member_snapshot_id,
            "group_id": group_id,
            "employee_id": employee_id,
            "carrier_id": carrier_id,
        }
        url = self.tracking_url + contract.path("differences")
        return Records(lambda params: _json(self._request("GET", url, params=params)), query_params(filters))

    def get_difference(self, difference_id: str) -> Record:
        """One tracking difference, from the tracking host (its path is unconfirmed at Noyo; see contract.PATHS)."""
        url = self.tracking_url + contract.path("difference", difference_id=difference_id)
        return _json(self._request("GET", url))

    # --- Legacy: member requests and transactions ---------------------------------

    def iter_member_requests(
        self,
        *,
        employee_id: str | None = None,
        group_id: str | None = None,
        status: Iterable[str] | str | None = None,
        request_type: Iterable[str] | str | None = None,
    ) -> Records:
        return self._list(
            "member_requests",
            employee_id=employee_id,
            group_id=group_id,
            status=_listed(status),
            request_type=_listed(request_type),
        )

    def iter_member_requests_by_employee(self, employee_id: str) -> Records:
        return self._list("employee_member_requests", {"employee_id": employee_id})

    def get_member_request(self, request_id: str) -> Record:
        return self._get("member_request", request_id=request_id)

    def iter_member_transactions(
        self, *, ids: Iterable[str] | None = None, member_request_id: str | None = None
    ) -> Records:
        return self._list("member_transactions", ids=_listed(ids), member_request_id=member_request_id)

    def iter_member_transactions_by_request(self, request_id: str) -> Records:
        return self._list("member_request_transactions", {"request_id": request_id})

    def get_member_transaction(self, transaction_id: str) -> Record:
        return self._get("member_transaction", transaction_id=transaction_id)

    # --- Plumbing -------------------------------------------------------------------

    def _list(self, endpoint: str, path_params: Mapping[str, str] | None = None, /, **filters: Any) -> Records:
        url = self.api_url + contract.path(endpoint, **(path_params or {}))
        paged = endpoint not in contract.BARE_ARRAY_PATHS and endpoint not in contract.SINGLE_OBJECT_PATHS
        return Records(
            lambda params: _json(self._request("GET", url, params=params)), query_params(filters), paged=paged
        )

    def _get(self, endpoint: str, filters: Mapping[str, Any] | None = None, /, **path_params: str) -> Record:
        url = self.api_url + contract.path(endpoint, **path_params)
        return _json(self._request("GET", url, params=query_params(filters or {})))

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        is_write: bool = False,
    ) -> httpx.Response:
        """Send one API call with auth and retries; return the 2xx response or raise.

        1. Attach a cached bearer token (fetching one if none is fresh).
        2. On a 401, drop the token, fetch a new one and send again, once: Noyo
           refused the call unprocessed, so this is safe for writes too, and it
           does not count against the retry policy.
        3. On a retryable failure, wait per the policy and send again; a write
           goes again only when Noyo provably did not act on it.
        """
        started = self._clock()
        attempt = 0
        refetched = False
        while True:
            attempt += 1
            tries = attempt - 1 if refetched else attempt
            token = self._bearer()
            headers = {"Authorization": f"Bearer {token}"}
            self.stats.add("calls")
            try:
                response = self._send(method, url, attempt, params=params, json=json, headers=headers)
            except httpx.TransportError as exc:
                self.stats.add_answer("network_error")
                failure = _failure_for_exception(exc)
                if self._backoff(failure, tries, started, is_write) is not None:
                    self.stats.add("connection_errors_retried")
                    continue
                raise _network_error(exc, failure, is_write) from None
            status = response.status_code
            self.stats.add_answer(status)
            if status == 401 and not refetched:
                refetched = True
                self._drop_token(token)
                self.stats.add("tokens_refused")
                continue
            if status < 400:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            waited = self._backoff(failure_for_status(status), tries, started, is_write, retry_after)
            if waited is None:
                raise error_for_response(status, _body(response), retry_after=retry_after)
            if status == 429:
                self.stats.add("rate_limited")
                self.stats.add("rate_limited_wait_seconds", waited)
            else:
                self.stats.add("server_errors_retried")

    def _backoff(
        self, failure: Failure, tries: int, started: float, is_write: bool, retry_after: float | None = None
    ) -> float | None:
        """Wait before trying again and answer the seconds waited, or answer None to give up."""
        wait = self.retry_policy.next_delay(
            failure, attempt=tries, elapsed=self._clock() - started, is_write=is_write, retry_after=retry_after
        )
        if wait is None:
            return None
        self.retry_policy.sleep(wait)
        return wait

    def _send(self, method: str, url: str, attempt: int, **kwargs: Any) -> httpx.Response:
        """One HTTP call, logged once whatever its outcome."""
        started = time.perf_counter()
        outcome = "error"
        try:
            response = self._http.request(method, url, timeout=self._timeout, **kwargs)
            outcome = str(response.status_code)
            return response
        except httpx.TransportError as exc:
            outcome = type(exc).__name__
            raise
        finally:
            _log_call(method, url, kwargs.get("params"), outcome, time.perf_counter() - started, attempt)

    def _bearer(self) -> str:
        token = self._token
        if token is not None and self._clock() < self._token_renew_at:
            return token
        with self._token_lock:
            if self._token is None or self._clock() >= self._token_renew_at:
                self._fetch_token()
            assert self._token is not None
            return self._token

    def _drop_token(self, refused: str) -> None:
        """Forget a token Noyo refused, unless another thread already put a new one in its place."""
        with self._token_lock:
            if self._token == refused:
                self._token = None

    def _fetch_token(self) -> None:
        """Client-credentials grant, retried like a read: fetching a token twice does no harm."""
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            self.token_calls += 1
            try:
                response = self._send(
                    "POST", self.token_url, attempt, json={"grant_type": "client_credentials"}, auth=self._credentials
                )
            except httpx.TransportError as exc:
                failure = _failure_for_exception(exc)
                if self._backoff(failure, attempt, started, is_write=False) is not None:
                    continue
                raise _network_error(exc, failure, is_write=False) from None
            status = response.status_code
            if status in (400, 401, 403):  # OAuth answers a bad client or grant with 400 or 401
                raise AuthenticationError(status_code=status, body=_body(response))
            if status < 400:
                break
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if self._backoff(failure_for_status(status), attempt, started, False, retry_after) is None:
                raise error_for_response(status, _body(response), retry_after=retry_after)
        payload = _body(response)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not token:
            raise NoyoError("Noyo's token endpoint answered without a token.", status_code=response.status_code)
        self._token = str(token)
        self.stats.add("tokens_fetched")
        self._token_renew_at = self._clock() + token_lifetime(payload.get("expires_in"))


def _listed(value: Iterable[str] | str | None) -> list[str] | str | None:
    """Accept one value or several for a comma-list filter; an empty list means no filter."""
    if value is None or isinstance(value, str):
        return value
    values = list(value)
    return values or None


# 19 digits in a row may be an integer beyond 64 bits, which orjson would read as a float. Looked for
# with translate (digits to "0", the rest to " ") and a substring search: a regex costs more than the parse.
_DIGITS_ONLY = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_NUMBER = b"0" * 19


def _json(response: httpx.Response) -> Any:
    """A read's body: orjson parses a page about twice as fast as ``json``, which a sync of a million
    records feels; what orjson refuses or would read differently (NaN, an integer beyond 64 bits) is
    read by ``json`` as before."""
    content = response.content
    if _LONG_NUMBER not in content.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return response.json()


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _failure_for_exception(exc: httpx.TransportError) -> Failure:
    if isinstance(exc, _NOT_SENT_ERRORS):
        return Failure.NOT_SENT
    if isinstance(exc, _HOPELESS_ERRORS):
        return Failure.FINAL
    # Read/write timeouts, dropped connections, protocol errors: the request may
    # have reached Noyo and been acted on.
    return Failure.MAYBE_SENT


def _network_error(exc: httpx.TransportError, failure: Failure, is_write: bool) -> NetworkError:
    reached = failure is Failure.MAYBE_SENT
    what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
    message = f"The connection to Noyo {what} ({type(exc).__name__})."
    if is_write and reached:
        message += " Noyo may have received the change: check its current state before sending it again."
    return NetworkError(message, may_have_reached_noyo=reached)


def _log_call(
    method: str, url: str, params: Mapping[str, Any] | None, outcome: str, seconds: float, attempt: int
) -> None:
    # Only the path and the *names* of query parameters: values can be personal data.
    path = urlsplit(url).path  # the stdlib's: httpx.URL parses (and checks) much more, on every call
    keys = ",".join(sorted(params)) if params else "-"
    # A sync makes thousands of calls: the ones that went well are DEBUG (each family's run logs a
    # summary at INFO); a refusal, a retry or a dropped connection stays at INFO.
    level = logging.DEBUG if outcome.isdigit() and int(outcome) < 400 and attempt == 1 else logging.INFO
    logger.log(
        level,
        "noyo %s %s query=%s status=%s duration_ms=%d attempt=%d",
        method,
        path,
        keys,
        outcome,
        seconds * 1000,
        attempt,
        extra={"noyo_method": method, "noyo_path": path, "noyo_status": outcome, "noyo_attempt": attempt},
    )
