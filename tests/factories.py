"""Small factories for mirrored records, for tests that need rows without a sync.

Each takes keyword overrides for any model field and fills the rest plausibly.
Page tests use these; sync tests fill the database from the sandbox instead.
"""

import itertools
import uuid

from django.utils import timezone

from connections.models import Carrier, Group, GroupConnection

_seq = itertools.count(1)


def noyo_id():
    return str(uuid.uuid4())


def make_carrier(**fields):
    n = next(_seq)
    defaults = {
        "id": noyo_id(),
        "name": f"Carrier {n}",
        "kind": "sync",
        "carrier_group_id_format": r"[A-Z]{2}\d{6}",
        "format_hint": "two letters and six digits, e.g. AB123456",
    }
    return Carrier.objects.create(**{**defaults, **fields})


def make_group(**fields):
    n = next(_seq)
    now = timezone.now()
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "name": f"Group {n} Inc",
        "dba_name": f"G{n}",
        "organization_id": str(uuid.UUID(int=1)),
        "created": now,
        "modified": now,
    }
    return Group.objects.create(**{**defaults, **fields})


def make_connection(**fields):
    now = timezone.now()
    group = fields.pop("group", None) or make_group()
    carrier = fields.pop("carrier", None) or make_carrier()
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "organization_id": group.organization_id,
        "group": group,
        "group_name": group.name,
        "carrier": carrier,
        "carrier_group_id": f"AB{next(_seq):06d}",
        "request_type": "initial",
        "status": "processing",
        "status_changed_at": now,
        "created": now,
        "modified": now,
    }
    return GroupConnection.objects.create(**{**defaults, **fields})


# --- Added for the connections console -------------------------------------------------


def make_status_change(connection, old_status, new_status, observed_at=None):
    from command_center.models import StatusChange

    return StatusChange.objects.record(connection, old_status, new_status, observed_at=observed_at or timezone.now())


def make_sync_run(kind="group_connections", status="succeeded", finished_at=None, **fields):
    from command_center.models import SyncRun

    finished_at = finished_at or timezone.now()
    return SyncRun.objects.create(
        kind=kind, trigger="schedule", status=status, started_at=finished_at, finished_at=finished_at, **fields
    )


def _mirrored(model, group, **fields):
    now = timezone.now()
    defaults = {"id": noyo_id(), "version": noyo_id(), "group": group, "created": now, "modified": now}
    return model.objects.create(**{**defaults, **fields})


def make_disconnection(group, **fields):
    from connections.models import GroupDisconnectionRequest

    return _mirrored(
        GroupDisconnectionRequest,
        group,
        **{"status": "needs_review", "reason": "broker_of_record", "source_type": "carrier", **fields},
    )


def make_group_enrollment(group, **fields):
    from connections.models import GroupEnrollment

    return _mirrored(GroupEnrollment, group, **{"line_of_coverage": "medical", "status": "active", **fields})


def make_plan(group, **fields):
    from connections.models import Plan

    return _mirrored(
        Plan,
        group,
        **{"line_of_coverage": "medical", "name": "Gold PPO 500", "status": "active", "plan_type": "ppo", **fields},
    )


def make_contact(group, **fields):
    from connections.models import Contact

    return _mirrored(
        Contact,
        group,
        **{"first_name": "Dana", "last_name": "Reyes", "email": "dana@example.com", "types": ["billing"], **fields},
    )


def make_location(group, **fields):
    from connections.models import Location

    return _mirrored(Location, group, **{"display_name": "Head office", "city": "Portland", "state": "OR", **fields})


def make_carrier_configuration(group, carrier, **fields):
    from connections.models import CarrierConfiguration

    return _mirrored(
        CarrierConfiguration,
        group,
        **{"carrier": carrier, "carrier_group_id": "AB123456", "configuration": {"bill_groups": ["A"]}, **fields},
    )


def make_renewal_decision(group, **fields):
    import datetime as dt

    from connections.models import RenewalDecision

    issues = [
        {
            "level": "error",
            "message": "No plans found at the carrier for the renewal date.",
            "line_of_coverage": "medical",
        }
    ]
    return _mirrored(
        RenewalDecision,
        group,
        **{"renewal_date": dt.date(2027, 1, 1), "status": "not_ready", "issues": issues, **fields},
    )


def make_latest_audit(group, **fields):
    from connections.models import LatestAudit

    return _mirrored(LatestAudit, group, **{"completed_at": timezone.now(), "carrier_ids": [], **fields})
