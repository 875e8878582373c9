"""Mirroring Noyo's group side: how each payload becomes a row, and which lists each family reads.

Mapping functions (``*_row``) turn one payload into ``{column: value}`` for the engine
(``command_center.sync.engine``); they raise ``Malformed`` with a plain reason for a record
they cannot read. The family functions (``sync_groups``, ``sync_group_connections``) read
Noyo's lists with as few calls as the API allows and feed the engine.

For other code (retries, webhooks): ``mirror_group_connection(payload)`` and
``refetch_group_connection(connection_id)`` write one connection through the same mapping.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from command_center.models import StatusCount
from command_center.sync import payloads as p
from command_center.sync.engine import Resource, write_one
from command_center.sync.families import FamilyRun, Step
from command_center.sync.records import normalize_noyo_id, payload_version, synthetic_id
from connections.models import (
    CarrierConfiguration,
    CarrierStatusCount,
    Contact,
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    GroupEnrollment,
    LatestAudit,
    Location,
    Plan,
    RenewalDecision,
)

# --- Mappings ------------------------------------------------------------------------


def group_row(payload, context=None):
    return {
        **p.base(payload),
        "organization_id": p.foreign_id(payload, "organization_id") or "",
        "name": p.text(payload, "name"),
        "dba_name": p.text(payload, "dba_name"),
        "federal_ein": p.text(payload, "federal_ein"),
        "sic_code": p.text(payload, "sic_code"),
    }


def group_connection_row(payload, context=None):
    group_data = p.obj(payload, "group_data")
    setup_result = p.obj(payload, "setup_result")
    return {
        **p.base(payload),
        "organization_id": p.foreign_id(payload, "organization_id") or "",
        "group_id": p.foreign_id(payload, "group_id"),
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "group_audit_request_id": p.foreign_id(payload, "group_audit_request_id") or "",
        "request_type": p.text(payload, "request_type"),
        "status": p.text(payload, "status"),
        "completed": p.epoch(payload, "completed"),
        "federal_ein": p.text(payload, "federal_ein"),
        "carrier_group_id": p.text(group_data, "carrier_group_id"),
        "group_name": p.text(group_data, "group_name"),
        "broker_federal_ein": p.text(group_data, "broker_federal_ein"),
        "broker_tin": p.text(group_data, "broker_tin"),
        "employer_email_address": p.text(group_data, "employer_email_address"),
        "setup_error": p.text(setup_result, "error"),
    }


def disconnection_request_row(payload, context=None):
    return {
        **p.base(payload),
        "organization_id": p.foreign_id(payload, "organization_id") or "",
        "group_id": p.foreign_id(payload, "group_id") or _parent(context),
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "group_name": p.text(payload, "group_name"),
        "status": p.text(payload, "status"),
        "source_type": p.text(payload, "source_type"),
        "source_id": p.foreign_id(payload, "source_id") or "",
        "reason": p.text(payload, "reason"),
        "effective_end_date": p.date(payload, "effective_end_date"),
        "decided": p.epoch(payload, "decided"),
        "completed": p.epoch(payload, "completed"),
    }


def carrier_configuration_key(payload, context=None) -> str | None:
    """No id from Noyo: a carrier configuration is the one of its (group, carrier)."""
    group_id = p.lenient_id(payload, "group_id") or _parent(context)
    carrier_id = p.lenient_id(payload, "carrier_id")
    return synthetic_id("carrier_configuration", group_id, carrier_id) if group_id and carrier_id else None


def carrier_configuration_row(payload, context=None):
    """No id nor version from Noyo: keyed by (group, carrier), versioned by content."""
    group_id = p.foreign_id(payload, "group_id") or _parent(context)
    carrier_id = p.foreign_id(payload, "carrier_id")
    if not (group_id and carrier_id):
        raise p.Malformed("It names no group_id or carrier_id, which identify a carrier configuration.")
    return {
        "id": carrier_configuration_key(payload, context),
        "version": payload_version(payload),
        "raw": payload,
        "group_id": group_id,
        "carrier_id": carrier_id,
        "carrier_group_id": p.text(payload, "carrier_group_id"),
        "configuration": p.obj(payload, "configuration"),
    }


def contact_row(payload, context=None):
    types = p.array(payload, "types")
    return {
        **p.base(payload),
        "group_id": p.foreign_id(payload, "group_id") or _parent(context),
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "first_name": p.text(payload, "first_name"),
        "last_name": p.text(payload, "last_name"),
        "title": p.text(payload, "title"),
        "email": p.text(payload, "email"),
        "phone_number": p.text(payload, "phone_number"),
        "types": [str(t) for t in types],
        "primary_contact": p.boolean(payload, "primary_contact"),
    }


def location_row(payload, context=None):
    address = p.obj(payload, "address")
    return {
        **p.base(payload),
        "group_id": p.foreign_id(payload, "group_id") or _parent(context),
        "display_name": p.text(payload, "display_name"),
        "street_one": p.text(address, "street_one"),
        "city": p.text(address, "city"),
        "state": p.text(address, "state"),
        "zip_code": p.text(address, "zip_code"),
    }


def latest_audit_key(payload, context=None) -> str | None:
    """One per group, no id from Noyo: keyed by the group."""
    group_id = p.lenient_id(payload, "group_id") or _parent(context)
    return synthetic_id("latest_audit", group_id) if group_id else None


def latest_audit_row(payload, context=None):
    """One per group, no id nor version from Noyo: keyed by the group, versioned by content."""
    group_id = p.foreign_id(payload, "group_id") or _parent(context)
    if not group_id:
        raise p.Malformed("It names no group_id.")
    carrier_ids = [cid for cid in (p.array(payload, "carrier_ids")) if isinstance(cid, str)]
    return {
        "id": latest_audit_key(payload, context),
        "version": payload_version(payload),
        "raw": payload,
        "group_id": group_id,
        "carrier_ids": carrier_ids,
        "completed_at": p.epoch(payload, "completed_at"),
    }


def group_enrollment_row(payload, context=None):
    return {
        **p.base(payload),
        "group_id": p.foreign_id(payload, "group_id") or _parent(context),
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "line_of_coverage": p.text(payload, "line_of_coverage"),
        "status": p.text(payload, "status"),
        "open_enrollment_start_date": p.date(payload, "open_enrollment_start_date"),
        "open_enrollment_end_date": p.date(payload, "open_enrollment_end_date"),
        "open_enrollment_renewal_date": p.date(payload, "open_enrollment_renewal_date"),
        "effective_start_date": p.date(payload, "effective_start_date"),
        "effective_end_date": p.date(payload, "effective_end_date"),
    }


def plan_row(payload, context=None):
    return {
        **p.base(payload),
        "group_id": p.foreign_id(payload, "group_id") or _parent(context),
        "group_enrollment_id": p.foreign_id(payload, "group_enrollment_id"),
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "line_of_coverage": p.text(payload, "line_of_coverage"),
        "name": p.text(payload, "name"),
        "code": p.text(payload, "code"),
        "status": p.text(payload, "status"),
        "plan_type": p.text(payload, "plan_type"),
        "network": p.text(payload, "network"),
        "metal_tier": p.text(payload, "metal_tier"),
        "effective_start_date": p.date(payload, "effective_start_date"),
        "effective_end_date": p.date(payload, "effective_end_date"),
    }


def renewal_decision_row(payload, context=None):
    issues = p.array(payload, "issues")
    return {
        **p.base(payload),
        "group_id": p.foreign_id(payload, "group_id") or _parent(context),
        "renewal_date": p.date(payload, "renewal_date"),
        "status": p.text(payload, "status"),
        "issues": issues,
        "carrier_ids": renewal_carrier_ids(payload),
    }


def renewal_carrier_ids(payload) -> str:
    """Every carrier a renewal decision names (its expectations and its issues), sorted and comma-joined.

    Read leniently: a carrier id that is not a Noyo id is left out, not a reason to drop the record."""
    body = payload.get("body") if isinstance(payload, dict) else None
    expected = body.get("carriers") if isinstance(body, dict) else None
    issues = payload.get("issues")
    entries = [*(expected if isinstance(expected, list) else []), *(issues if isinstance(issues, list) else [])]
    ids = {normalize_noyo_id(entry.get("carrier_id")) for entry in entries if isinstance(entry, dict)}
    return ",".join(sorted(i for i in ids if i))


def _parent(context):
    return (context or {}).get("group_id")


GROUPS = Resource("groups", Group, group_row, "groups")
GROUP_CONNECTIONS = Resource(
    "group_connections", GroupConnection, group_connection_row, "group connections", carrier_columns=("carrier_id",)
)
DISCONNECTION_REQUESTS = Resource(
    "disconnection_requests",
    GroupDisconnectionRequest,
    disconnection_request_row,
    "disconnection requests",
    carrier_columns=("carrier_id",),
)
CARRIER_CONFIGURATIONS = Resource(
    "carrier_configurations",
    CarrierConfiguration,
    carrier_configuration_row,
    "carrier configurations",
    carrier_columns=("carrier_id",),
    identify=carrier_configuration_key,
)
CONTACTS = Resource("contacts", Contact, contact_row, "contacts", carrier_columns=("carrier_id",))
LOCATIONS = Resource("locations", Location, location_row, "locations")
LATEST_AUDITS = Resource("latest_audits", LatestAudit, latest_audit_row, "latest audits", identify=latest_audit_key)
GROUP_ENROLLMENTS = Resource(
    "group_enrollments", GroupEnrollment, group_enrollment_row, "group enrollments", carrier_columns=("carrier_id",)
)
PLANS = Resource("plans", Plan, plan_row, "plans", carrier_columns=("carrier_id",))
RENEWAL_DECISIONS = Resource(
    "renewal_decisions", RenewalDecision, renewal_decision_row, "renewal decisions", carrier_columns=("carrier_ids",)
)


# --- One record, for other code -----------------------------------------------------------


def mirror_group_connection(payload: dict) -> GroupConnection:
    """Write one group-connection payload (a retry's answer, a webhook re-fetch) through the sync's
    mapping, recording its status change. Raises ``command_center.sync.engine.Malformed`` if unreadable."""
    return write_one(GROUP_CONNECTIONS, payload)


def refetch_group_connection(connection_id: str, client=None) -> GroupConnection:
    """Fetch one connection from Noyo and mirror it. Noyo errors (``NotFound``, ...) propagate."""
    from command_center.noyo.service import noyo_client

    if client is not None:
        return mirror_group_connection(client.get_group_connection(str(connection_id)))
    with noyo_client() as noyo:
        return mirror_group_connection(noyo.get_group_connection(str(connection_id)))


def mirror_disconnection_request(payload: dict) -> GroupDisconnectionRequest:
    return write_one(DISCONNECTION_REQUESTS, payload)


def mirror_group(payload: dict) -> Group:
    return write_one(GROUPS, payload)


def mirror_renewal_decision(payload: dict) -> RenewalDecision:
    """Write one renewal-decision payload (a create's answer) through the sync's mapping."""
    return write_one(RENEWAL_DECISIONS, payload)


# --- Families ---------------------------------------------------------------------------------


def sync_group_connections(job: FamilyRun) -> None:
    """Every group connection, from the org-wide list: ceil(N/100) calls."""
    job.mirror_list(GROUP_CONNECTIONS, job.noyo.iter_group_connections())
    count_connection_statuses()


# The summaries count_connection_statuses rewrites whole each sync, with the time it counted (the pages say when):
# bookkeeping, not mirror rows, so a no-change resync that rewrites them has still written nothing to the mirror.
SUMMARY_TABLES = (StatusCount._meta.db_table, CarrierStatusCount._meta.db_table)


def count_connection_statuses() -> dict[str, int]:
    """Count the mirror's connections by carrier and status, for the dashboard's chart and the carriers list
    (one GROUP BY, once a sync rather than on every page view: about a second at 1M rows)."""
    by_carrier = (
        GroupConnection.objects.present().order_by().values_list("carrier_id", "status").annotate(n=Count("pk"))
    )
    counts, carrier_counts = {}, {}
    for carrier_id, status, n in by_carrier:
        counts[status] = counts.get(status, 0) + n
        if carrier_id:
            carrier_counts[carrier_id, status] = n
    counted_at = timezone.now()
    StatusCount.objects.replace(GroupConnection, counts, counted_at=counted_at)
    CarrierStatusCount.objects.replace(carrier_counts, counted_at=counted_at)
    return counts


def sync_groups(job: FamilyRun) -> None:
    """Groups and everything hanging off them.

    Org-wide lists where Noyo has them (groups, renewal decisions); for the rest
    (configurations, contacts, locations, latest audit, enrollments, plans, disconnection
    requests) there is only a per-group list: 7 calls per group, fetched concurrently.
    """
    job.mirror_list(GROUPS, job.noyo.iter_groups(), keep_ids=True)
    job.mirror_list(RENEWAL_DECISIONS, job.noyo.iter_renewal_decisions())
    job.mirror_per_parent(job.parents(GROUPS), GROUP_LISTS)


GROUP_LISTS = Step(
    "groups.lists",
    lambda noyo: [
        (CARRIER_CONFIGURATIONS, noyo.iter_group_carrier_configurations),
        (CONTACTS, noyo.iter_group_contacts),
        (LOCATIONS, noyo.iter_group_locations),
        (LATEST_AUDITS, lambda group_id: [noyo.get_group_latest_audit(group_id)]),
        (GROUP_ENROLLMENTS, noyo.iter_group_enrollments),
        (PLANS, noyo.iter_plans),
        (DISCONNECTION_REQUESTS, noyo.iter_group_disconnection_requests),
    ],
    context_key="group_id",
)
