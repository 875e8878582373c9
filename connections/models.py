"""The mirror of Noyo's group side: carriers, groups and everything hanging off a group.

Foreign keys between mirrored records use ``db_constraint=False`` and
``on_delete=DO_NOTHING``, and are nullable. Noyo is the source of truth and the
mirror only copies it: a connection may arrive (by webhook, or an earlier page of
a list) before its group, and a mirrored row is never deleted, only marked
``removed_upstream_at``. The sync writes the ``<name>_id`` columns directly; the
pages use ``select_related`` (a LEFT JOIN, so a parent not mirrored yet reads as
None). The Postgres-only trigram indexes live in migration 0002.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from command_center.noyo import contract
from command_center.sync.records import (
    NOYO_ID_LENGTH,
    MirroredModel,
    MirrorQuerySet,
    StatusTrackedModel,
    mirror_fk,
    text_choices,
)

ConnectionStatus = text_choices("ConnectionStatus", contract.GROUP_CONNECTION_STATUSES)
RequestType = text_choices("RequestType", contract.GROUP_CONNECTION_REQUEST_TYPES)
DisconnectionStatus = text_choices("DisconnectionStatus", contract.GROUP_DISCONNECTION_STATUSES)
DisconnectionSourceType = text_choices("DisconnectionSourceType", contract.GROUP_DISCONNECTION_SOURCE_TYPES)
DisconnectionReason = text_choices("DisconnectionReason", contract.GROUP_DISCONNECTION_REASONS)
LineOfCoverage = text_choices("LineOfCoverage", contract.LINES_OF_COVERAGE)
GroupEnrollmentStatus = text_choices("GroupEnrollmentStatus", contract.GROUP_ENROLLMENT_STATUSES)
PlanStatus = text_choices("PlanStatus", contract.PLAN_STATUSES)
RenewalDecisionStatus = text_choices("RenewalDecisionStatus", contract.RENEWAL_DECISION_STATUSES)

# Connections that wait on the platform: the "needs attention" queue.
ATTENTION_STATUSES = ("action_required", "unable_to_connect", "carrier_authorization")
# Default for "stuck": days in an in-flight status (settings.STUCK_AFTER_DAYS overrides).
DEFAULT_STUCK_DAYS = 7


# --- Carriers -----------------------------------------------------------------------


class CarrierQuerySet(models.QuerySet):
    def ensure(self, ids) -> int:
        """Create a placeholder carrier for every id not known yet; return how many were created.

        Noyo has no carriers endpoint: the sync calls this with the carrier ids
        it sees before writing rows that point at them. Existing carriers are
        left untouched (staff may have named them).
        """
        wanted = {str(i) for i in ids if i}
        if not wanted:
            return 0
        known = set(self.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - known)
        self.bulk_create(
            [self.model(id=i, name=Carrier.placeholder_name(i), is_placeholder=True) for i in missing],
            ignore_conflicts=True,
        )
        return len(missing)

    def missing_reference(self):
        """Carriers whose reference data is incomplete: named automatically, Sync/Send kind unknown or no id format."""
        return self.filter(MISSING_REFERENCE)

    def with_reference(self):
        return self.exclude(MISSING_REFERENCE)


# A carrier lacks reference data when any of these holds (see ``Carrier.missing_reference_parts``).
MISSING_REFERENCE = models.Q(is_placeholder=True) | models.Q(kind="unknown") | models.Q(carrier_group_id_format="")

MISSING_REFERENCE_SENTENCE = (
    "We have no reference data for this carrier: its kind and id format are unknown, so the id is not checked. "
    "Staff can add it in the admin."
)


class Carrier(models.Model):
    """An insurance carrier. Not mirrored (Noyo has no carriers endpoint): created from the
    carrier ids seen on other records, then described by staff in the admin (by hand, or
    as a CSV imported there: ``connections.admin.CarrierResource``).

    The reference data is what Noyo shows on each carrier's page in its console: the name,
    whether Noyo talks to the carrier's systems (Sync) or sends it files (Send), the
    ``carrier_group_id`` format and the carrier's own name for that id ("Policy number"),
    the file cadence, how to authorize Noyo, and the sandbox's test ids.
    ``carrier_group_id_format`` is a regular expression the whole ``carrier_group_id``
    must match (blank: format unknown, anything goes); ``format_hint`` says the same
    in words for people ("8 digits, e.g. 12345678").
    """

    class Kind(models.TextChoices):
        SYNC = "sync", "Sync"
        SEND = "send", "Send"
        UNKNOWN = "unknown", "Unknown"

    id = models.CharField(primary_key=True, max_length=NOYO_ID_LENGTH, help_text="Noyo's carrier id.")
    name = models.CharField(max_length=200)
    is_placeholder = models.BooleanField(default=False, help_text="Named automatically; nobody has named it yet.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.UNKNOWN)
    carrier_group_id_label = models.CharField(
        "name for the carrier group id",
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="What the carrier calls the group's id, e.g. 'Policy number' or 'Group number'.",
    )
    carrier_group_id_format = models.CharField(
        max_length=200,
        blank=True,
        help_text="Regular expression the whole carrier_group_id must match; blank if unknown.",
    )
    format_hint = models.CharField(max_length=200, blank=True, help_text="The format in plain words, with an example.")
    format_example = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="A carrier_group_id in the format, e.g. 'NW204518' (it must match the format).",
    )
    file_cadence = models.CharField(max_length=100, blank=True, help_text="For Send carriers, e.g. 'weekly on Monday'.")
    authorization_steps = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="How to authorize Noyo at this carrier when a connection waits on carrier authorization.",
    )
    sandbox_test_ids = models.TextField(
        "sandbox test ids",
        blank=True,
        default="",
        db_default="",
        help_text="carrier_group_ids that make Noyo's sandbox answer a given way, one a line: the id, then what it does.",
    )
    first_seen = models.DateTimeField(default=timezone.now)

    objects = CarrierQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Carriers list and every carrier filter dropdown, sorted by name.
            models.Index(fields=["name"], name="carrier_name_idx"),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def placeholder_name(carrier_id: str) -> str:
        return f"Carrier {str(carrier_id)[:8]}"

    def clean(self):
        """The format must be a regular expression, and the example must match it (admin form and CSV import)."""
        errors = {}
        pattern = None
        if self.carrier_group_id_format:
            try:
                pattern = re.compile(self.carrier_group_id_format)
            except re.error as exc:
                errors["carrier_group_id_format"] = (
                    f"This is not a regular expression ({exc}); e.g. NW\\d{{6}} for NW and 6 digits."
                )
        if pattern is not None and self.format_example and not pattern.fullmatch(self.format_example.strip()):
            errors["format_example"] = (
                f"The example “{self.format_example}” does not match the format {self.carrier_group_id_format}."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def missing_reference_parts(self) -> list[str]:
        """What staff have not given yet, in words: "name", "Sync or Send", "id format"."""
        parts = []
        if self.is_placeholder:
            parts.append("name")
        if self.kind not in (self.Kind.SYNC, self.Kind.SEND):
            parts.append("Sync or Send")
        if not self.carrier_group_id_format:
            parts.append("id format")
        return parts

    @property
    def reference_missing(self) -> bool:
        return bool(self.missing_reference_parts)

    @property
    def reference_sentence(self) -> str:
        """What the pages say about missing reference data, in plain words ("" when nothing is missing)."""
        kind_unknown = self.kind not in (self.Kind.SYNC, self.Kind.SEND)
        if kind_unknown and not self.carrier_group_id_format:
            return MISSING_REFERENCE_SENTENCE
        if kind_unknown:
            return "We do not know whether this carrier is Sync or Send, so statuses are explained for both. Staff can add it in the admin."
        if not self.carrier_group_id_format:
            return "We do not know this carrier's id format, so the id is not checked. Staff can add it in the admin."
        if self.is_placeholder:
            return "This carrier was named automatically from its id; staff can give its real name in the admin."
        return ""

    @property
    def group_id_label(self) -> str:
        """The carrier's own name for ``carrier_group_id`` ("Policy number"), else "Carrier group id"."""
        return self.carrier_group_id_label or "Carrier group id"

    def check_carrier_group_id(self, value: str) -> str | None:
        """Why ``value`` is not a valid carrier group id for this carrier, in plain words; None if fine.

        An unknown format (blank) accepts any non-blank value; a format staff
        mistyped (not a valid regex) is not held against the user either.
        """
        value = (value or "").strip()
        label = self.group_id_label
        words = label[:1].lower() + label[1:]
        if not value:
            return f"Enter a {words}."
        if not self.carrier_group_id_format:
            return None
        try:
            pattern = re.compile(self.carrier_group_id_format)
        except re.error:
            return None
        if pattern.fullmatch(value):
            return None
        expected = self.format_hint or f"the pattern {self.carrier_group_id_format}"
        return f"{self.name} expects a {words} in this format: {expected}. “{value}” does not match."


# --- Groups -------------------------------------------------------------------------


class Group(MirroredModel):
    """An employer group (``GET /groups``)."""

    organization_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    name = models.CharField(max_length=500, blank=True)
    dba_name = models.CharField(max_length=500, blank=True)
    federal_ein = models.CharField(max_length=64, blank=True)
    sic_code = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Groups list sorted by name (the default sort).
            models.Index(fields=["name"], name="group_name_idx"),
            # Groups list filtered by organization.
            models.Index(fields=["organization_id", "name"], name="group_org_name_idx"),
        ]

    def __str__(self):
        return self.name or self.dba_name or self.id


class GroupConnectionQuerySet(MirrorQuerySet):
    def needs_action(self):
        """Connections waiting on the platform (action_required, unable_to_connect, carrier_authorization)."""
        return self.present().filter(status__in=ATTENTION_STATUSES)

    def stuck(self, days=None, now=None):
        """Connections in an in-flight status (processing, noyo_review, waiting_on_carrier) for more than ``days``."""
        return self.present().filter(
            status__in=contract.GROUP_CONNECTION_IN_FLIGHT_STATUSES,
            status_changed_at__lt=_cutoff(days, now),
        )

    def needing_attention(self, days=None, now=None):
        """The dashboard queue: needs_action() plus stuck(days), oldest status first."""
        in_flight_too_long = models.Q(
            status__in=contract.GROUP_CONNECTION_IN_FLIGHT_STATUSES, status_changed_at__lt=_cutoff(days, now)
        )
        return (
            self.present()
            # Redundant, but Postgres cannot prove the OR below lies inside gc_needing_attention_idx without it
            # (it scanned all 1M rows: 990 ms; 0.1 ms with it).
            .filter(status__in=ATTENTION_STATUSES + contract.GROUP_CONNECTION_IN_FLIGHT_STATUSES)
            .filter(models.Q(status__in=ATTENTION_STATUSES) | in_flight_too_long)
            .order_by(models.F("status_changed_at").asc(nulls_first=True), "id")
        )

    def retryable(self):
        """Connections in a status the retry form is offered for (contract.RETRYABLE_STATUSES)."""
        return self.present().filter(status__in=contract.RETRYABLE_STATUSES)


def stuck_days() -> int:
    return int(getattr(settings, "STUCK_AFTER_DAYS", DEFAULT_STUCK_DAYS))


def _cutoff(days, now):
    return (now or timezone.now()) - dt.timedelta(days=stuck_days() if days is None else days)


class GroupConnection(StatusTrackedModel):
    """A group connection request (GCR): a group being connected to a carrier. The ops team's
    primary resource. ``group_data`` fields and ``setup_result.error`` are promoted to columns.
    """

    organization_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    group = mirror_fk(Group, "connections")
    carrier = mirror_fk(Carrier, "connections", db_index=False)  # gc_carrier_status_idx
    group_audit_request_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    request_type = models.CharField(max_length=32, blank=True, choices=RequestType.choices)
    status = models.CharField(max_length=64, blank=True, choices=ConnectionStatus.choices)
    completed = models.DateTimeField(null=True, blank=True, help_text="When the connection completed.")
    federal_ein = models.CharField(max_length=64, blank=True)
    carrier_group_id = models.CharField(max_length=200, blank=True, help_text="group_data.carrier_group_id")
    group_name = models.CharField(max_length=500, blank=True, help_text="group_data.group_name")
    broker_federal_ein = models.CharField(max_length=64, blank=True, help_text="group_data.broker_federal_ein")
    broker_tin = models.CharField(max_length=64, blank=True, help_text="group_data.broker_tin")
    employer_email_address = models.CharField(max_length=254, blank=True, help_text="group_data.employer_email_address")
    setup_error = models.TextField(blank=True, help_text="setup_result.error")

    objects = GroupConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["-modified"]
        permissions = [
            ("retry_groupconnection", "Can retry a group connection"),
            ("create_groupconnection", "Can request a new group connection at Noyo"),
        ]
        indexes = [
            # Connections list: filter by status(es), sort by last modified (the default sort).
            models.Index(fields=["status", "-modified"], name="gc_status_modified_idx"),
            # Connections list unfiltered, newest first.
            models.Index(fields=["-modified"], name="gc_modified_idx"),
            # Carrier filter with status, and the carrier page's "connections by status".
            models.Index(fields=["carrier", "status"], name="gc_carrier_status_idx"),
            # Groups with a connection in a status (the groups list's filter): the groups read from the index alone.
            models.Index(
                fields=["status", "group"],
                name="gc_status_group_idx",
                condition=models.Q(removed_upstream_at__isnull=True),
            ),
            # The carriers list's live counts of those needing action: read from the index alone.
            models.Index(
                fields=["carrier", "status"],
                name="gc_carrier_attention_idx",
                condition=models.Q(removed_upstream_at__isnull=True, status__in=ATTENTION_STATUSES),
            ),
            # Organization filter.
            models.Index(fields=["organization_id", "status"], name="gc_org_status_idx"),
            # Request-type filter.
            models.Index(fields=["request_type", "status"], name="gc_request_type_status_idx"),
            # stuck(): in-flight statuses ordered by when the status began.
            models.Index(fields=["status", "status_changed_at"], name="gc_status_since_idx"),
            # Connections list sorted by time in status, whatever the status.
            models.Index(fields=["status_changed_at"], name="gc_status_changed_idx"),
            # Search by carrier_group_id (exact), and the retry form's duplicate check per carrier.
            models.Index(fields=["carrier_group_id", "carrier"], name="gc_carrier_group_id_idx"),
            # Sort by group name.
            models.Index(fields=["group_name"], name="gc_group_name_idx"),
            # needing_attention() (the dashboard's queue, the "Needs attention" filter) reads
            # gc_needing_attention_idx, made on Postgres only by migration 0010: SQLite cannot index NULLS FIRST.
            # Sort by request type (ties newest first), and the request-type filter in the default sort.
            models.Index(fields=["request_type", "-modified"], name="gc_request_type_modified_idx"),
            # Carrier filter in the default sort (newest first).
            models.Index(fields=["carrier", "-modified"], name="gc_carrier_modified_idx"),
        ]

    def __str__(self):
        return f"{self.group_name or self.group_id or '?'} → {self.carrier_id or '?'} ({self.status})"

    @property
    def is_retryable(self) -> bool:
        return self.status in contract.RETRYABLE_STATUSES and not self.is_removed_upstream

    @property
    def needs_action(self) -> bool:
        return self.status in ATTENTION_STATUSES

    def is_stuck(self, days=None, now=None) -> bool:
        return (
            self.status in contract.GROUP_CONNECTION_IN_FLIGHT_STATUSES
            and self.status_changed_at is not None
            and self.status_changed_at < _cutoff(days, now)
        )


class CarrierStatusCountQuerySet(models.QuerySet):
    def replace(self, counts: dict[tuple[str, str], int], counted_at=None):
        """Make ``counts`` ((carrier id, status) -> connections) the summary: one DELETE and one INSERT, atomically."""
        counted_at = counted_at or timezone.now()
        with transaction.atomic():
            self.all().delete()
            self.bulk_create(
                [
                    self.model(carrier_id=carrier_id, status=status, count=n, counted_at=counted_at)
                    for (carrier_id, status), n in counts.items()
                ]
            )


class CarrierStatusCount(models.Model):
    """How many present connections each carrier has in each status, counted at the end of the connections sync.

    The carriers list reads these rows instead of counting a million connections on every view; the statuses
    that need a person are counted live beside them (``connections.views.carriers_for_list``), so a carrier
    never shows fewer failing connections than it has.
    """

    # No constraint: the summary is replaced whole, and a carrier is only ever created, never deleted.
    carrier = models.ForeignKey(Carrier, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    status = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField()
    counted_at = models.DateTimeField()

    objects = CarrierStatusCountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["carrier", "status"], name="carrierstatuscount_one_per_status")]

    def __str__(self):
        return f"{self.carrier_id} {self.status or '(none)'}: {self.count}"


class GroupDisconnectionRequestQuerySet(MirrorQuerySet):
    def needing_review(self):
        """Disconnections Noyo or a carrier started, waiting for the platform to confirm or reject."""
        return self.present().filter(status=DisconnectionStatus.NEEDS_REVIEW)


class GroupDisconnectionRequest(StatusTrackedModel):
    """A request to stop managing a group through Noyo for one carrier (GDR)."""

    organization_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    group = mirror_fk(Group, "disconnection_requests")
    carrier = mirror_fk(Carrier, "disconnection_requests")
    group_name = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=64, blank=True, choices=DisconnectionStatus.choices)
    source_type = models.CharField(max_length=32, blank=True, choices=DisconnectionSourceType.choices)
    source_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    reason = models.CharField(max_length=64, blank=True, choices=DisconnectionReason.choices)
    effective_end_date = models.DateField(null=True, blank=True, help_text="Last day managed through Noyo.")
    decided = models.DateTimeField(null=True, blank=True)
    completed = models.DateTimeField(null=True, blank=True)

    objects = GroupDisconnectionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-modified"]
        permissions = [("review_groupdisconnectionrequest", "Can confirm or reject a disconnection request")]
        indexes = [
            # Disconnections filtered by status, newest first.
            models.Index(fields=["status", "-modified"], name="gdr_status_modified_idx"),
            # needing_review(): the few awaiting the platform.
            models.Index(fields=["-modified"], name="gdr_needs_review_idx", condition=models.Q(status="needs_review")),
        ]

    def __str__(self):
        return (
            f"Disconnection of {self.group_name or self.group_id or '?'} from {self.carrier_id or '?'} ({self.status})"
        )

    @property
    def needs_review(self) -> bool:
        """Waiting for the platform to confirm or reject it (what the review buttons are offered for)."""
        return self.status == DisconnectionStatus.NEEDS_REVIEW and not self.is_removed_upstream


class CarrierConfiguration(MirroredModel):
    """A group's carrier-specific configuration (bill groups, member groups, policy number).

    Noyo gives it neither id nor version. Key: ``synthetic_id("carrier_configuration",
    group_id, carrier_id)``; version: ``payload_version(payload)``; ``created`` and
    ``modified`` stay NULL.
    """

    group = mirror_fk(Group, "carrier_configurations")
    carrier = mirror_fk(Carrier, "carrier_configurations")
    carrier_group_id = models.CharField(max_length=200, blank=True)
    configuration = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = [
            "group_id",
            "carrier_id",
        ]  # the columns: ordering by the related rows would join, and hide those not mirrored

    def __str__(self):
        return f"Configuration of {self.group_id} at {self.carrier_id}"


class Contact(MirroredModel):
    """A person at a group (billing, company, executive, online or carrier contact)."""

    group = mirror_fk(Group, "contacts")
    carrier = mirror_fk(Carrier, "contacts")
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone_number = models.CharField(max_length=32, blank=True)
    types = models.JSONField(default=list, blank=True, help_text="Contact types, e.g. ['billing'].")
    primary_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email or self.id


class Location(MirroredModel):
    """A work location of a group. The address stays in ``raw``; city and state are columns."""

    group = mirror_fk(Group, "locations")
    display_name = models.CharField(max_length=300, blank=True)
    street_one = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=64, blank=True)
    zip_code = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name or ", ".join(p for p in (self.city, self.state) if p) or self.id


class LatestAudit(MirroredModel):
    """The latest completed carrier audit of a group (``…/audit_requests/latest``): a freshness signal.

    One per group. Noyo gives it neither id nor version. Key:
    ``synthetic_id("latest_audit", group_id)``; version: ``payload_version(payload)``.
    When no audit ever completed, Noyo answers the group's creation time and no carriers.
    """

    group = mirror_fk(Group, "latest_audits")
    carrier_ids = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_at"]
        indexes = [
            # Dashboard/group page: groups whose last audit is oldest.
            models.Index(fields=["completed_at"], name="latestaudit_completed_idx"),
        ]

    def __str__(self):
        return (
            f"Audit of {self.group_id} completed {self.completed_at:%Y-%m-%d}"
            if self.completed_at
            else f"Audit of {self.group_id}"
        )


class GroupEnrollment(MirroredModel):
    """A group's enrollment in one line of coverage with one carrier."""

    group = mirror_fk(Group, "group_enrollments")
    carrier = mirror_fk(Carrier, "group_enrollments", db_index=False)  # ge_carrier_status_idx
    line_of_coverage = models.CharField(max_length=64, blank=True, choices=LineOfCoverage.choices)
    status = models.CharField(max_length=64, blank=True, choices=GroupEnrollmentStatus.choices)
    open_enrollment_start_date = models.DateField(null=True, blank=True)
    open_enrollment_end_date = models.DateField(null=True, blank=True)
    open_enrollment_renewal_date = models.DateField(null=True, blank=True)
    effective_start_date = models.DateField(null=True, blank=True)
    effective_end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["line_of_coverage"]
        indexes = [
            # Carrier page and enrollment filters: a carrier's enrollments by status.
            models.Index(fields=["carrier", "status"], name="ge_carrier_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_line_of_coverage_display()} at {self.carrier_id or '?'} ({self.status})"


class Plan(MirroredModel):
    """A group's plan for one line of coverage. Per-line extras (waiting periods, rules) stay in ``raw``."""

    group = mirror_fk(Group, "plans")
    group_enrollment = mirror_fk(GroupEnrollment, "plans")
    carrier = mirror_fk(Carrier, "plans")
    line_of_coverage = models.CharField(max_length=64, blank=True, choices=LineOfCoverage.choices)
    name = models.CharField(max_length=500, blank=True)
    code = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=64, blank=True, choices=PlanStatus.choices)
    plan_type = models.CharField(max_length=64, blank=True)
    network = models.CharField(max_length=200, blank=True)
    metal_tier = models.CharField(max_length=32, blank=True)
    effective_start_date = models.DateField(null=True, blank=True)
    effective_end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["line_of_coverage", "name"]

    def __str__(self):
        return self.name or self.id


class RenewalDecisionQuerySet(MirrorQuerySet):
    def not_ready(self):
        """Renewals whose carriers do not match the expected decisions yet: the ones to work on."""
        return self.present().filter(status=RenewalDecisionStatus.NOT_READY)

    def with_carrier(self, carrier_id: str):
        """Renewals naming this carrier in their expectations or issues (``carrier_ids``)."""
        return self.filter(carrier_ids__contains=str(carrier_id))


class RenewalDecision(MirroredModel):
    """A group's renewal decision: whether its carriers are ready for the renewal date.

    ``raw["body"]["carriers"]`` holds what the platform expects of each carrier for the
    new plan year (per line of coverage: the open enrollment window and the plans);
    ``issues`` says what keeps it ``not_ready``. ``carrier_ids`` lists every carrier either
    names (sorted, comma-joined: a Noyo id is 36 characters, so a substring match is exact),
    for the carrier filter.
    """

    group = mirror_fk(Group, "renewal_decisions")
    renewal_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=64, blank=True, choices=RenewalDecisionStatus.choices)
    issues = models.JSONField(default=list, blank=True, help_text="[{level, message, carrier_id, line_of_coverage}]")
    carrier_ids = models.TextField(
        blank=True, default="", db_default="", help_text="The carriers of body.carriers and issues, comma-joined."
    )

    objects = RenewalDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-renewal_date"]
        permissions = [("create_renewaldecision", "Can send a new renewal decision to Noyo")]
        indexes = [
            # Renewals filtered by status, soonest renewal first.
            models.Index(fields=["status", "renewal_date"], name="renewal_status_date_idx"),
            # Renewals list sorted or filtered by renewal date alone.
            models.Index(fields=["renewal_date"], name="renewal_date_idx"),
        ]

    def __str__(self):
        return f"Renewal of {self.group_id} on {self.renewal_date} ({self.status})"

    @property
    def error_count(self) -> int:
        return sum(1 for issue in self.issues or () if isinstance(issue, dict) and issue.get("level") == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for issue in self.issues or () if isinstance(issue, dict) and issue.get("level") == "warning")

    @property
    def expected_carriers(self) -> list:
        """``body.carriers`` as Noyo sent it (a list of dicts; anything else reads as none)."""
        body = (self.raw or {}).get("body") if isinstance(self.raw, dict) else None
        carriers = body.get("carriers") if isinstance(body, dict) else None
        return [c for c in carriers if isinstance(c, dict)] if isinstance(carriers, list) else []

    @property
    def carrier_id_list(self) -> list[str]:
        return [c for c in (self.carrier_ids or "").split(",") if c]


# --- Retries (ours, not mirrored) ------------------------------------------------------


class RetryAttemptQuerySet(models.QuerySet):
    def in_flight(self):
        return self.filter(state=RetryAttempt.State.IN_FLIGHT)

    def finished(self):
        return self.filter(state__in=RetryAttempt.FINISHED_STATES)


class RetryAttempt(models.Model):
    """One retry of a group connection, from the form that offered it to Noyo's answer.

    A row is created when a retry form is rendered (``state=ready``), carrying a
    unique ``token`` the form sends back. Sending it claims the row with a
    conditional UPDATE (``ready`` -> ``in_flight``), so a double click, a second
    tab on the same form or a browser resend finds it already claimed and shows
    its outcome instead of calling Noyo again. The partial unique constraint
    keeps at most one attempt in flight per connection, whatever the form.
    """

    class State(models.TextChoices):
        READY = "ready", "Not sent yet"
        IN_FLIGHT = "in_flight", "Sending to Noyo"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    FINISHED_STATES = (State.SUCCEEDED, State.FAILED, State.SKIPPED)

    token = models.UUIDField(unique=True, help_text="Idempotency token carried by the form.")
    connection = mirror_fk(GroupConnection, "retry_attempts", db_index=False)  # retry_connection_created_idx
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.READY)
    created = models.DateTimeField(default=timezone.now, help_text="When the form was rendered.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the attempt was claimed and sent.")
    finished_at = models.DateTimeField(null=True, blank=True)
    old_status = models.CharField(max_length=64, blank=True)
    new_status = models.CharField(max_length=64, blank=True)
    old_carrier_group_id = models.CharField(max_length=200, blank=True)
    carrier_group_id = models.CharField(max_length=200, blank=True, help_text="As sent to Noyo.")
    broker_federal_ein = models.CharField(max_length=64, blank=True)
    broker_tin = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True, help_text="Why the operator retried.")
    message = models.TextField(blank=True, help_text="The outcome in plain words.")
    noyo_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    noyo_answer = models.JSONField(
        null=True, blank=True, help_text="Noyo's answer: the updated connection or the error body."
    )
    field_errors = models.JSONField(default=dict, blank=True, help_text="Noyo's 422 messages by field.")

    objects = RetryAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"], condition=models.Q(state="in_flight"), name="retry_one_in_flight_per_connection"
            ),
        ]
        indexes = [
            # Retry history on the connection page, newest first.
            models.Index(fields=["connection", "-created"], name="retry_connection_created_idx"),
            # Stale in-flight attempts to release (a worker died mid-call).
            models.Index(fields=["started_at"], name="retry_in_flight_idx", condition=models.Q(state="in_flight")),
        ]

    def __str__(self):
        return f"Retry of {self.connection_id} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES

    @property
    def badge_status(self) -> str:
        """The status word the badge tag colours this state by."""
        return {"in_flight": "running", "ready": "queued"}.get(self.state, self.state)

    @property
    def changed_carrier_group_id(self) -> bool:
        return bool(self.carrier_group_id) and self.carrier_group_id != self.old_carrier_group_id


# --- Actions sent to Noyo once (ours, not mirrored) -------------------------------------------


class NoyoActionQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(state__in=NoyoAction.FINISHED_STATES)

    def about(self, target_id):
        """The actions sent about one record (a disconnection request, a group), newest first."""
        return self.filter(target_id=str(target_id)).finished().order_by("-created", "-id")


class NoyoAction(models.Model):
    """One write to Noyo (create a connection, confirm or reject a disconnection, create a renewal decision), sent at most once.

    The same discipline as ``RetryAttempt``, for any kind of write (``connections.actions``
    holds the verbs): a row is made when the form is rendered (``state=ready``) with a unique
    ``token`` the form sends back; sending it claims the row with a conditional UPDATE
    (``ready`` -> ``in_flight``), so a double click, a second tab or a browser resend finds it
    claimed and shows its outcome instead of writing to Noyo again. ``lock_key`` names what
    the write touches at Noyo (one disconnection request; one carrier + carrier_group_id): the
    partial unique constraint keeps at most one action in flight per key, whatever the form.
    """

    class Kind(models.TextChoices):
        CREATE_CONNECTION = "create_connection", "Create group connection"
        CONFIRM_DISCONNECTION = "confirm_disconnection", "Confirm disconnection"
        REJECT_DISCONNECTION = "reject_disconnection", "Reject disconnection"
        CREATE_RENEWAL = "create_renewal_decision", "Create renewal decision"

    class State(models.TextChoices):
        READY = "ready", "Not sent yet"
        IN_FLIGHT = "in_flight", "Sending to Noyo"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    FINISHED_STATES = (State.SUCCEEDED, State.FAILED, State.SKIPPED)

    token = models.UUIDField(unique=True, help_text="Idempotency token carried by the form.")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    target_id = models.CharField(
        max_length=NOYO_ID_LENGTH, blank=True, help_text="The Noyo record acted on (blank: a group not at Noyo yet)."
    )
    group_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    carrier_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True)
    lock_key = models.CharField(
        max_length=300, blank=True, help_text="What the write touches at Noyo; one in flight per key."
    )
    result_id = models.CharField(max_length=NOYO_ID_LENGTH, blank=True, help_text="The record Noyo's answer describes.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.READY)
    created = models.DateTimeField(default=timezone.now, help_text="When the form was rendered.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the action was claimed and sent.")
    finished_at = models.DateTimeField(null=True, blank=True)
    values = models.JSONField(default=dict, blank=True, help_text="What the person typed or chose, as sent.")
    old_status = models.CharField(max_length=64, blank=True, help_text="The target's status when the form was offered.")
    new_status = models.CharField(max_length=64, blank=True, help_text="Its status after Noyo's answer.")
    message = models.TextField(blank=True, help_text="The outcome in plain words.")
    noyo_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    noyo_answer = models.JSONField(
        null=True, blank=True, help_text="Noyo's answer: the record written, or the error body."
    )
    field_errors = models.JSONField(default=dict, blank=True, help_text="Noyo's 422 messages by field.")

    objects = NoyoActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lock_key"], condition=models.Q(state="in_flight"), name="noyoaction_one_in_flight_per_key"
            ),
        ]
        indexes = [
            # Actions about one record (a disconnection's page), newest first.
            models.Index(fields=["target_id", "-created"], name="noyoaction_target_created_idx"),
            # Stale in-flight actions to release (a worker died mid-call).
            models.Index(fields=["started_at"], name="noyoaction_in_flight_idx", condition=models.Q(state="in_flight")),
            # Forms opened and never sent, dropped after a day.
            models.Index(fields=["created"], name="noyoaction_ready_idx", condition=models.Q(state="ready")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target_id or ''} ({self.state})".replace("  ", " ")

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES

    @property
    def badge_status(self) -> str:
        """The status word the badge tag colours this state by."""
        return {"in_flight": "running", "ready": "queued"}.get(self.state, self.state)
