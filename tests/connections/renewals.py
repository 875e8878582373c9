"""Renewal decisions for page tests, mirrored through the sync's own mapping from payloads shaped as
the renewals reference documents them (seed 003)."""

import datetime as dt
import uuid

from command_center.sync.engine import write_one
from connections.sync import RENEWAL_DECISIONS


def renewal_payload(group, *, renewal_date=dt.date(2027, 1, 1), status="not_ready", issues=None, carriers=(), **extra):
    """``carriers``: ``[(carrier, {line: [plan, ...]})]``; a plan is ``{"plan_id": ...}`` or ``{"name", "plan_type", ...}``."""
    body = {
        "carriers": [
            {
                "carrier_id": carrier.pk,
                "lines_of_coverage": {
                    line: {
                        "open_enrollment_start_date": (renewal_date - dt.timedelta(days=45)).isoformat(),
                        "open_enrollment_end_date": (renewal_date - dt.timedelta(days=15)).isoformat(),
                        "plans": plans,
                    }
                    for line, plans in lines.items()
                },
            }
            for carrier, lines in carriers
        ]
    }
    return {
        "id": str(uuid.uuid4()),
        "version": str(uuid.uuid4()),
        "group_id": group.pk,
        "created": 1557862286,
        "modified": 1557862286,
        "renewal_date": renewal_date.isoformat(),
        "status": status,
        "issues": issues or [],
        "body": body,
        **extra,
    }


def issue(carrier, message="No plans found at the carrier for the renewal date.", level="error", line="medical"):
    return {"level": level, "message": message, "carrier_id": carrier.pk if carrier else None, "line_of_coverage": line}


def mirror_renewal(group, **kwargs):
    return write_one(RENEWAL_DECISIONS, renewal_payload(group, **kwargs))


def mirror_sandbox_group(sandbox):
    """A sandbox group mirrored as a sync leaves it: the group, its connections and its plans
    (for the tests that send a renewal decision for it, from the form or the API)."""
    from command_center.noyo.sandbox.carriers import CARRIERS
    from command_center.noyo.service import noyo_client
    from connections.management.commands.seed_carriers import seed_carriers
    from connections.sync import PLANS, mirror_group, mirror_group_connection

    seed_carriers(CARRIERS)
    group_id = sandbox.examples()["groups"][1]
    with noyo_client() as noyo:
        group = mirror_group(noyo.get_group(group_id))
        for connection in noyo.iter_group_connections_by_group(group_id):
            mirror_group_connection(connection)
        for plan in noyo.iter_plans(group_id):
            write_one(PLANS, plan, {"group_id": group_id})
    return group
