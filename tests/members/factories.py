"""Member-side records for page tests (employees, families, coverage, snapshots, requests).

Each factory takes keyword overrides for any model field and fills the rest
plausibly; groups and carriers come from ``tests.factories``.
"""

import datetime as dt
import itertools

from django.utils import timezone

from command_center.sync.records import synthetic_id
from connections.models import Plan
from members.models import (
    Dependent,
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberSnapshot,
    MemberTransaction,
    Premium,
    TrackingDifference,
)
from tests.factories import make_carrier, make_group, noyo_id

_seq = itertools.count(1)

# A full SSN that must never appear in any response: tests search every page and CSV for it.
FULL_SSN = "123-45-6789"
SSN_DIGITS = "123456789"


def make_employee(**fields):
    n = next(_seq)
    now = timezone.now()
    group = fields.pop("group", None) or make_group()
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "created": now,
        "modified": now,
        "group": group,
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "date_of_birth": dt.date(1985, 1, 1) + dt.timedelta(days=n),
        "ssn": FULL_SSN,
        "sex": "F",
        "email": f"person{n}@example.com",
        "employment_status": "full-time",
        "occupation": "Software Engineer",
        "hire_date": dt.date(2020, 1, 1) + dt.timedelta(days=n),
        "lines_of_coverage": "dental,medical",
    }
    employee = Employee(**{**defaults, **fields})
    employee.raw = {"id": employee.pk, "person": {"first_name": employee.first_name, "ssn": employee.ssn}}
    employee.save()
    return employee


def make_dependent(employee, **fields):
    n = next(_seq)
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "employee": employee,
        "first_name": f"Kid{n}",
        "last_name": employee.last_name,
        "date_of_birth": dt.date(2015, 6, 1),
        "ssn": "987-65-4321",
        "relationship": "child",
    }
    return Dependent.objects.create(**{**defaults, **fields})


def make_plan(carrier=None, **fields):
    n = next(_seq)
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "name": f"Gold PPO {n}",
        "line_of_coverage": "medical",
        "carrier": carrier,
    }
    return Plan.objects.create(**{**defaults, **fields})


def make_enrollment(employee, **fields):
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "employee": employee,
        "group_id": employee.group_id,
        "individual_type": "employee",
        "individual_id": employee.pk,
        "line_of_coverage": "medical",
        "status": "active",
        "effective_start_date": dt.date(2024, 1, 1),
        "effective_end_date": dt.date(9999, 12, 31),
        "premium_amount": "120.50",
        "premium_unit": "month",
        "as_of_date": timezone.localdate(),
    }
    if "carrier" not in fields:
        fields["carrier"] = make_carrier()
    return IndividualEnrollment.objects.create(**{**defaults, **fields})


def make_premium(employee, **fields):
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "employee": employee,
        "amount": "250.00",
        "period_amount": 1,
        "period_unit": "month",
        "premium_type": "employee_amount",
        "effective_start_date": dt.date(2024, 1, 1),
        "effective_end_date": dt.date(9999, 12, 31),
        "billed_members": [{"member_id": employee.pk, "member_type": "employee", "line_of_coverage": "medical"}],
    }
    return Premium.objects.create(**{**defaults, **fields})


def make_snapshot(employee=None, **fields):
    now = timezone.now()
    employee = employee or make_employee()
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "created": now,
        "modified": now,
        "employee": employee,
        "group_id": employee.group_id,
        "status": "processing",
        "status_changed_at": now,
        "raw": {"member_snapshot": {"employee": {"person": {"first_name": employee.first_name, "ssn": FULL_SSN}}}},
    }
    return MemberSnapshot.objects.create(**{**defaults, **fields})


def make_fulfillment(snapshot, carrier=None, **fields):
    carrier = carrier or make_carrier()
    defaults = {
        "id": synthetic_id("fulfillment_summary", snapshot.pk, carrier.pk),
        "version": noyo_id(),
        "created": snapshot.created,
        "modified": snapshot.modified,
        "snapshot": snapshot,
        "carrier": carrier,
        "group_id": snapshot.group_id,
        "employee_id": snapshot.employee_id,
        "status": "sent",
        "status_changed_at": snapshot.created,
        "errors": [],
    }
    return FulfillmentSummary.objects.create(**{**defaults, **fields})


def make_difference(snapshot, **fields):
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "created": timezone.now(),
        "snapshot": snapshot,
        "group_id": snapshot.group_id,
        "employee_id": snapshot.employee_id,
        "object_type": "dependent",
        "object_id": noyo_id(),
        "classification": "field_mismatch",
        "difference_type": "dob",
        "fields": [{"key": "date_of_birth", "platform_value": "2015-06-01", "carrier_value": "2015-01-06"}],
        "impact_score": 3,
    }
    return TrackingDifference.objects.create(**{**defaults, **fields})


def make_member_request(employee=None, body=None, result=None, **fields):
    now = timezone.now()
    employee = employee or make_employee()
    request_id = fields.pop("id", None) or noyo_id()
    request_type = fields.pop("request_type", "new_hire")
    defaults = {
        "id": request_id,
        "version": noyo_id(),
        "created": now,
        "modified": now,
        "employee": employee,
        "group_id": employee.group_id,
        "request_type": request_type,
        "status": "processing",
        "status_changed_at": now,
        "transaction_ids": [],
        "raw": {
            "id": request_id,
            "employee_id": employee.pk,
            "request_type": request_type,
            "body": body or {},
            "result": result or {},
        },
    }
    return MemberRequest.objects.create(**{**defaults, **fields})


def make_transaction(member_request, **fields):
    now = timezone.now()
    defaults = {
        "id": noyo_id(),
        "version": noyo_id(),
        "created": now,
        "modified": now,
        "member_request": member_request,
        "employee_id": member_request.employee_id,
        "transaction_type": "carrier_new_hire",
        "status": "processing",
        "status_changed_at": now,
        "lines_of_coverage": "dental,medical",
    }
    if "carrier" not in fields and "carrier_id" not in fields:
        fields["carrier"] = make_carrier()
    return MemberTransaction.objects.create(**{**defaults, **fields})
