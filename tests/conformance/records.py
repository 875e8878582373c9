"""What the documents say each mirror table holds: the records of every documented list, and
the typed columns each record must land with. Written from the documents, not from the
mappings, so that a mapping which misreads a field shows.

One ``Table`` per mirror model: the documented list paths that hold its records, the
first one being the list a sync reads (where the documents show one record twice with
different values, that list's version is the one expected); how to find a record's row
(by ``id``, or by its natural key for the records Noyo gives no id); and the columns to
compare, each read from the documented payload. Columns a mapping fills from elsewhere
(the group of a plan, taken from the path it was served at) are not compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connections.models import (
    CarrierConfiguration,
    Contact,
    Group,
    GroupConnection,
    GroupEnrollment,
    LatestAudit,
    Location,
    Plan,
)
from members.models import Dependent, Employee, IndividualEnrollment, MemberRequest, MemberTransaction, Premium
from tests.conformance import documents
from tests.conformance.server import API_PREFIX, is_id, records_of


def at(*keys: str, default: Any = None) -> Callable[[dict], Any]:
    """The value at a path into the payload (``at("person", "first_name")``), or ``default``."""

    def read(payload: dict) -> Any:
        value: Any = payload
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return default if value is None else value

    return read


def text(*keys: str) -> Callable[[dict], str]:
    return at(*keys, default="")


def day(*keys: str) -> Callable[[dict], dt.date | None]:
    return lambda payload: dt.date.fromisoformat(at(*keys)(payload)) if at(*keys)(payload) else None


def moment(*keys: str) -> Callable[[dict], dt.datetime | None]:
    read = at(*keys)
    return lambda payload: dt.datetime.fromtimestamp(read(payload), dt.UTC) if read(payload) is not None else None


def money(*keys: str) -> Callable[[dict], Decimal | None]:
    read = at(*keys)
    return lambda payload: Decimal(str(read(payload))).quantize(Decimal("0.01")) if read(payload) is not None else None


def version(payload: dict) -> str | None:
    """Noyo's version, when the record has one (the mirror keeps a digest of the others)."""
    return payload.get("version")


@dataclass
class Record:
    payload: dict
    where: str  # "001_….txt:486 GET /api/v1/groups/…/contacts"
    parent: str | None  # the parent id in the documented path, if any


@dataclass
class Table:
    model: type
    paths: tuple[str, ...]  # documented list paths, "{}" for an id; the first is the one a sync reads
    columns: dict[str, Callable[[dict], Any]]
    find: Callable[[Record], dict] = lambda record: {"pk": record.payload["id"]}
    unordered: tuple[str, ...] = field(default=())  # columns compared as sets

    @property
    def name(self) -> str:
        return self.model.__name__

    def records(self, examples: list[dict] | None = None) -> list[Record]:
        """The documented records of this table, each once, from the first of ``paths`` that holds it."""
        examples = documents.load()["examples"] if examples is None else examples
        found: dict[str, Record] = {}
        for template in self.paths:
            for example in examples:
                if example["kind"] != "response" or example["method"] != "GET" or not example["path"]:
                    continue
                parent = matches(template, example["path"][len(API_PREFIX) :])
                if parent is False:
                    continue
                where = f"{example['seed']}:{example['line']} GET {example['path']}"
                for payload in records_of(example["json"]):
                    record = Record(payload, where, parent)
                    found.setdefault(repr(sorted(self.find(record).items())), record)
        return list(found.values())

    def expected(self, record: Record) -> dict[str, Any]:
        columns = dict(self.columns)
        if version(record.payload) is not None:
            columns["version"] = version
        return {column: read(record.payload) for column, read in columns.items()}


def matches(template: str, path: str) -> str | None | bool:
    """False when ``path`` is not an instance of ``template``; else the first id it fills in (or None)."""
    wanted, given = template.strip("/").split("/"), path.strip("/").split("/")
    if len(wanted) != len(given):
        return False
    filled = []
    for want, have in zip(wanted, given):
        if want == "{}":
            if not is_id(have):
                return False
            filled.append(have)
        elif want != have:
            return False
    return filled[0] if filled else None


STAMPS = {"created": moment("created"), "modified": moment("modified")}
PERSON = {
    "first_name": text("person", "first_name"),
    "middle_name": text("person", "middle_name"),
    "last_name": text("person", "last_name"),
    "date_of_birth": day("person", "date_of_birth"),
    "ssn": text("person", "ssn"),
    "sex": text("person", "sex"),
}

TABLES = (
    Table(
        Group,
        ("/groups",),
        {
            **STAMPS,
            "organization_id": text("organization_id"),
            "name": text("name"),
            "dba_name": text("dba_name"),
            "federal_ein": text("federal_ein"),
            "sic_code": text("sic_code"),
        },
    ),
    Table(
        GroupConnection,
        ("/group_connections", "/groups/{}/group_connections"),
        {
            **STAMPS,
            "organization_id": text("organization_id"),
            "group_id": at("group_id"),
            "carrier_id": at("carrier_id"),
            "request_type": text("request_type"),
            "status": text("status"),
            "federal_ein": text("federal_ein"),
            "carrier_group_id": text("group_data", "carrier_group_id"),
            "group_name": text("group_data", "group_name"),
            "setup_error": text("setup_result", "error"),
        },
    ),
    Table(
        Contact,
        ("/groups/{}/contacts",),
        {
            **STAMPS,
            "group_id": at("group_id"),
            "first_name": text("first_name"),
            "last_name": text("last_name"),
            "title": text("title"),
            "email": text("email"),
            "phone_number": text("phone_number"),
            "types": at("types", default=[]),
            "primary_contact": at("primary_contact", default=False),
        },
    ),
    Table(
        Location,
        ("/groups/{}/locations",),
        {
            **STAMPS,
            "group_id": at("group_id"),
            "display_name": text("display_name"),
            "street_one": text("address", "street_one"),
            "city": text("address", "city"),
            "state": text("address", "state"),
            "zip_code": text("address", "zip_code"),
        },
    ),
    Table(
        CarrierConfiguration,
        ("/groups/{}/carrier_configurations",),
        {"carrier_group_id": text("carrier_group_id"), "configuration": at("configuration", default={})},
        find=lambda record: {"group_id": record.payload["group_id"], "carrier_id": record.payload["carrier_id"]},
    ),
    Table(
        LatestAudit,
        ("/groups/{}/audit_requests/latest",),
        {"carrier_ids": at("carrier_ids", default=[]), "completed_at": moment("completed_at")},
        find=lambda record: {"group_id": record.payload["group_id"]},
    ),
    Table(
        GroupEnrollment,
        ("/groups/{}/group_enrollments",),
        {
            **STAMPS,
            "group_id": at("group_id"),
            "carrier_id": at("carrier_id"),
            "line_of_coverage": text("line_of_coverage"),
            "status": text("status"),
            "open_enrollment_start_date": day("open_enrollment_start_date"),
            "open_enrollment_end_date": day("open_enrollment_end_date"),
            "open_enrollment_renewal_date": day("open_enrollment_renewal_date"),
            "effective_start_date": day("effective_start_date"),
            "effective_end_date": day("effective_end_date"),
        },
    ),
    Table(
        Plan,
        ("/groups/{}/plans",),
        {
            **STAMPS,
            "group_enrollment_id": at("group_enrollment_id"),
            "carrier_id": at("carrier_id"),
            "line_of_coverage": text("line_of_coverage"),
            "name": text("name"),
            "code": text("code"),
            "status": text("status"),
            "plan_type": text("plan_type"),
            "network": text("network"),
            "metal_tier": text("metal_tier"),
            "effective_start_date": day("effective_start_date"),
            "effective_end_date": day("effective_end_date"),
        },
    ),
    Table(
        Employee,
        ("/employees", "/groups/{}/employees"),
        {
            **STAMPS,
            **PERSON,
            "group_id": at("group_id"),
            "location_id": text("location_id"),
            "email": text("person", "contact", "email_address"),
            "employment_status": text("employment", "employment_status"),
            "occupation": text("employment", "occupation"),
            "hire_date": day("employment", "employment_dates", "hire_date"),
        },
    ),
    Table(
        Dependent,
        ("/employees/{}/dependents",),
        {
            **STAMPS,
            **PERSON,
            "employee_id": at("employee_id"),
            "relationship": text("relationship"),
        },
    ),
    Table(
        IndividualEnrollment,
        ("/employees/{}/individual_enrollments", "/dependents/{}/individual_enrollments"),
        {
            **STAMPS,
            "group_enrollment_id": at("group_enrollment_id"),
            "plan_id": at("plan_id"),
            "individual_type": text("individual_type"),
            "individual_id": text("individual_id"),
            "line_of_coverage": text("line_of_coverage"),
            "status": text("status"),
            "effective_start_date": day("effective_start_date"),
            "effective_end_date": day("effective_end_date"),
            "premium_amount": money("enroll_data", "premium", "amount"),
            "premium_unit": text("enroll_data", "premium", "unit"),
        },
    ),
    Table(
        Premium,
        ("/employees/{}/premiums",),
        {
            **STAMPS,
            "amount": money("amount"),
            "period_amount": money("period", "amount"),
            "period_unit": text("period", "unit"),
            "effective_end_date": day("effective_end_date"),
            "billed_members": at("billed_members", default=[]),
        },
        # No id from Noyo: the employee is the documented path's, the rest the payload's.
        find=lambda record: {
            "employee_id": record.parent,
            "carrier_id": record.payload["carrier_id"],
            "premium_type": record.payload["premium_type"],
            "effective_start_date": dt.date.fromisoformat(record.payload["effective_start_date"]),
        },
    ),
    Table(
        MemberRequest,
        ("/member_requests", "/employees/{}/member_requests"),
        {
            **STAMPS,
            "employee_id": at("employee_id"),
            "request_type": text("request_type"),
            "status": text("status"),
            "transaction_ids": at("transactions", default=[]),
        },
    ),
    Table(
        MemberTransaction,
        ("/member_transactions", "/member_requests/{}/member_transactions"),
        {
            **STAMPS,
            "member_request_id": at("member_request_id"),
            "employee_id": at("employee_id"),
            "carrier_id": at("carrier_id"),
            # The reference names the field transaction_type; its new-hire example calls it type.
            "transaction_type": lambda payload: payload.get("transaction_type") or payload.get("type") or "",
            "status": text("status"),
            "verified": moment("verified"),
            "lines_of_coverage_list": at("lines_of_coverage", default=[]),
        },
        unordered=("lines_of_coverage_list",),
    ),
)
