"""``/_sandbox/*``: the control endpoints tests and demos use. No token needed; not Noyo's API.

GET  /_sandbox/state            seed, scale, clock, counts, faults
POST /_sandbox/reset            forget writes, faults, clock advances and the request log
POST /_sandbox/clock            {"advance_seconds": N} and/or {"speed": X}
GET  /_sandbox/faults           the faults in force
POST /_sandbox/faults           replace them, e.g. {"rate_503": 0.2, "fail_next": [503, "drop"]}
POST /_sandbox/tokens/expire    every token issued so far now answers 401
GET  /_sandbox/requests         the request log (?method=GET&path_contains=/retry)
GET  /_sandbox/carriers         the carrier table (carriers.CARRIERS)
GET  /_sandbox/examples         ids worth knowing: connections by status, snapshots by status, ...
POST /_sandbox/webhook          {"url": ..., "secret": ...}: post signed connection events there
"""

from __future__ import annotations

from typing import Any

from . import carriers
from .state import ApiError, Sandbox
from .webhooks import Webhooks


def handle(sb: Sandbox, webhooks: Webhooks, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
    body = body if isinstance(body, dict) else {}
    if (method, path) == ("GET", "/_sandbox/state"):
        return 200, state(sb)
    if (method, path) == ("POST", "/_sandbox/reset"):
        sb.reset()
        return 200, state(sb)
    if (method, path) == ("POST", "/_sandbox/clock"):
        if "speed" in body:
            sb.clock.set_speed(float(body["speed"]))
        sb.clock.advance(float(body.get("advance_seconds", 0)))
        return 200, state(sb)["clock"]
    if path == "/_sandbox/faults" and method in ("GET", "POST"):
        return 200, (sb.set_faults(body) if method == "POST" else sb.faults).as_dict()
    if (method, path) == ("POST", "/_sandbox/tokens/expire"):
        sb.tokens.expire_all()
        return 200, {"expired": True}
    if (method, path) == ("GET", "/_sandbox/requests"):
        entries = sb.requests(query.get("method"), query.get("path_contains"))
        return 200, {"count": len(entries), "requests": entries}
    if (method, path) == ("GET", "/_sandbox/carriers"):
        return 200, carriers.CARRIERS
    if (method, path) == ("GET", "/_sandbox/examples"):
        return 200, examples(sb)
    if (method, path) == ("POST", "/_sandbox/webhook"):
        webhooks.configure(str(body.get("url", "")), str(body.get("secret", "")))
        return 200, {"url": webhooks.url}
    raise ApiError(404, f"No such sandbox control endpoint: {method} {path}")


def state(sb: Sandbox) -> dict:
    return {
        "seed": sb.config.seed,
        "scale": sb.config.scale,
        "clock": {"start": sb.clock.t0, "now": sb.now(), "speed": sb.clock.speed},
        "counts": sb.data.counts(),
        "faults": sb.faults.as_dict(),
        "written_connections": len(sb.connections),
        "decided_disconnections": len(sb.disconnection_decisions),
        "created_renewals": len(sb.renewals),
    }


def examples(sb: Sandbox, limit: int = 5) -> dict:
    """Ids of interesting records, found by scanning the first records of each list."""
    data, now = sb.data, sb.now()
    connections: dict[str, list[str]] = {}
    for spec in sb.all_connection_specs():
        record = data.render_connection(spec, now)
        if record:
            connections.setdefault(record["status"], []).append(record["id"])
    snapshots: dict[str, list[str]] = {}
    fulfillment: dict[str, list[str]] = {}
    for e in range(min(data.n_employees, 300)):
        for record in data.snapshots(e, now):
            snapshots.setdefault(record["status"], []).append(record["id"])
            for entry in record["fulfillment_summary"]:
                fulfillment.setdefault(entry["status"], []).append(record["id"])
    disconnections: dict[str, list[str]] = {}
    for g in range(min(data.n_groups, 300)):
        for record in sb.disconnection_requests(g, now):
            disconnections.setdefault(record["status"], []).append(record["id"])
    requests: dict[str, list[str]] = {}
    request_types: dict[str, list[str]] = {}
    for i in range(min(data.n_requests, 2000)):
        _e, kind, story = data.request_head(i, with_story=False)
        record_id = data.ids.uuid("request", i)
        request_types.setdefault(kind, []).append(record_id)
        status = [s for s in story if s.at <= now][-1].status
        requests.setdefault(status, []).append(record_id)
    trim = lambda found: {key: ids[:limit] for key, ids in sorted(found.items())}  # noqa: E731
    return {
        "group_connections_by_status": trim(connections),
        "retryable_connection_ids": [
            i for s in ("unable_to_connect", "action_required", "carrier_authorization") for i in connections.get(s, [])
        ][:limit],
        "group_disconnection_requests_by_status": trim(disconnections),
        "groups": [data.ids.uuid("group", g) for g in range(min(limit, data.n_groups))],
        "employees": {
            "with_every_snapshot_scenario": [data.ids.uuid("employee", e) for e in range(min(9, data.n_employees))],
            "new_hires_with_pending_coverage": [data.ids.uuid("employee", e) for e in (5, 6) if e < data.n_employees],
            "terminated": data.ids.uuid("employee", 2) if data.n_employees > 2 else None,
            "leaving_next_month": data.ids.uuid("employee", 8) if data.n_employees > 8 else None,
        },
        "member_snapshots_by_status": trim(snapshots),
        "member_snapshots_by_fulfillment_status": trim(fulfillment),
        "member_requests_by_status": trim(requests),
        "member_requests_by_type": trim(request_types),
        "organization_ids": list(data.organization_ids),
    }
