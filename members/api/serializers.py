"""The members lists' rows as JSON: the page's columns and the CSV's, ids beside names, SSNs masked.

No list carries an SSN (the pages show none); an employee's or dependent's own record carries
``ssn_masked`` ("•••-••-6789"), and every payload (``raw``, ``body``, ``result``, ``errors``,
``fields``) is masked as the pages mask it (``command_center.api.fields.masked``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from command_center.api.fields import (
    MaskedJSONField,
    MaskedTextField,
    NameField,
    RecordSerializer,
    lines,
    masked,
    person_name,
)
from command_center.sync.records import label_for, mask_ssn
from members import readable
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

RAW_HELP = "The last payload Noyo sent, SSNs masked."


class EmployeeNameMixin(serializers.Serializer):
    """``employee_name`` beside ``employee_id``, as the lists show the employee."""

    employee_name = serializers.SerializerMethodField(help_text="First and last name; empty when not mirrored yet.")

    def get_employee_name(self, row) -> str:
        return person_name(row.employee)


# --- Employees ----------------------------------------------------------------------------------


class EmployeeSerializer(RecordSerializer):
    group_name = NameField(source="group.name")
    lines_of_coverage = serializers.SerializerMethodField()

    class Meta:
        model = Employee
        fields = [
            "id",
            "first_name",
            "middle_name",
            "last_name",
            "date_of_birth",
            "group_id",
            "group_name",
            "employment_status",
            "occupation",
            "hire_date",
            "lines_of_coverage",
            "email",
            "modified",
            "removed_upstream_at",
        ]
        read_only_fields = fields

    def get_lines_of_coverage(self, employee) -> list[str]:
        return lines(employee.lines_of_coverage)


class DependentSerializer(RecordSerializer):
    ssn_masked = serializers.SerializerMethodField(help_text="The last four digits only, as the pages show it.")

    class Meta:
        model = Dependent
        fields = [
            "id",
            "first_name",
            "middle_name",
            "last_name",
            "date_of_birth",
            "relationship",
            "sex",
            "ssn_masked",
            "modified",
        ]
        read_only_fields = fields

    def get_ssn_masked(self, person) -> str:
        return mask_ssn(person.ssn)


class PremiumSerializer(RecordSerializer):
    carrier_name = NameField(source="carrier.name")

    class Meta:
        model = Premium
        fields = [
            "id",
            "carrier_id",
            "carrier_name",
            "premium_type",
            "amount",
            "period_amount",
            "period_unit",
            "effective_start_date",
            "effective_end_date",
        ]
        read_only_fields = fields


class EmployeeDetailSerializer(EmployeeSerializer):
    ssn_masked = serializers.SerializerMethodField(help_text="The last four digits only, as the pages show it.")
    dependents = serializers.SerializerMethodField()
    premiums = serializers.SerializerMethodField()
    raw = MaskedJSONField(help_text=RAW_HELP)

    class Meta(EmployeeSerializer.Meta):
        fields = [*EmployeeSerializer.Meta.fields, "sex", "location_id", "ssn_masked", "dependents", "premiums", "raw"]
        read_only_fields = fields

    def get_ssn_masked(self, person) -> str:
        return mask_ssn(person.ssn)

    @extend_schema_field(DependentSerializer(many=True))
    def get_dependents(self, employee):
        # As the employee's page lists them: the family as Noyo has it now.
        family = employee.dependents.present().order_by("date_of_birth", "first_name", "pk")
        return DependentSerializer(family, many=True).data

    @extend_schema_field(PremiumSerializer(many=True))
    def get_premiums(self, employee):
        premiums = (
            employee.premiums.present()
            .select_related("carrier")
            .order_by("carrier__name", "premium_type", "effective_start_date", "pk")
        )
        return PremiumSerializer(premiums, many=True).data


# --- Enrollments ----------------------------------------------------------------------------------


class EnrollmentSerializer(EmployeeNameMixin, RecordSerializer):
    carrier_name = NameField(source="carrier.name")
    plan_name = NameField(source="plan.name")
    status_as_of = serializers.SerializerMethodField(
        help_text="The status recomputed for the ``as_of`` date (today unless given), as the employee page shows it."
    )

    class Meta:
        model = IndividualEnrollment
        fields = [
            "id",
            "employee_id",
            "employee_name",
            "individual_type",
            "individual_id",
            "line_of_coverage",
            "carrier_id",
            "carrier_name",
            "plan_id",
            "plan_name",
            "status",
            "as_of_date",
            "status_as_of",
            "effective_start_date",
            "effective_end_date",
            "premium_amount",
            "premium_unit",
            "removed_upstream_at",
        ]
        read_only_fields = fields

    def get_status_as_of(self, enrollment) -> str:
        return enrollment.status_as_of(self.context["as_of"])


# --- Snapshots and their carrier fulfillments ---------------------------------------------------------


class FulfillmentBriefSerializer(serializers.Serializer):
    carrier_id = serializers.CharField()
    carrier_name = serializers.CharField()
    status = serializers.CharField()


class SnapshotSerializer(EmployeeNameMixin, RecordSerializer):
    group_name = NameField(source="group.name")
    fulfillments = serializers.SerializerMethodField(
        help_text="Its carrier fulfillments, worst first, as the list shows them."
    )

    class Meta:
        model = MemberSnapshot
        fields = [
            "id",
            "created",
            "modified",
            "status",
            "status_changed_at",
            "employee_id",
            "employee_name",
            "group_id",
            "group_name",
            "replaced_by_id",
            "fulfillments",
            "removed_upstream_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FulfillmentBriefSerializer(many=True))
    def get_fulfillments(self, snapshot):
        return [
            {
                "carrier_id": summary.carrier_id or "",
                "carrier_name": summary.carrier.name if summary.carrier else "",
                "status": summary.status,
            }
            for summary in snapshot.fulfillments
        ]


class SnapshotDetailSerializer(SnapshotSerializer):
    errors = MaskedJSONField()
    submitted = MaskedJSONField(help_text="What the snapshot sent, as Noyo's details give it; SSNs masked.")
    created_members = MaskedJSONField()
    raw = MaskedJSONField(help_text=RAW_HELP)

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "errors", "submitted", "created_members", "raw"]
        read_only_fields = fields


class FulfillmentSummarySerializer(EmployeeNameMixin, RecordSerializer):
    snapshot_status = NameField(source="snapshot.status")
    carrier_name = NameField(source="carrier.name")
    group_name = NameField(source="group.name")
    errors = MaskedJSONField(help_text="What is wrong, as Noyo said it; SSNs masked.")

    class Meta:
        model = FulfillmentSummary
        fields = [
            "id",
            "snapshot_id",
            "created",
            "snapshot_status",
            "carrier_id",
            "carrier_name",
            "status",
            "status_changed_at",
            "errors",
            "employee_id",
            "employee_name",
            "group_id",
            "group_name",
        ]
        read_only_fields = fields
        extra_kwargs = {"created": {"help_text": "When the snapshot was created."}}


# --- Tracking differences ---------------------------------------------------------------------------


class DifferenceFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    platform_value = serializers.JSONField(help_text="null on the side that lacks the record; an SSN masked.")
    carrier_value = serializers.JSONField(help_text="null on the side that lacks the record; an SSN masked.")


def masked_fields(fields) -> list:
    """A difference's ``fields[]{key, platform_value, carrier_value}``; an SSN's values masked as the queue shows them."""
    rows = []
    for entry in fields if isinstance(fields, list) else ():
        if not isinstance(entry, dict):
            rows.append({"key": "", "label": "", "platform_value": masked(entry), "carrier_value": None})
            continue
        key = str(entry.get("key") or "")
        values = [entry.get(side) for side in ("platform_value", "carrier_value")]
        if "ssn" in key.lower():
            values = [None if value in (None, "") else mask_ssn(value) for value in values]
        platform, carrier = (masked(value) for value in values)
        rows.append(
            {"key": key, "label": label_for(key) if key else "", "platform_value": platform, "carrier_value": carrier}
        )
    return rows


class TrackingDifferenceSerializer(EmployeeNameMixin, RecordSerializer):
    type_label = serializers.CharField(read_only=True, help_text="The difference type in words.")
    subject = serializers.CharField(
        read_only=True, help_text="What it is about (a dependent's name, an enrollment's line)."
    )
    # Not "fields": a serializer's own attribute. The CSV's "Fields" column.
    differing_fields = serializers.SerializerMethodField(
        help_text="The fields that differ, each side's value; SSNs masked."
    )
    carrier_name = NameField(source="carrier.name")
    group_name = NameField(source="group.name")

    class Meta:
        model = TrackingDifference
        fields = [
            "id",
            "classification",
            "difference_type",
            "type_label",
            "subject",
            "differing_fields",
            "object_type",
            "object_id",
            "impact_score",
            "carrier_id",
            "carrier_name",
            "group_id",
            "group_name",
            "employee_id",
            "employee_name",
            "snapshot_id",
            "created",
            "resolved",
            "discrepancy_time",
            "is_dismissed",
            "is_suppressed",
        ]
        read_only_fields = fields

    @extend_schema_field(DifferenceFieldSerializer(many=True))
    def get_differing_fields(self, difference):
        return masked_fields(difference.fields)


class TrackingDifferenceDetailSerializer(TrackingDifferenceSerializer):
    raw = MaskedJSONField(help_text=RAW_HELP)

    class Meta(TrackingDifferenceSerializer.Meta):
        fields = [*TrackingDifferenceSerializer.Meta.fields, "raw"]
        read_only_fields = fields


# --- Member requests and transactions ---------------------------------------------------------------


class MemberRequestSerializer(EmployeeNameMixin, RecordSerializer):
    group_name = NameField(source="group.name")
    transaction_count = serializers.SerializerMethodField()

    class Meta:
        model = MemberRequest
        fields = [
            "id",
            "created",
            "modified",
            "request_type",
            "status",
            "status_changed_at",
            "employee_id",
            "employee_name",
            "group_id",
            "group_name",
            "transaction_count",
            "removed_upstream_at",
        ]
        read_only_fields = fields

    def get_transaction_count(self, member_request) -> int:
        ids = member_request.transaction_ids
        return len(ids) if isinstance(ids, list) else 0


class MemberRequestDetailSerializer(MemberRequestSerializer):
    transaction_ids = serializers.JSONField(read_only=True)
    body = MaskedJSONField(help_text="What was asked of Noyo, SSNs masked.")
    result = MaskedJSONField(help_text="Noyo's result, SSNs masked.")
    raw = MaskedJSONField(help_text=RAW_HELP)

    class Meta(MemberRequestSerializer.Meta):
        fields = [*MemberRequestSerializer.Meta.fields, "transaction_ids", "body", "result", "raw"]
        read_only_fields = fields


class TransactionSerializer(EmployeeNameMixin, RecordSerializer):
    request_type = NameField(source="member_request.request_type")
    request_status = NameField(source="member_request.status")
    carrier_name = NameField(source="carrier.name")
    lines_of_coverage = serializers.SerializerMethodField()
    error = MaskedTextField(
        source="first_error", default="", help_text="The first error of a failed transaction, SSNs masked."
    )
    status_detail = serializers.SerializerMethodField(
        help_text="The status's details in one sentence, as the list says them."
    )

    class Meta:
        model = MemberTransaction
        fields = [
            "id",
            "member_request_id",
            "request_type",
            "request_status",
            "transaction_type",
            "carrier_id",
            "carrier_name",
            "lines_of_coverage",
            "status",
            "status_changed_at",
            "error",
            "status_detail",
            "verified",
            "created",
            "modified",
            "employee_id",
            "employee_name",
            "removed_upstream_at",
        ]
        read_only_fields = fields

    def get_lines_of_coverage(self, transaction) -> list[str]:
        return lines(transaction.lines_of_coverage)

    def get_status_detail(self, transaction) -> str:
        return readable.transaction_status_detail(transaction.status, transaction.verified, transaction.first_error)


class TransactionDetailSerializer(TransactionSerializer):
    body = MaskedJSONField(help_text="What was sent to the carrier, SSNs masked.")
    result = MaskedJSONField(help_text="The carrier's result, SSNs masked.")
    raw = MaskedJSONField(help_text=RAW_HELP)

    class Meta(TransactionSerializer.Meta):
        fields = [*TransactionSerializer.Meta.fields, "body", "result", "raw"]
        read_only_fields = fields
