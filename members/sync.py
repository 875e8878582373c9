"""Mirroring Noyo's member side: how each payload becomes a row, and which lists each family reads.

Mappings follow ``connections/sync.py``. Three columns are not in any payload and are
kept here, each written only when its value changes (so a resync with no change writes
nothing):

* ``group`` on member requests, snapshots, summaries and differences: Noyo sends only the
  employee, so it is looked up from the mirrored employees;
* ``Employee.lines_of_coverage``: the family's individual enrollments not terminated,
  recomputed for the employees whose enrollments changed;
* ``MemberSnapshot.replaced_by``: a ``replaced`` snapshot points at the next snapshot
  created for the same employee, relinked for the employees whose snapshots changed.

API calls (the figures are from ``bench_sync --scale large``: 50,000 employees, 146,846 calls
for a full sync): employees, member requests, member transactions and differences come from
org-wide lists (ceil(N/100) calls each). Noyo has no org-wide list of dependents or premiums,
so they cost one call per employee: 100,000 calls, two thirds of a full sync. Individual
enrollments are read per *group enrollment* (13,147 lists) rather than per employee (50,000);
snapshots per group, with their fulfillment summaries inline (1,000 lists), rather than per
employee (50,000).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef, Subquery

from command_center.noyo.errors import NoyoError
from command_center.sync import payloads as p
from command_center.sync.engine import Resource, write_one
from command_center.sync.families import FamilyRun, Parents, PerParent, Step, fan_out, parents_in_mirror
from command_center.sync.records import (
    from_epoch,
    join_lines,
    payload_version,
    synthetic_id,
)
from command_center.sync.writer import writer_for
from connections.sync import GROUP_ENROLLMENTS, GROUPS
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

# --- Mappings ------------------------------------------------------------------------------


def _person(payload) -> dict:
    person = p.obj(payload, "person")
    return {
        "first_name": p.text(person, "first_name"),
        "middle_name": p.text(person, "middle_name"),
        "last_name": p.text(person, "last_name"),
        "date_of_birth": p.date(person, "date_of_birth"),
        "ssn": p.text(person, "ssn"),
        "sex": p.text(person, "sex"),
    }


def employee_row(payload, context=None):
    employment = p.obj(payload, "employment")
    contact = p.obj(p.obj(payload, "person"), "contact")
    return {
        **p.base(payload),
        **_person(payload),
        "group_id": p.foreign_id(payload, "group_id") or _ctx(context, "group_id"),
        "location_id": p.foreign_id(payload, "location_id") or "",
        "email": p.text(contact, "email_address"),
        "employment_status": p.text(employment, "employment_status"),
        "occupation": p.text(employment, "occupation"),
        "hire_date": p.date(p.obj(employment, "employment_dates"), "hire_date"),
    }


def dependent_row(payload, context=None):
    return {
        **p.base(payload),
        **_person(payload),
        "employee_id": p.foreign_id(payload, "employee_id") or _ctx(context, "employee_id"),
        "relationship": p.text(payload, "relationship"),
    }


def individual_enrollment_row(payload, context=None):
    """``employee`` is the family owner: the individual itself, or the employee of the dependent."""
    individual_type = p.text(payload, "individual_type")
    individual_id = p.foreign_id(payload, "individual_id")
    employee_id = p.foreign_id(payload, "employee_id")
    if employee_id is None and individual_id:
        if individual_type == "employee":
            employee_id = individual_id
        else:
            employee_id = _ctx(context, "employee_of_dependent", {}).get(individual_id)
    employee_id = employee_id or _ctx(context, "employee_id")  # read from the employee's own list
    group_enrollment_id = p.foreign_id(payload, "group_enrollment_id") or _ctx(context, "group_enrollment_id")
    premium = p.obj(p.obj(payload, "enroll_data"), "premium")
    return {
        **p.base(payload),
        "group_enrollment_id": group_enrollment_id,
        "employee_id": employee_id,
        "group_id": _ctx(context, "group_id"),
        "carrier_id": p.foreign_id(payload, "carrier_id")
        or _ctx(context, "carrier_id")
        or _ctx(context, "carrier_of_group_enrollment", {}).get(group_enrollment_id),
        "plan_id": p.foreign_id(payload, "plan_id"),
        "individual_type": individual_type,
        "individual_id": individual_id or "",
        "line_of_coverage": p.text(payload, "line_of_coverage"),
        "status": p.text(payload, "status"),
        "effective_start_date": p.date(payload, "effective_start_date"),
        "effective_end_date": p.date(payload, "effective_end_date"),
        "premium_amount": p.decimal(premium, "amount"),
        "premium_unit": p.text(premium, "unit"),
        "as_of_date": _ctx(context, "as_of"),
    }


def premium_key(payload, context=None) -> str | None:
    """No id from Noyo: a premium is keyed by the employee, carrier, type, start date and the members billed."""
    try:
        employee_id = p.foreign_id(payload, "employee_id") or _ctx(context, "employee_id")
        carrier_id = p.foreign_id(payload, "carrier_id")
        billed = p.array(payload, "billed_members")
        start = p.date(payload, "effective_start_date")
        premium_type = p.text(payload, "premium_type")
    except p.Malformed:
        return None
    pairs = sorted(
        f"{member.get('member_id')}:{member.get('line_of_coverage')}" for member in billed if isinstance(member, dict)
    )
    return synthetic_id("premium", employee_id, carrier_id, premium_type, start, *pairs)


def premium_row(payload, context=None):
    employee_id = p.foreign_id(payload, "employee_id") or _ctx(context, "employee_id")
    carrier_id = p.foreign_id(payload, "carrier_id")
    billed = p.array(payload, "billed_members")
    start = p.date(payload, "effective_start_date")
    premium_type = p.text(payload, "premium_type")
    period = p.obj(payload, "period")
    return {
        "id": premium_key(payload, context),
        "version": p.version(payload),
        "created": p.epoch(payload, "created"),
        "modified": p.epoch(payload, "modified"),
        "raw": payload,
        "employee_id": employee_id,
        "carrier_id": carrier_id,
        "amount": p.decimal(payload, "amount"),
        "period_amount": p.decimal(period, "amount"),
        "period_unit": p.text(period, "unit"),
        "premium_type": premium_type,
        "effective_start_date": start,
        "effective_end_date": p.date(payload, "effective_end_date"),
        "billed_members": billed,
    }


def snapshot_row(payload, context=None):
    employee_id = p.foreign_id(payload, "employee_id")
    return {
        **p.base(payload),
        "employee_id": employee_id,
        "group_id": p.foreign_id(payload, "group_id") or _ctx(context, "group_id") or _group_of(context, employee_id),
        "status": p.text(payload, "status"),
        "errors": p.array(payload, "errors"),
        **snapshot_details(payload),
    }


def snapshot_details(payload, version: str | None = None) -> dict:
    """What was sent, when this record carries it: ``member_snapshot`` (the submitted payload) and
    ``created_members`` (the ids Noyo gave new members).

    A single snapshot carries them; Noyo's lists do not (seed 002), and then nothing is returned,
    so a list's record never blanks what a single read found (the writer leaves out-of-row columns alone).
    """
    if "member_snapshot" not in payload and "created_members" not in payload:
        return {}
    submitted, created = payload.get("member_snapshot"), payload.get("created_members")
    return {
        # Read leniently: an odd shape here is no reason to lose the snapshot; the raw JSON shows it.
        "submitted": submitted if isinstance(submitted, dict) else None,
        "created_members": [m for m in created if isinstance(m, dict)] if isinstance(created, list) else [],
        "details_version": version or p.version(payload),
    }


def fulfillment_summary_key(entry, context=None) -> str | None:
    """No id from Noyo: one carrier's entry of one snapshot."""
    snapshot, carrier_id = _ctx(context, "snapshot") or {}, p.lenient_id(entry, "carrier_id")
    return (
        synthetic_id("fulfillment_summary", snapshot["id"], carrier_id) if snapshot.get("id") and carrier_id else None
    )


def fulfillment_summary_row(entry, context=None):
    """One carrier's entry of a snapshot's ``fulfillment_summary``; ``context["snapshot"]`` is the snapshot's row
    (or, for a snapshot that failed to map, what could be read of it)."""
    snapshot = _ctx(context, "snapshot")
    carrier_id = p.foreign_id(entry, "carrier_id")
    if not carrier_id:
        raise p.Malformed("It names no carrier_id, which identifies a fulfillment summary.")
    return {
        "id": fulfillment_summary_key(entry, context),
        "version": payload_version(entry),
        "created": snapshot["created"],
        "modified": snapshot["modified"],
        "raw": entry,
        "snapshot_id": snapshot["id"],
        "carrier_id": carrier_id,
        "group_id": snapshot["group_id"],
        "employee_id": snapshot["employee_id"],
        "status": p.text(entry, "status"),
        "errors": p.array(entry, "errors"),
    }


def difference_row(payload, context=None):
    employee_id = p.foreign_id(payload, "employee_id")
    return {
        **p.base(payload),
        "snapshot_id": p.foreign_id(payload, "member_snapshot_id"),
        "organization_id": p.foreign_id(payload, "organization_id") or "",
        "group_id": p.foreign_id(payload, "group_id") or _group_of(context, employee_id),
        "employee_id": employee_id,
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "object_type": p.text(payload, "object_type"),
        "object_id": p.text(payload, "object_id"),
        "classification": p.text(payload, "difference_classification"),
        "difference_type": p.text(payload, "difference_type"),
        "fields": p.array(payload, "fields"),
        "impact_score": p.integer(payload, "impact_score"),
        "is_dismissed": p.boolean(payload, "is_dismissed"),
        "is_suppressed": p.boolean(payload, "is_suppressed"),
        "resolved": p.epoch(payload, "resolved"),
        "discrepancy_time": p.epoch(payload, "discrepancy_time"),
    }


def member_request_row(payload, context=None):
    employee_id = p.foreign_id(payload, "employee_id")
    return {
        **p.base(payload),
        "employee_id": employee_id,
        "group_id": p.foreign_id(payload, "group_id") or _group_of(context, employee_id),
        "request_type": p.text(payload, "request_type"),
        "status": p.text(payload, "status"),
        "transaction_ids": [str(t) for t in p.array(payload, "transactions")],
    }


def member_transaction_row(payload, context=None):
    return {
        **p.base(payload),
        "member_request_id": p.foreign_id(payload, "member_request_id"),
        "employee_id": p.foreign_id(payload, "employee_id"),
        "carrier_id": p.foreign_id(payload, "carrier_id"),
        "transaction_type": p.text(payload, "transaction_type") or p.text(payload, "type"),
        "status": p.text(payload, "status"),
        "verified": p.epoch(payload, "verified"),
        "lines_of_coverage": join_lines(str(line) for line in p.array(payload, "lines_of_coverage")),
    }


def _ctx(context, key, default=None):
    return (context or {}).get(key, default)


def _group_of(context, employee_id):
    return _ctx(context, "group_of_employee", {}).get(employee_id) if employee_id else None


EMPLOYEES = Resource("employees", Employee, employee_row, "employees")
DEPENDENTS = Resource("dependents", Dependent, dependent_row, "dependents")
INDIVIDUAL_ENROLLMENTS = Resource(
    "individual_enrollments",
    IndividualEnrollment,
    individual_enrollment_row,
    "individual enrollments",
    carrier_columns=("carrier_id",),
)
PREMIUMS = Resource("premiums", Premium, premium_row, "premiums", carrier_columns=("carrier_id",), identify=premium_key)
SNAPSHOTS = Resource("member_snapshots", MemberSnapshot, snapshot_row, "member snapshots")
FULFILLMENT_SUMMARIES = Resource(
    "fulfillment_summaries",
    FulfillmentSummary,
    fulfillment_summary_row,
    "fulfillment summaries",
    carrier_columns=("carrier_id",),
    identify=fulfillment_summary_key,
)
DIFFERENCES = Resource(
    "differences", TrackingDifference, difference_row, "tracking differences", carrier_columns=("carrier_id",)
)
MEMBER_REQUESTS = Resource("member_requests", MemberRequest, member_request_row, "member requests")
MEMBER_TRANSACTIONS = Resource(
    "member_transactions",
    MemberTransaction,
    member_transaction_row,
    "member transactions",
    carrier_columns=("carrier_id",),
)


# --- One record, for webhooks ------------------------------------------------------------------


def mirror_snapshot(payload: dict) -> MemberSnapshot:
    """Write one snapshot and its fulfillment summaries; relink its employee's chain."""
    context = {"group_of_employee": _employee_groups([payload.get("employee_id")])}
    snapshot = write_one(SNAPSHOTS, payload, context)
    details = snapshot_details(payload)
    if details and snapshot.details_version != details["details_version"]:
        # Same version as mirrored (so not rewritten) but its payload not read yet: keep what this read brought.
        MemberSnapshot.objects.filter(pk=snapshot.pk).update(**details)
    row = {
        "id": snapshot.pk,
        "created": snapshot.created,
        "modified": snapshot.modified,
        "group_id": snapshot.group_id,
        "employee_id": snapshot.employee_id,
    }
    for entry in payload.get("fulfillment_summary") or ():
        write_one(FULFILLMENT_SUMMARIES, entry, {"snapshot": row})
    if snapshot.employee_id:
        link_snapshot_chains({snapshot.employee_id})
    return snapshot


def mirror_difference(payload: dict) -> TrackingDifference:
    context = {"group_of_employee": _employee_groups([payload.get("employee_id")])}
    return write_one(DIFFERENCES, payload, context)


# --- Families ----------------------------------------------------------------------------------


def sync_employees(job: FamilyRun) -> None:
    """Employees (org-wide list), then dependents and premiums (per employee: Noyo has no
    org-wide list), individual enrollments (per group enrollment), and lines of coverage."""
    job.mirror_list(EMPLOYEES, job.noyo.iter_employees(), keep_ids=True)
    employees = job.parents(EMPLOYEES)
    job.mirror_per_parent(employees, DEPENDENT_LISTS)

    touched = job.touched[INDIVIDUAL_ENROLLMENTS.key]
    job.mirror(INDIVIDUAL_ENROLLMENTS).on_removed = lambda ids: touched.update(
        IndividualEnrollment.objects.filter(pk__in=ids).exclude(employee=None).values_list("employee_id", flat=True)
    )
    group_enrollments = job.parents(GROUP_ENROLLMENTS, ("group_id", "carrier_id"))
    # Where an API key is not offered the per-group-enrollment lists, each employee's own list (with
    # its dependents') is the documented way: it costs one call per employee instead.
    group_of = dict(Employee.objects.filter(pk__in=employees.ids()).values_list("pk", "group_id"))
    job.mirror_per_parent(
        group_enrollments,
        ENROLLMENT_LISTS,
        instead=PerParent(
            Parents([(pk, {"group_id": group_of.get(pk)}) for pk in employees.ids()], complete=employees.complete),
            ENROLLMENT_LISTS_PER_EMPLOYEE,
            how="per employee",
        ),
    )
    update_lines_of_coverage(touched)
    job.mirror_per_parent(employees, PREMIUM_LISTS)


def _enrollment_context() -> dict:
    return {
        "employee_of_dependent": dict(Dependent.objects.exclude(employee=None).values_list("pk", "employee_id")),
        "as_of": dt.datetime.now(dt.UTC).date(),
    }


def _enrollment_context_per_employee() -> dict:
    carrier_of = {pk: fields.get("carrier_id") for pk, fields in parents_in_mirror(GROUP_ENROLLMENTS, ("carrier_id",))}
    return {**_enrollment_context(), "carrier_of_group_enrollment": carrier_of}


DEPENDENT_LISTS = Step("employees.dependents", lambda noyo: [(DEPENDENTS, noyo.iter_dependents)], "employee_id")
PREMIUM_LISTS = Step("employees.premiums", lambda noyo: [(PREMIUMS, noyo.iter_premiums)], "employee_id")
ENROLLMENT_LISTS = Step(
    "employees.enrollments",
    lambda noyo: [(INDIVIDUAL_ENROLLMENTS, noyo.iter_individual_enrollments_by_group_enrollment)],
    "group_enrollment_id",
    shared=_enrollment_context,
    touched=((INDIVIDUAL_ENROLLMENTS, "employee_id"),),
)
ENROLLMENT_LISTS_PER_EMPLOYEE = Step(
    "employees.enrollments_per_employee",
    lambda noyo: [
        (
            INDIVIDUAL_ENROLLMENTS,
            lambda employee_id: noyo.iter_individual_enrollments(employee_id, include_dependents=True),
        )
    ],
    "employee_id",
    shared=_enrollment_context_per_employee,
    touched=((INDIVIDUAL_ENROLLMENTS, "employee_id"),),
)


def sync_snapshots(job: FamilyRun) -> None:
    """Member snapshots per group (with each one's per-carrier fulfillment summaries inline),
    their chains, and tracking differences (org-wide list)."""
    job.mirror_per_parent(job.parents(GROUPS), SNAPSHOT_LISTS)
    link_snapshot_chains(job.touched[SNAPSHOTS.key])
    context = {"group_of_employee": _employee_groups()}
    job.mirror_list(DIFFERENCES, job.noyo.iter_differences(), context)
    read_snapshot_details(job)


def _feed_snapshots(snapshots, records, context, mirror_of) -> None:
    summaries = mirror_of(FULFILLMENT_SUMMARIES)
    for payload in records:
        snapshots.add(payload, context)
        feed_summaries(summaries, payload, context)


SNAPSHOT_LISTS = Step(
    "snapshots.by_group",
    lambda noyo: [(SNAPSHOTS, noyo.iter_member_snapshots_by_group)],
    "group_id",
    handle=_feed_snapshots,
    feeds=(FULFILLMENT_SUMMARIES,),
    touched=((SNAPSHOTS, "employee_id"),),
)


# At most this many single snapshots are read per run, newest first; the rest wait for the next runs.
DETAILS_PER_RUN = 1000


def read_snapshot_details(job: FamilyRun, limit: int | None = None) -> int:
    """Read the single snapshot of each snapshot whose submitted payload was not read for its version.

    1. One query picks them (``details_needed``: a partial index holds exactly them, so after a
       resync with no change it finds none, and no call is made).
    2. Their single records are fetched ``job.workers`` at a time, at most ``limit`` a run.
    3. Their payload, created members and the version read are written with one UPDATE per 500.

    A snapshot Noyo no longer has (404) or will not show (403) is marked read with nothing to show,
    so it is not asked again until it changes. Any other failure stops the reading (what was read
    is kept) and says so on the run; the next sync asks again. Returns how many were written.
    """
    limit = DETAILS_PER_RUN if limit is None else limit
    due = list(MemberSnapshot.objects.details_needed().order_by("-created", "pk").values_list("pk", "version")[:limit])
    if not due:
        return 0
    counts = job.mirror(SNAPSHOTS).counts
    noyo = job.noyo
    tasks = [
        (None, lambda pk: [noyo.get_member_snapshot(pk)], pk, {"snapshot_id": pk, "version": version})
        for pk, version in due
    ]
    read, stopped = [], None
    try:
        for _, context, records, _ in fan_out(tasks, job.workers):
            # None: Noyo no longer has it (404); REFUSED: not shown to this API key (403). Nothing to show.
            record = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
            version = _detail_version(record, context["version"])
            details = {**EMPTY_DETAILS, **snapshot_details(record, version), "details_version": version}
            read.append({"id": context["snapshot_id"], **details})
    except NoyoError as error:
        stopped = error
    writer_for(MemberSnapshot).update(read)  # one UPDATE … FROM: Django's bulk_update builds a CASE per column
    s = "" if len(read) == 1 else "s"
    counts.note(f"The submitted payload of {len(read):,} snapshot{s} was read one by one (Noyo's lists leave it out).")
    if stopped is not None:
        counts.note(
            f"The submitted payload of {len(due) - len(read):,} more could not be read ({stopped.message.rstrip('.')}); "
            "the next sync asks again."
        )
    elif len(due) == limit and MemberSnapshot.objects.details_needed().exists():
        counts.note(f"More snapshots wait for their submitted payload: at most {limit:,} are read a run, newest first.")
    return len(read)


EMPTY_DETAILS = {"submitted": None, "created_members": [], "details_version": ""}


def _detail_version(record: dict, listed: str) -> str:
    """The version the single record is of: its own, when it says one (it may have moved on since the
    list); else the listed one (a digest of a bigger payload would never match the list's)."""
    version = record.get("version")
    return str(version) if isinstance(version, (str, int)) and version != "" else listed


def feed_summaries(summaries, payload, context) -> None:
    """Mirror a snapshot's fulfillment summaries, even when the snapshot itself fails to map.

    The summaries only need the snapshot's id (and, at best, its times, group and employee):
    what can be read of a malformed snapshot is enough, so they are not lost with it. Without
    a readable snapshot id they cannot be keyed: each is a failed record saying so.
    """
    if not isinstance(payload, dict):
        return
    try:
        snapshot = snapshot_row(payload, context)
    except p.Malformed:
        snapshot = {
            "id": p.lenient_id(payload, "id"),
            "created": from_epoch(payload.get("created")),
            "modified": from_epoch(payload.get("modified")),
            "employee_id": p.lenient_id(payload, "employee_id"),
            "group_id": p.lenient_id(payload, "group_id") or _ctx(context, "group_id"),
        }
    entries = payload.get("fulfillment_summary")
    if entries is not None and not isinstance(entries, list):
        summaries.reject(entries, f"The snapshot's fulfillment_summary is a {type(entries).__name__}, not a list.")
        return
    for entry in entries or ():
        if snapshot["id"] is None:
            summaries.reject(entry, "Its snapshot has no readable id, so it cannot be keyed.")
        else:
            summaries.add(entry, {"snapshot": snapshot})


def sync_member_requests(job: FamilyRun) -> None:
    """Legacy member requests and member transactions, both from org-wide lists."""
    context = {"group_of_employee": _employee_groups()}
    job.mirror_list(MEMBER_REQUESTS, job.noyo.iter_member_requests(), context)
    del context
    job.mirror_list(MEMBER_TRANSACTIONS, job.noyo.iter_member_transactions())
    fill_missing_groups()


# --- Post-passes ------------------------------------------------------------------------------


def _employee_groups(ids=None) -> dict[str, str]:
    queryset = Employee.objects.exclude(group=None)
    if ids is not None:
        queryset = queryset.filter(pk__in=[i for i in ids if i])
    return dict(queryset.values_list("pk", "group_id"))


def update_lines_of_coverage(employee_ids, chunk: int = 1000) -> int:
    """Recompute ``Employee.lines_of_coverage`` for these employees; write only those that differ."""
    ids = sorted(i for i in employee_ids if i)
    changed = 0
    writer = writer_for(Employee)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        lines = defaultdict(set)
        enrollments = (
            IndividualEnrollment.objects.filter(employee_id__in=part, removed_upstream_at__isnull=True)
            .exclude(status="terminated")
            .values_list("employee_id", "line_of_coverage")
        )
        for employee_id, line in enrollments:
            lines[employee_id].add(line)
        rows = []
        for employee_id, current in Employee.objects.filter(pk__in=part).values_list("pk", "lines_of_coverage"):
            wanted = join_lines(lines.get(employee_id, ()))
            if wanted != current:
                rows.append({"id": employee_id, "lines_of_coverage": wanted})
        writer.update(rows)  # one statement, not one per distinct set of lines
        changed += len(rows)
    return changed


def link_snapshot_chains(employee_ids, chunk: int = 500) -> int:
    """Point each ``replaced`` snapshot of these employees at the next one created; write only changes."""
    ids = sorted(i for i in employee_ids if i)
    changed = 0
    writer = writer_for(MemberSnapshot)
    for start in range(0, len(ids), chunk):
        chains = defaultdict(list)
        rows = (
            MemberSnapshot.objects.filter(employee_id__in=ids[start : start + chunk])
            .order_by("employee_id", "created", "pk")
            .values_list("pk", "employee_id", "status", "replaced_by_id")
        )
        for pk, employee_id, status, replaced_by in rows:
            chains[employee_id].append((pk, status, replaced_by))
        relinked = []
        for chain in chains.values():
            for (pk, status, current), after in zip(chain, [*chain[1:], None]):
                wanted = after[0] if after is not None and status == "replaced" else None
                if wanted != current:
                    relinked.append({"id": pk, "replaced_by_id": wanted})
        writer.update(relinked)  # one statement per chunk, not one per snapshot
        changed += len(relinked)
    return changed


def fill_missing_groups() -> int:
    """Give rows whose employee was mirrored after them their employee's group (one UPDATE per table)."""
    changed = 0
    employee_group = Employee.objects.filter(pk=OuterRef("employee_id"), group__isnull=False)
    for model in (MemberRequest, MemberSnapshot, FulfillmentSummary, TrackingDifference):
        orphans = model.objects.filter(group__isnull=True, employee__isnull=False).filter(Exists(employee_group))
        if orphans.exists():  # usually none: then not even an UPDATE statement is sent
            changed += orphans.update(group_id=Subquery(employee_group.values("group_id")[:1]))
    return changed
