"""The mirror of Noyo's member side: employees, their families and coverage, and the changes
sent for them (member snapshots, and the legacy member requests and transactions).

Foreign keys follow the rule in ``connections.models``: nullable, ``db_constraint=False``,
``DO_NOTHING``. ``group`` is denormalised onto member requests, snapshots, summaries and
differences so the big lists filter by group without a join. The Postgres-only trigram
indexes for name search live in migration 0002.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models.functions import Upper

from command_center.noyo import contract
from command_center.sync.records import (
    NOYO_ID_LENGTH,
    LinesOfCoverageQuerySet,
    MirroredModel,
    MirrorQuerySet,
    StatusTrackedModel,
    mask_ssn,
    mirror_fk,
    text_choices,
)
from connections.models import Carrier, Group, GroupEnrollment, LineOfCoverage, Plan

EmploymentStatus = text_choices("EmploymentStatus", contract.EMPLOYMENT_STATUSES)
Relationship = text_choices("Relationship", contract.DEPENDENT_RELATIONSHIPS)
IndividualType = text_choices("IndividualType", contract.INDIVIDUAL_TYPES)
EnrollmentStatus = text_choices("EnrollmentStatus", contract.INDIVIDUAL_ENROLLMENT_STATUSES)
PremiumType = text_choices("PremiumType", contract.PREMIUM_TYPES)
# Older Noyo documents had a sixth snapshot status, failed, with top-level errors; ENDPOINTS.md §14.3
# asks the mirror to tolerate it, so the mirror still names it though the contract does not.
LEGACY_SNAPSHOT_STATUSES = ("failed",)
SnapshotStatus = text_choices("SnapshotStatus", contract.MEMBER_SNAPSHOT_STATUSES + LEGACY_SNAPSHOT_STATUSES)
FulfillmentStatus = text_choices("FulfillmentStatus", contract.FULFILLMENT_STATUSES)
DifferenceClassification = text_choices("DifferenceClassification", contract.DIFFERENCE_CLASSIFICATIONS)
MemberRequestType = text_choices("MemberRequestType", contract.MEMBER_REQUEST_TYPES)
MemberRequestStatus = text_choices("MemberRequestStatus", contract.MEMBER_REQUEST_STATUSES)
TransactionType = text_choices("TransactionType", contract.MEMBER_TRANSACTION_TYPES)
TransactionStatus = text_choices("TransactionStatus", contract.MEMBER_TRANSACTION_STATUSES)


class PersonFields(models.Model):
    """The ``person`` block shared by employees and dependents, promoted to columns."""

    first_name = models.CharField(max_length=200, blank=True)
    middle_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    ssn = models.CharField(max_length=16, blank=True, help_text="Stored as sent; shown only as ssn_masked.")
    sex = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def ssn_masked(self) -> str:
        return mask_ssn(self.ssn)


class EmployeeQuerySet(LinesOfCoverageQuerySet):
    def search(self, text: str):
        """Employees as people name them: "Kwame", "Adams", "Kwame Adams", "Adams, Kwame", or an e-mail.

        Names match in part and in any case (the trigram indexes); an e-mail matches whole (any case).
        """
        text = " ".join((text or "").split())
        if not text:
            return self
        if "@" in text:
            return self.filter(email__iexact=text)
        if "," in text:
            last, _, first = (part.strip() for part in text.partition(","))
            return self.filter(_name_parts(first, last)) if first and last else self.search(last or first)
        matches = models.Q(first_name__icontains=text) | models.Q(last_name__icontains=text)
        words = text.split(" ")[:MAX_NAME_WORDS]
        # "Mary Ann Smith" may be first "Mary Ann" and last "Smith", or first "Mary" and last "Ann Smith";
        # a name read off a list may come last name first.
        for cut in range(1, len(words)):
            before, after = " ".join(words[:cut]), " ".join(words[cut:])
            matches |= _name_parts(before, after) | _name_parts(after, before)
        return self.filter(matches)


# Words of a name tried as first and last names (each cut is two more conditions).
MAX_NAME_WORDS = 4


def _name_parts(first: str, last: str) -> models.Q:
    return models.Q(first_name__icontains=first, last_name__icontains=last)


class Employee(PersonFields, MirroredModel):
    """An employee (the family owner). ``lines_of_coverage`` is denormalised for the list.

    ``lines_of_coverage`` is ``join_lines()`` text ("dental,medical"), not an ArrayField
    (Postgres only) nor JSON (no portable containment lookup): it reads as is on the
    list, exports as one CSV cell and filters with ``Employee.objects.with_line()``. The
    sync recomputes it from the family's individual enrollments that are not terminated.
    """

    group = mirror_fk(Group, "employees", db_index=False)  # employee_group_name_idx
    location_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    email = models.CharField(max_length=254, blank=True)
    employment_status = models.CharField(max_length=32, blank=True, choices=EmploymentStatus.choices)
    occupation = models.CharField(max_length=200, blank=True)
    hire_date = models.DateField(null=True, blank=True)
    lines_of_coverage = models.CharField(max_length=255, blank=True)

    objects = EmployeeQuerySet.as_manager()
    STATUS_FIELD = "employment_status"

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # Employees list sorted by name (the default sort).
            models.Index(fields=["last_name", "first_name"], name="employee_name_idx"),
            # Employees of one group, by name (group filter, group page).
            models.Index(fields=["group", "last_name", "first_name"], name="employee_group_name_idx"),
            # Date-of-birth filter.
            models.Index(fields=["date_of_birth"], name="employee_dob_idx"),
            # Search by e-mail: iexact compares UPPER(email).
            models.Index(Upper("email"), name="employee_email_upper_idx"),
        ]

    def __str__(self):
        return self.full_name or self.id

    @property
    def lines_of_coverage_list(self) -> list[str]:
        return [line for line in self.lines_of_coverage.split(",") if line]


class Dependent(PersonFields, MirroredModel):
    """A dependent of an employee (spouse, child, ...)."""

    employee = mirror_fk(Employee, "dependents")
    relationship = models.CharField(max_length=32, blank=True, choices=Relationship.choices)

    STATUS_FIELD = "relationship"

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.full_name or self.id


class IndividualEnrollment(MirroredModel):
    """One person's enrollment in one line of coverage (read-only results from Noyo).

    ``employee`` is the family owner (for a dependent's enrollment too); ``individual_id``
    is the enrolled person (the employee or a dependent). ``status`` is Noyo's answer as of
    ``as_of_date`` (the ``effective_date`` the sync queried, usually the day of the sync);
    ``status_as_of(date)`` recomputes it for any date from the effective dates.
    """

    group_enrollment = mirror_fk(GroupEnrollment, "individual_enrollments")
    employee = mirror_fk(Employee, "individual_enrollments", db_index=False)  # ie_employee_line_idx
    group = mirror_fk(Group, "individual_enrollments")
    carrier = mirror_fk(Carrier, "individual_enrollments")
    plan = mirror_fk(Plan, "individual_enrollments")
    individual_type = models.CharField(max_length=32, blank=True, choices=IndividualType.choices)
    individual_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    line_of_coverage = models.CharField(max_length=64, blank=True, choices=LineOfCoverage.choices)
    status = models.CharField(max_length=64, blank=True, choices=EnrollmentStatus.choices)
    effective_start_date = models.DateField(null=True, blank=True)
    effective_end_date = models.DateField(null=True, blank=True, help_text="9999-12-31 when open-ended.")
    premium_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    premium_unit = models.CharField(max_length=32, blank=True)
    as_of_date = models.DateField(null=True, blank=True, help_text="The effective_date the sync queried.")

    objects = MirrorQuerySet.as_manager()

    class Meta:
        ordering = ["line_of_coverage", "effective_start_date"]
        indexes = [
            # Employee page: the family's enrollments by line.
            models.Index(fields=["employee", "line_of_coverage"], name="ie_employee_line_idx"),
            # A dependent's enrollments.
            models.Index(fields=["individual_id"], name="ie_individual_idx"),
        ]

    def __str__(self):
        return f"{self.get_line_of_coverage_display()} for {self.individual_type} {self.individual_id} ({self.status})"

    def status_as_of(self, day: dt.date) -> str:
        """Noyo's temporal model: pending before the start date, active within, terminated after the end.

        Without a start date, Noyo's own status is all we know.
        """
        if self.effective_start_date is None:
            return self.status
        if day < self.effective_start_date:
            return EnrollmentStatus.PENDING
        if self.effective_end_date is not None and day > self.effective_end_date:
            return EnrollmentStatus.TERMINATED
        return EnrollmentStatus.ACTIVE


class Premium(MirroredModel):
    """A premium billed for an employee's family by one carrier.

    Noyo gives premiums no id. Key: ``synthetic_id("premium", employee_id, carrier_id,
    premium_type, effective_start_date, <sorted billed member_id:line_of_coverage pairs>)``;
    version: Noyo's when present, else ``payload_version(payload)``.
    """

    employee = mirror_fk(Employee, "premiums")
    carrier = mirror_fk(Carrier, "premiums")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    period_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    period_unit = models.CharField(max_length=32, blank=True, help_text="e.g. month")
    premium_type = models.CharField(max_length=64, blank=True, choices=PremiumType.choices)
    effective_start_date = models.DateField(null=True, blank=True)
    effective_end_date = models.DateField(null=True, blank=True)
    billed_members = models.JSONField(
        default=list, blank=True, help_text="[{member_id, member_type, line_of_coverage, plan_id}]"
    )

    STATUS_FIELD = "premium_type"

    class Meta:
        ordering = ["carrier_id", "premium_type"]  # the column: ordering by the carrier row would join it

    def __str__(self):
        return f"{self.amount} {self.premium_type} to {self.carrier_id}"


class MemberSnapshotQuerySet(MirrorQuerySet):
    def failed(self):
        return self.present().filter(status=SnapshotStatus.FAILED)

    def details_needed(self):
        """Present snapshots whose submitted payload was not read for their current version."""
        return self.present().exclude(details_version=models.F("version"))


class MemberSnapshot(StatusTrackedModel):
    """A member snapshot: the full desired state of a family, sent to Noyo to apply at carriers.

    ``replaced_by`` points at the later snapshot of the same employee that replaced this one
    (the sync links them: a ``replaced`` snapshot to the next one created for the employee);
    ``replaces`` is the reverse. ``chain()`` walks both ways. ``errors`` holds the top-level
    errors of the older ``failed`` status.
    """

    employee = mirror_fk(Employee, "snapshots", db_index=False)  # snapshot_employee_created_idx
    group = mirror_fk(Group, "snapshots", db_index=False)  # snapshot_group_created_idx
    status = models.CharField(max_length=64, blank=True, choices=SnapshotStatus.choices)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="replaces"
    )
    errors = models.JSONField(default=list, blank=True)
    # What was sent. Noyo's lists leave these out (seed 002: "not the complete snapshot payload"); the
    # single snapshot carries them, so the sync reads it for the snapshots whose version they are not of.
    submitted = models.JSONField(
        null=True,
        blank=True,
        help_text="The submitted payload (member_snapshot of the single snapshot); null until read.",
    )
    created_members = models.JSONField(
        default=list,
        blank=True,
        help_text="[{id, custom_individual_id, type}]: the ids Noyo gave members this snapshot created.",
    )
    details_version = models.CharField(
        max_length=64,
        blank=True,
        help_text="The version whose submitted payload and created members were read ('' before).",
    )

    objects = MemberSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            # Snapshots list, newest first, filtered by status.
            models.Index(fields=["status", "-created"], name="snapshot_status_created_idx"),
            # Snapshots list unfiltered / created-date range.
            models.Index(fields=["-created"], name="snapshot_created_idx"),
            # Group filter.
            models.Index(fields=["group", "-created"], name="snapshot_group_created_idx"),
            # Employee page and employee filter.
            models.Index(fields=["employee", "-created"], name="snapshot_employee_created_idx"),
            # The sync's snapshots due a single read (details_needed()): none after a resync with no change.
            models.Index(
                fields=["-created"],
                name="snapshot_details_due_idx",
                condition=~models.Q(details_version=models.F("version")),
            ),
        ]

    def __str__(self):
        return f"Snapshot {self.id} ({self.status})"

    @property
    def details_read(self) -> bool:
        """Whether the submitted payload and created members of this version were read."""
        return bool(self.details_version) and self.details_version == self.version

    def chain(self, limit=50) -> list[MemberSnapshot]:
        """The snapshots this one replaced and those that replaced it, oldest first (one query per link)."""
        earlier, node = [], self
        while len(earlier) < limit and (node := node.replaces.order_by("-created").first()) is not None:
            earlier.append(node)
        later, node = [], self
        while (
            len(later) < limit
            and node.replaced_by_id
            and (node := MemberSnapshot.objects.filter(pk=node.replaced_by_id).first())
        ):
            later.append(node)
        return [*reversed(earlier), self, *later]


class FulfillmentSummaryQuerySet(MirrorQuerySet):
    def invalid(self):
        """Carrier fulfillments a data problem stopped: the dashboard's "invalid" count."""
        return self.present().filter(status=FulfillmentStatus.INVALID)


class FulfillmentSummary(StatusTrackedModel):
    """How one carrier's part of a member snapshot is going (one row per snapshot × carrier).

    Noyo gives it no id. Key: ``synthetic_id("fulfillment_summary", snapshot_id, carrier_id)``;
    version: ``payload_version(entry)``; ``created``/``modified``: the snapshot's.
    """

    snapshot = mirror_fk(MemberSnapshot, "fulfillment_summaries")
    carrier = mirror_fk(Carrier, "fulfillment_summaries", db_index=False)  # fs_carrier_status_idx
    group = mirror_fk(Group, "fulfillment_summaries")
    employee = mirror_fk(Employee, "fulfillment_summaries")
    status = models.CharField(max_length=64, blank=True, choices=FulfillmentStatus.choices)
    errors = models.JSONField(default=list, blank=True)

    objects = FulfillmentSummaryQuerySet.as_manager()

    class Meta:
        ordering = [
            "snapshot_id",
            "carrier_id",
        ]  # the columns, not the rows: a summary whose snapshot is not mirrored still lists
        verbose_name_plural = "fulfillment summaries"
        indexes = [
            # Summary page: carrier × fulfillment-status matrix; snapshots filtered by carrier + status.
            models.Index(fields=["carrier", "status"], name="fs_carrier_status_idx"),
            # Snapshots filtered by fulfillment status alone.
            models.Index(fields=["status", "snapshot"], name="fs_status_snapshot_idx"),
            # invalid(): the dashboard count and the invalid-first list.
            models.Index(fields=["carrier", "-created"], name="fs_invalid_idx", condition=models.Q(status="invalid")),
        ]

    def __str__(self):
        return f"{self.snapshot_id} at {self.carrier_id}: {self.status}"


# A difference someone still has to look at: not resolved, not dismissed, not suppressed.
DIFFERENCE_OPEN = models.Q(resolved__isnull=True, is_dismissed=False, is_suppressed=False)
# The queue's order: open differences first, each part oldest first (see diff_queue_idx).
DIFFERENCE_QUEUE_RANK = models.Case(
    models.When(DIFFERENCE_OPEN, then=models.Value(0)), default=models.Value(1), output_field=models.IntegerField()
)
DIFFERENCE_QUEUE_ORDER = (DIFFERENCE_QUEUE_RANK.asc(), models.F("created").asc(nulls_last=True), models.F("id").asc())


class TrackingDifferenceQuerySet(MirrorQuerySet):
    def unresolved(self):
        """Present, open differences: the dashboard's count and the queue's "unresolved" filter."""
        return self.present().filter(DIFFERENCE_OPEN)


class TrackingDifference(MirroredModel):
    """A field-level difference between the platform's data and the carrier's (Tracking API).

    ``fields`` is ``[{key, platform_value, carrier_value}]`` (ENDPOINTS.md §15): a value is
    null on the side that lacks the record (missing_from_carrier / missing_from_platform).
    """

    snapshot = mirror_fk(MemberSnapshot, "differences", db_index=False)  # diff_snapshot_idx
    organization_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    group = mirror_fk(Group, "differences")
    employee = mirror_fk(Employee, "differences")
    carrier = mirror_fk(Carrier, "differences")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    classification = models.CharField(max_length=64, blank=True, choices=DifferenceClassification.choices)
    difference_type = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True, help_text="[{key, platform_value, carrier_value}]")
    impact_score = models.IntegerField(null=True, blank=True)
    is_dismissed = models.BooleanField(default=False)
    is_suppressed = models.BooleanField(default=False)
    resolved = models.DateTimeField(null=True, blank=True)
    discrepancy_time = models.DateTimeField(null=True, blank=True)

    objects = TrackingDifferenceQuerySet.as_manager()
    STATUS_FIELD = "classification"

    class Meta:
        ordering = ["-impact_score", "-created"]
        indexes = [
            # Snapshot page: its differences, worst first.
            models.Index(fields=["snapshot", "-impact_score"], name="diff_snapshot_idx"),
            # Open differences of a group.
            models.Index(fields=["group", "-created"], name="diff_open_idx", condition=models.Q(resolved__isnull=True)),
            # The differences queue in its default order (DIFFERENCE_QUEUE_ORDER): open first, oldest first.
            models.Index(
                DIFFERENCE_QUEUE_RANK,
                models.F("created"),
                models.F("id"),
                name="diff_queue_idx",
                condition=models.Q(removed_upstream_at__isnull=True),
            ),
            # The queue by detection time (?sort=created, both directions).
            models.Index(fields=["created", "id"], name="diff_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_classification_display()}: {self.difference_type}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved is not None


class MemberRequestQuerySet(MirrorQuerySet):
    def failed(self):
        """Failed legacy requests: the dashboard count (they must be re-submitted as new requests)."""
        return self.present().filter(status=MemberRequestStatus.FAILED)


class MemberRequest(StatusTrackedModel):
    """A legacy member request (new hire, termination, ...). ``body`` and ``result`` are read from ``raw``."""

    employee = mirror_fk(Employee, "member_requests", db_index=False)  # mr_employee_created_idx
    group = mirror_fk(Group, "member_requests", db_index=False)  # mr_group_created_idx
    request_type = models.CharField(max_length=64, blank=True, choices=MemberRequestType.choices)
    status = models.CharField(max_length=64, blank=True, choices=MemberRequestStatus.choices)
    transaction_ids = models.JSONField(default=list, blank=True)

    objects = MemberRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            # Member requests list, newest first, and the created-date range filter.
            models.Index(fields=["-created"], name="mr_created_idx"),
            # Status filter.
            models.Index(fields=["status", "-created"], name="mr_status_created_idx"),
            # Request-type filter.
            models.Index(fields=["request_type", "-created"], name="mr_type_created_idx"),
            # Group filter.
            models.Index(fields=["group", "-created"], name="mr_group_created_idx"),
            # Employee page and employee filter.
            models.Index(fields=["employee", "-created"], name="mr_employee_created_idx"),
            # failed(): the dashboard count and its list.
            models.Index(fields=["-created"], name="mr_failed_idx", condition=models.Q(status="failed")),
        ]

    def __str__(self):
        return f"{self.get_request_type_display()} request {self.id} ({self.status})"

    @property
    def body(self):
        return (self.raw or {}).get("body") or {}

    @property
    def result(self):
        return (self.raw or {}).get("result") or {}


class MemberTransaction(StatusTrackedModel):
    """A carrier transaction produced by a member request (or a snapshot).

    ``transaction_type`` comes from ``transaction_type`` or, in older payloads, ``type``.
    ``lines_of_coverage`` is ``join_lines()`` text, as on ``Employee``.
    """

    member_request = mirror_fk(MemberRequest, "transactions", db_index=False)  # mt_request_created_idx
    employee = mirror_fk(Employee, "member_transactions")
    carrier = mirror_fk(Carrier, "member_transactions", db_index=False)  # mt_carrier_status_idx
    transaction_type = models.CharField(max_length=64, blank=True, choices=TransactionType.choices)
    status = models.CharField(max_length=64, blank=True, choices=TransactionStatus.choices)
    verified = models.DateTimeField(null=True, blank=True, help_text="Round-trip check time.")
    lines_of_coverage = models.CharField(max_length=255, blank=True)

    objects = LinesOfCoverageQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        indexes = [
            # Request detail: its transactions in order.
            models.Index(fields=["member_request", "created"], name="mt_request_created_idx"),
            # Transactions by carrier and status.
            models.Index(fields=["carrier", "status"], name="mt_carrier_status_idx"),
            # Transactions list filtered by status, newest first.
            models.Index(fields=["status", "-created"], name="mt_status_created_idx"),
            # Transactions list unfiltered, newest first (and the created-date range).
            models.Index(fields=["created", "id"], name="mt_created_idx"),
            # Transactions list filtered by type, newest first.
            models.Index(fields=["transaction_type", "created"], name="mt_type_created_idx"),
            # Transactions list filtered by carrier, newest first.
            models.Index(fields=["carrier", "created"], name="mt_carrier_created_idx"),
            # Transactions list: not verified (the few), newest first.
            models.Index(fields=["created"], name="mt_unverified_idx", condition=models.Q(verified__isnull=True)),
            # Transactions list sorted by verification time.
            models.Index(fields=["verified", "id"], name="mt_verified_idx"),
        ]

    def __str__(self):
        return f"{self.get_transaction_type_display()} {self.id} ({self.status})"

    @property
    def body(self):
        return (self.raw or {}).get("body") or {}

    @property
    def result(self):
        return (self.raw or {}).get("result") or {}

    @property
    def lines_of_coverage_list(self) -> list[str]:
        return [line for line in self.lines_of_coverage.split(",") if line]
