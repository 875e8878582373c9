"""The Noyo API as the sandbox answers it: one handler per ``contract.PATHS`` entry.

Handlers take the ``Sandbox`` and a ``Req`` and return ``(status, payload)``;
they raise ``ApiError`` for 404/409/422. Auth, faults and the HTTP plumbing are
in ``server.py``. Lists answer the pagination envelope unless the contract says
otherwise; an unfiltered page costs O(page size), a filtered one may scan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from .. import contract
from .data import (
    CHILD_STRIDE,
    DISCONNECTION_STRIDE,
    IE_STRIDE,
    SLOT_STRIDE,
    SNAPSHOT_STRIDE,
    Record,
    transactions_of,
)
from .schedules import position
from .state import ApiError, Sandbox


class Req(NamedTuple):
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    now: float


Handler = Callable[[Sandbox, Req], tuple[int, Any]]
_ROUTES: list[tuple[str, re.Pattern, Handler]] = []


def handles(method: str, name: str):
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", contract.API_PREFIX + contract.PATHS[name]) + "$")

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, pattern, handler))
        return handler

    return register


def dispatch(sb: Sandbox, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
    allowed = False
    for route_method, pattern, handler in _ROUTES:
        match = pattern.match(path)
        if match:
            allowed = True
            if route_method == method:
                return handler(sb, Req(path, match.groupdict(), query, body, sb.now()))
    if allowed:
        raise ApiError(405, f"Method {method} is not allowed on {path}.")
    raise ApiError(404, f"No such endpoint: {path}")


# --- Paging, filters, lookups ----------------------------------------------------------
def _int(query: dict, name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        raise ApiError(422, f"{name} must be an integer.", {name: ["Must be an integer."]}) from None


def _page(sb: Sandbox, req: Req, total: int, fetch: Callable[[int, int], list]) -> tuple[int, dict]:
    size = _int(req.query, "page_size", contract.PAGE_SIZE_DEFAULT)
    offset = _int(req.query, "offset", 0)
    if not contract.PAGE_SIZE_MIN <= size <= contract.PAGE_SIZE_MAX:
        message = f"page_size must be between {contract.PAGE_SIZE_MIN} and {contract.PAGE_SIZE_MAX}."
        raise ApiError(422, message, {"page_size": [message]})
    if offset < 0:
        raise ApiError(422, "offset must be 0 or more.", {"offset": ["Must be 0 or more."]})
    shift = sb.page_shift(req.path, offset)
    start = offset - shift
    low, high = max(0, start), min(total, start + size)
    records = fetch(low, high) if high > low else []
    meta = {"offset": offset, "page_num": offset // size + 1, "page_size": size, "total_records": max(0, total + shift)}
    return 200, {"meta": meta, "response": records}


def _page_of(sb: Sandbox, req: Req, items: list) -> tuple[int, dict]:
    return _page(sb, req, len(items), lambda low, high: items[low:high])


def _page_indexed(sb: Sandbox, req: Req, indexes, render: Callable[[int], Record]) -> tuple[int, dict]:
    """A page of a range (or list) of generated indexes, rendering only the page."""
    return _page(sb, req, len(indexes), lambda low, high: [render(i) for i in indexes[low:high]])


def _csv(query: dict, name: str) -> list[str]:
    return [part for part in query.get(name, "").split(",") if part]


def _enum(query: dict, name: str, allowed: tuple) -> list[str]:
    values = _csv(query, name)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ApiError(422, f"Unknown {name}: {', '.join(unknown)}", {name: [f"Must be one of: {', '.join(allowed)}."]})
    return values


def _as_of(req: Req) -> dt.date:
    value = req.query.get("effective_date")
    if not value:
        return dt.datetime.fromtimestamp(req.now, dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, "effective_date must be a date (YYYY-MM-DD).", {"effective_date": ["Must be YYYY-MM-DD."]}
        ) from None


def _key(sb: Sandbox, kind: str, record_id: str, limit: int | None = None) -> int:
    key = sb.data.ids.key(kind, record_id)
    if key is None or (limit is not None and key >= limit):
        raise ApiError(404, f"No {kind.replace('_', ' ')} with id {record_id}.")
    return key


def _group(sb: Sandbox, group_id: str) -> int | None:
    """The generated index of a group, None for a group created through the API, 404 otherwise."""
    if group_id in sb.groups:
        return None
    return _key(sb, "group", group_id, sb.data.n_groups)


def _employee(sb: Sandbox, employee_id: str) -> int:
    return _key(sb, "employee", employee_id, sb.data.n_employees)


def _found(record: Record | None, what: str) -> tuple[int, Record]:
    if record is None:
        raise ApiError(404, f"No such {what}.")
    return 200, record


# --- Groups -----------------------------------------------------------------------------
@handles("GET", "groups")
def list_groups(sb: Sandbox, req: Req):
    data, q = sb.data, req.query
    wanted, company = _csv(q, "group_ids"), q.get("company", "").lower()
    carrier, number = q.get("carrier_id"), q.get("carrier_group_id")
    if bool(carrier) != bool(number):
        raise ApiError(
            422,
            "carrier_id and carrier_group_id must be used together.",
            {"carrier_group_id": ["Use together with carrier_id."]},
        )
    created = list(sb.groups.values())
    if not (wanted or company or carrier):
        return _page(
            sb,
            req,
            data.n_groups + len(created),
            lambda low, high: [
                data.group(g) if g < data.n_groups else created[g - data.n_groups] for g in range(low, high)
            ],
        )
    if carrier:
        match = sb.duplicate_of(carrier, number)
        wanted = [sb.find_connection(match).group_id] if match else []
    candidates = wanted or [data.ids.uuid("group", g) for g in range(data.n_groups)] + [g["id"] for g in created]
    groups = []
    for group_id in candidates:
        key = data.ids.key("group", group_id)
        group = sb.groups.get(group_id) or (data.group(key) if key is not None and key < data.n_groups else None)
        if group and (not company or company in group["name"].lower() or company in group["dba_name"].lower()):
            groups.append(group)
    return _page_of(sb, req, groups)


@handles("GET", "group")
def get_group(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    return 200, sb.groups[req.params["group_id"]] if g is None else sb.data.group(g)


@handles("GET", "group_carrier_configurations")
def list_carrier_configurations(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    return 200, [] if g is None else sb.data.carrier_configurations(g, _as_of(req))  # a bare array, as documented


@handles("GET", "group_contacts")
def list_contacts(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    return _page_of(sb, req, [] if g is None else sb.data.contacts(g))


@handles("GET", "group_contact")
def get_contact(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    key = _key(sb, "contact", req.params["contact_id"])
    return _found(sb.data.contact(key) if g == key // CHILD_STRIDE else None, "contact")


@handles("GET", "group_locations")
def list_locations(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    return _page_of(sb, req, [] if g is None else sb.data.locations(g))


@handles("GET", "group_location")
def get_location(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    key = _key(sb, "location", req.params["location_id"])
    return _found(sb.data.location(key) if g == key // CHILD_STRIDE else None, "location")


@handles("GET", "group_latest_audit")
def get_latest_audit(sb: Sandbox, req: Req):
    group_id = req.params["group_id"]
    g = _group(sb, group_id)
    if g is None:
        return 200, {"group_id": group_id, "carrier_ids": [], "completed_at": sb.groups[group_id]["created"]}
    return 200, sb.data.latest_audit(g, req.now, req.query.get("carrier_id"))


# --- Group connections ------------------------------------------------------------------
SORTABLE = contract.GROUP_CONNECTION_SORT_FIELDS


def _connection_list(sb: Sandbox, req: Req, specs, statuses: list[str], keep=lambda record: True):
    sort_by, direction = req.query.get("sort_by"), req.query.get("sort_direction", "asc")
    if sort_by and sort_by not in SORTABLE:
        raise ApiError(422, f"sort_by must be one of: {', '.join(SORTABLE)}.", {"sort_by": ["Unsupported attribute."]})
    if direction not in ("asc", "desc"):
        raise ApiError(422, "sort_direction must be asc or desc.", {"sort_direction": ["Must be asc or desc."]})
    records = [r for r in (sb.data.render_connection(s, req.now) for s in specs) if r]
    records = [r for r in records if (not statuses or r["status"] in statuses) and keep(r)]
    if sort_by:
        records.sort(key=lambda r: r[sort_by], reverse=direction == "desc")
    elif direction == "desc":
        records.reverse()
    return _page_of(sb, req, records)


@handles("GET", "group_connections")
def list_group_connections(sb: Sandbox, req: Req):
    q = req.query
    statuses = _enum(q, "status", contract.GROUP_CONNECTION_STATUSES)
    ids, carriers, number, organization = (
        _csv(q, "id"),
        _csv(q, "carrier_id"),
        q.get("carrier_group_id"),
        q.get("organization_id"),
    )
    if number and len(carriers) != 1:
        raise ApiError(
            422,
            "carrier_group_id needs exactly one carrier_id.",
            {"carrier_group_id": ["Use with exactly one carrier_id."]},
        )
    if not (statuses or ids or carriers or organization or "sort_by" in q or "sort_direction" in q):
        created = sb.created_connections
        n = sb.data.n_connections

        def fetch(low: int, high: int) -> list:
            specs = [sb.connection_spec(i) if i < n else sb.connections[created[i - n]] for i in range(low, high)]
            return [sb.data.render_connection(s, req.now) for s in specs]

        return _page(sb, req, n + len(created), fetch)
    specs = [s for s in (sb.find_connection(i) for i in ids) if s] if ids else sb.all_connection_specs()

    def keep(r: Record) -> bool:
        return (
            (not carriers or r["carrier_id"] in carriers)
            and (not organization or r["organization_id"] == organization)
            and (not number or r["group_data"]["carrier_group_id"] == number)
        )

    return _connection_list(sb, req, specs, statuses, keep)


@handles("GET", "group_group_connections")
def list_group_connections_by_group(sb: Sandbox, req: Req):
    group_id = req.params["group_id"]
    g = _group(sb, group_id)
    specs = [] if g is None else [sb.connection_spec(i) for i in sb.data.connections_of_group(g)]
    specs += [sb.connections[c] for c in sb.created_connections if sb.connections[c].group_id == group_id]
    return _connection_list(sb, req, specs, _enum(req.query, "status", contract.GROUP_CONNECTION_STATUSES))


@handles("GET", "group_connection")
def get_group_connection(sb: Sandbox, req: Req):
    spec = sb.find_connection(req.params["connection_id"])
    return _found(sb.data.render_connection(spec, req.now) if spec else None, "group connection")


# A write takes effect at the sandbox time it takes the lock, after ``req.now``; its answer is
# rendered at a time read after the write, or a running clock answers a record not yet created.
@handles("POST", "group_connections")
def create_group_connection(sb: Sandbox, req: Req):
    spec = sb.create_connection(req.body)
    return 201, sb.data.render_connection(spec, sb.now())


@handles("POST", "group_group_connections")
def create_group_connection_for_group(sb: Sandbox, req: Req):
    _group(sb, req.params["group_id"])
    spec = sb.create_connection(req.body, group_id=req.params["group_id"])
    return 201, sb.data.render_connection(spec, sb.now())


@handles("PUT", "group_connection_retry")
def retry_group_connection(sb: Sandbox, req: Req):
    spec = sb.retry_connection(req.params["connection_id"], req.body)
    return contract.RETRY_SUCCESS_STATUS, sb.data.render_connection(spec, sb.now())


# --- Disconnections, enrollments, plans, renewals -------------------------------------------
@handles("GET", "group_disconnection_requests")
def list_disconnection_requests(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    return _page_of(sb, req, [] if g is None else sb.disconnection_requests(g, req.now))


@handles("GET", "group_disconnection_request")
def get_disconnection_request(sb: Sandbox, req: Req):
    key = _key(sb, "disconnection", req.params["request_id"], sb.data.n_groups * DISCONNECTION_STRIDE)
    _status, record = _found(
        sb.with_decision(sb.data.disconnection_request(key, req.now), req.now), "group disconnection request"
    )
    return 201, record  # the reference documents 201 for this GET (ENDPOINTS.md §3.5)


@handles("PUT", "group_disconnection_request_confirm")
def confirm_disconnection_request(sb: Sandbox, req: Req):
    record = sb.decide_disconnection(req.params["request_id"], "confirm", req.body)
    return contract.DISCONNECTION_DECISION_SUCCESS_STATUS, record


@handles("PUT", "group_disconnection_request_reject")
def reject_disconnection_request(sb: Sandbox, req: Req):
    record = sb.decide_disconnection(req.params["request_id"], "reject", req.body)
    return contract.DISCONNECTION_DECISION_SUCCESS_STATUS, record


@handles("GET", "group_enrollments")
def list_group_enrollments(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    statuses = _enum(req.query, "status", contract.GROUP_ENROLLMENT_STATUSES)
    records = [] if g is None else sb.data.group_enrollments(g, _as_of(req))
    return _page_of(sb, req, [r for r in records if not statuses or r["status"] in statuses])


@handles("GET", "group_enrollment")
def get_group_enrollment(sb: Sandbox, req: Req):
    key = _key(sb, "group_enrollment", req.params["enrollment_id"], sb.data.n_groups * SLOT_STRIDE)
    return _found(sb.data.group_enrollment(key, _as_of(req)), "group enrollment")


@handles("GET", "group_plans")
def list_plans(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    statuses = _enum(req.query, "status", contract.PLAN_STATUSES)
    lines = _enum(req.query, "line_of_coverage", contract.LINES_OF_COVERAGE)
    carriers = _csv(req.query, "carrier_id")
    records = [] if g is None else sb.data.plans(g, _as_of(req))
    return _page_of(
        sb,
        req,
        [
            r
            for r in records
            if (not statuses or r["status"] in statuses)
            and (not lines or r["line_of_coverage"] in lines)
            and (not carriers or r["carrier_id"] in carriers)
        ],
    )


@handles("GET", "renewal_decisions")
def list_renewal_decisions(sb: Sandbox, req: Req):
    """The generated decisions, then those created through the API, oldest first."""
    n, created = sb.data.n_renewals, sb.created_renewals(req.now)
    return _page(
        sb,
        req,
        n + len(created),
        lambda low, high: [sb.data.renewal_decision(i, req.now) if i < n else created[i - n] for i in range(low, high)],
    )


@handles("GET", "group_renewal_decisions")
def list_group_renewal_decisions(sb: Sandbox, req: Req):
    group_id = req.params["group_id"]
    g = _group(sb, group_id)
    generated = [] if g is None else [sb.data.renewal_decision(i, req.now) for i in sb.data.renewals_of_group(g)]
    return _page_of(sb, req, generated + sb.created_renewals(req.now, group_id))


@handles("POST", "group_renewal_decisions")
def create_renewal_decision(sb: Sandbox, req: Req):
    group_id = req.params["group_id"]
    record = sb.create_renewal_decision(group_id, _group(sb, group_id), req.body)
    return contract.RENEWAL_DECISION_CREATE_STATUS, record


# --- Employees and their records --------------------------------------------------------------
EMPLOYEE_FILTERS = ("first_name", "last_name", "date_of_birth", "name")


def _employee_list(sb: Sandbox, req: Req, employees: range):
    filters = {name: req.query[name] for name in EMPLOYEE_FILTERS if req.query.get(name)}
    if filters:
        employees = [e for e in employees if sb.data.employee_matches(e, filters)]
    return _page_indexed(sb, req, employees, sb.data.employee)


@handles("GET", "employees")
def list_employees(sb: Sandbox, req: Req):
    return _employee_list(sb, req, range(sb.data.n_employees))


@handles("GET", "group_employees")
def list_group_employees(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    return _employee_list(sb, req, range(0) if g is None else sb.data.employees_of_group(g))


@handles("GET", "employee")
def get_employee(sb: Sandbox, req: Req):
    return 200, sb.data.employee(_employee(sb, req.params["employee_id"]))


@handles("GET", "employee_dependents")
def list_dependents(sb: Sandbox, req: Req):
    return _page_of(sb, req, sb.data.dependents(_employee(sb, req.params["employee_id"])))


@handles("GET", "dependent")
def get_dependent(sb: Sandbox, req: Req):
    return _found(sb.data.dependent(_key(sb, "dependent", req.params["dependent_id"])), "dependent")


@handles("GET", "employee_individual_enrollments")
def list_individual_enrollments(sb: Sandbox, req: Req):
    e = _employee(sb, req.params["employee_id"])
    include = req.query.get("include_dependents", "").lower() == "true"
    return _page_of(sb, req, sb.data.individual_enrollments(e, _as_of(req), include))


@handles("GET", "dependent_individual_enrollments")
def list_dependent_enrollments(sb: Sandbox, req: Req):
    key = _key(sb, "dependent", req.params["dependent_id"])
    if sb.data.dependent(key) is None:
        raise ApiError(404, "No such dependent.")
    return _page_of(sb, req, sb.data.dependent_enrollments(key, _as_of(req)))


@handles("GET", "group_enrollment_individual_enrollments")
def list_enrollments_of_group_enrollment(sb: Sandbox, req: Req):
    key = _key(sb, "group_enrollment", req.params["enrollment_id"])
    records = sb.data.enrollments_of_group_enrollment(key, _as_of(req))
    if records is None:
        raise ApiError(404, "No such group enrollment.")
    return _page_of(sb, req, records)


@handles("GET", "individual_enrollment")
def get_individual_enrollment(sb: Sandbox, req: Req):
    key = _key(sb, "individual_enrollment", req.params["enrollment_id"], sb.data.n_employees * IE_STRIDE)
    return _found(sb.data.individual_enrollment(key, _as_of(req)), "individual enrollment")


@handles("GET", "employee_premiums")
def list_premiums(sb: Sandbox, req: Req):
    return _page_of(sb, req, sb.data.premiums(_employee(sb, req.params["employee_id"]), _as_of(req)))


# --- Member snapshots and tracking differences ---------------------------------------------------
@handles("GET", "group_member_snapshots")
def list_group_snapshots(sb: Sandbox, req: Req):
    g = _group(sb, req.params["group_id"])
    employees = range(0) if g is None else sb.data.employees_of_group(g)
    if req.query.get("employee_id"):
        e = _employee(sb, req.query["employee_id"])
        employees = [e] if e in employees else []
    records = [r for e in employees for r in sb.data.snapshots(e, req.now)]
    records.sort(key=lambda r: r["created"], reverse=True)  # documented default: newest first
    return _page_of(sb, req, records)


@handles("GET", "employee_member_snapshots")
def list_employee_snapshots(sb: Sandbox, req: Req):
    return _page_of(sb, req, sb.data.snapshots(_employee(sb, req.params["employee_id"]), req.now))


@handles("GET", "member_snapshot")
def get_snapshot(sb: Sandbox, req: Req):
    key = _key(sb, "snapshot", req.params["snapshot_id"], sb.data.n_employees * SNAPSHOT_STRIDE)
    return _found(sb.data.snapshot(key, req.now, full=True), "member snapshot")


@handles("GET", "employee_member_snapshot")
def get_current_snapshot(sb: Sandbox, req: Req):
    """The family's current state: the newest snapshot not replaced or canceled."""
    e = _employee(sb, req.params["employee_id"])
    current = [r for r in sb.data.snapshots(e, req.now, full=True) if r["status"] not in ("replaced", "canceled")]
    return _found(current[-1] if current else None, "member snapshot for this employee")


@handles("GET", "differences")
def list_differences(sb: Sandbox, req: Req):
    data, q = sb.data, req.query
    employees = range(data.n_employees)
    if q.get("member_snapshot_id"):
        snapshot_key = _key(sb, "snapshot", q["member_snapshot_id"], data.n_employees * SNAPSHOT_STRIDE)
        employees = range(snapshot_key // SNAPSHOT_STRIDE, snapshot_key // SNAPSHOT_STRIDE + 1)
    if q.get("employee_id"):
        e = _employee(sb, q["employee_id"])
        employees = range(e, e + 1) if e in employees else range(0)
    if q.get("group_id"):
        g = _group(sb, q["group_id"])
        group_employees = range(0) if g is None else data.employees_of_group(g)
        employees = range(
            max(employees.start, group_employees.start), max(min(employees.stop, group_employees.stop), 0)
        )
        employees = employees if employees.start < employees.stop else range(0)
    indexes = data.differences_of_employees(employees) if employees.stop > employees.start else range(0)
    snapshot, carriers = q.get("member_snapshot_id"), _csv(q, "carrier_id")
    if not (snapshot or carriers):
        return _page_indexed(sb, req, indexes, lambda i: data.difference(i, req.now))
    records = [data.difference(i, req.now) for i in indexes]
    return _page_of(
        sb,
        req,
        [
            r
            for r in records
            if (not snapshot or r["member_snapshot_id"] == snapshot) and (not carriers or r["carrier_id"] in carriers)
        ],
    )


@handles("GET", "difference")
def get_difference(sb: Sandbox, req: Req):
    return 200, sb.data.difference(_key(sb, "difference", req.params["difference_id"], sb.data.n_differences), req.now)


# --- Legacy member requests and transactions -------------------------------------------------------
REQUEST_TYPE_FILTER = contract.MEMBER_REQUEST_TYPES + (
    "cobra_open_enrollment",
    "cobra_qualifying_life_event",
)  # seed 004


@handles("GET", "member_requests")
def list_member_requests(sb: Sandbox, req: Req):
    data, q = sb.data, req.query
    statuses = _enum(q, "status", contract.MEMBER_REQUEST_STATUSES)
    kinds = _enum(q, "request_type", REQUEST_TYPE_FILTER)
    employees = range(data.n_employees)
    if q.get("employee_id"):
        e = _employee(sb, q["employee_id"])
        employees = range(e, e + 1)
    if q.get("group_id"):
        g = _group(sb, q["group_id"])
        group_employees = range(0) if g is None else data.employees_of_group(g)
        employees = range(max(employees.start, group_employees.start), min(employees.stop, group_employees.stop))
    indexes = data.requests_of_employees(employees) if employees.stop > employees.start else range(0)
    if statuses or kinds:
        indexes = [i for i in indexes if _request_matches(sb, i, req.now, statuses, kinds)]
    return _page_indexed(sb, req, indexes, lambda i: data.member_request(i, req.now))


def _request_matches(sb: Sandbox, i: int, now: float, statuses: list[str], kinds: list[str]) -> bool:
    _e, kind, story = sb.data.request_head(i, with_story=False)
    if kinds and kind not in kinds:
        return False
    return not statuses or story[max(0, position(story, now))].status in statuses


@handles("GET", "employee_member_requests")
def list_employee_member_requests(sb: Sandbox, req: Req):
    e = _employee(sb, req.params["employee_id"])
    return _page_indexed(
        sb, req, sb.data.requests_of_employees(range(e, e + 1)), lambda i: sb.data.member_request(i, req.now)
    )


@handles("GET", "member_request")
def get_member_request(sb: Sandbox, req: Req):
    return 200, sb.data.member_request(_key(sb, "request", req.params["request_id"], sb.data.n_requests), req.now)


@handles("GET", "member_request_transactions")
def list_request_transactions(sb: Sandbox, req: Req):
    i = _key(sb, "request", req.params["request_id"], sb.data.n_requests)
    return _page_indexed(sb, req, transactions_of(i), lambda t: sb.data.member_transaction(t, req.now))


@handles("GET", "member_transactions")
def list_member_transactions(sb: Sandbox, req: Req):
    data = sb.data
    indexes = range(data.n_transactions)
    if req.query.get("member_request_id"):
        indexes = transactions_of(_key(sb, "request", req.query["member_request_id"], data.n_requests))
    wanted = _csv(req.query, "ids")
    if wanted:
        keys = {data.ids.key("transaction", t) for t in wanted}
        indexes = [t for t in (sorted(k for k in keys if k is not None and k < data.n_transactions)) if t in indexes]
    return _page_indexed(sb, req, indexes, lambda t: data.member_transaction(t, req.now))


@handles("GET", "member_transaction")
def get_member_transaction(sb: Sandbox, req: Req):
    return 200, sb.data.member_transaction(
        _key(sb, "transaction", req.params["transaction_id"], sb.data.n_transactions), req.now
    )


# --- Malformed and undocumented records (a fault) ----------------------------------------------------
ENUM_FIELDS = (
    "status",
    "relationship",
    "line_of_coverage",
    "request_type",
    "transaction_type",
    "difference_classification",
)
UNDOCUMENTED_FIELD = "undocumented_field"


def malform(sb: Sandbox, payload: Any) -> Any:
    """Spoil the records whose ids the faults pick, the same ids on every read, in the fault's mode
    (``Faults.MALFORMED_MODES``): one field per record, so a test knows what it asked for."""
    if isinstance(payload, dict) and isinstance(payload.get("response"), list):
        return {**payload, "response": [malform(sb, r) for r in payload["response"]]}
    if isinstance(payload, list):
        return [malform(sb, r) for r in payload]
    if not (isinstance(payload, dict) and isinstance(payload.get("id"), str) and sb.is_malformed(payload["id"])):
        return payload
    record, mode = dict(payload), sb.malformed_mode(payload["id"])
    if mode == "extra_field":
        record[UNDOCUMENTED_FIELD] = "Sent by Noyo, described by no document."
        return record
    if mode == "number_as_string":
        field = next((k for k, v in record.items() if type(v) is int), None)
        if field:
            record[field] = str(record[field])
            return record
    if mode == "missing_field":
        del record[next(k for k in ("status", "version", "created") if k in record)]
        return record
    if mode == "unknown_enum":
        field = next((k for k in ENUM_FIELDS if k in record), None)
        if field:
            record[field] = "retired_by_carrier"
            return record
    field = next((k for k in record if k.endswith("_date") and isinstance(record[k], str)), "created")
    record[field] = "2023-02-30" if field != "created" else "yesterday"
    return record
