from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from command_center.api.fields import MaskedJSONField, NameField, RecordSerializer
from connections.models import (
    Carrier,
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    Plan,
    RenewalDecision,
    RetryAttempt,
)


class GroupConnectionSerializer(RecordSerializer):
    carrier_name = serializers.CharField(source="carrier.name", default="", read_only=True)
    is_retryable = serializers.BooleanField(read_only=True)

    class Meta:
        model = GroupConnection
        fields = [
            "id",
            "version",
            "group_id",
            "group_name",
            "organization_id",
            "carrier_id",
            "carrier_name",
            "carrier_group_id",
            "status",
            "status_changed_at",
            "request_type",
            "setup_error",
            "federal_ein",
            "broker_federal_ein",
            "broker_tin",
            "employer_email_address",
            "created",
            "modified",
            "completed",
            "removed_upstream_at",
            "is_retryable",
        ]
        read_only_fields = fields


class RetryAttemptSerializer(RecordSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username", default="", read_only=True)

    class Meta:
        model = RetryAttempt
        fields = [
            "token",
            "state",
            "message",
            "old_status",
            "new_status",
            "old_carrier_group_id",
            "carrier_group_id",
            "broker_federal_ein",
            "broker_tin",
            "note",
            "noyo_status_code",
            "field_errors",
            "requested_by",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


# --- The lists' rows ------------------------------------------------------------------------------
# Each list's fields are its page's columns and its CSV's, ids beside the readable names.


class GroupConnectionDetailSerializer(GroupConnectionSerializer):
    raw = MaskedJSONField(help_text="The last payload Noyo sent, SSNs masked.")

    class Meta(GroupConnectionSerializer.Meta):
        fields = [*GroupConnectionSerializer.Meta.fields, "raw"]
        read_only_fields = fields


# ``{status: count}`` of a row's connections still at Noyo, as the list's "Connections" column shows them
# (the list attaches them to its page's rows: ``connections.views.attach_connection_counts``).
STATUS_COUNTS_SCHEMA = {"type": "object", "additionalProperties": {"type": "integer"}}


class GroupSerializer(RecordSerializer):
    connection_counts = serializers.SerializerMethodField(
        help_text="Connections still at Noyo, by status: as counted by the last connections sync, "
        "those needing action counted now."
    )

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "dba_name",
            "organization_id",
            "federal_ein",
            "sic_code",
            "created",
            "modified",
            "removed_upstream_at",
            "connection_counts",
        ]
        read_only_fields = fields

    @extend_schema_field(STATUS_COUNTS_SCHEMA)
    def get_connection_counts(self, group):
        return dict(group.connection_counts)


class PlanSerializer(RecordSerializer):
    carrier_name = NameField(source="carrier.name")

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "line_of_coverage",
            "carrier_id",
            "carrier_name",
            "code",
            "status",
            "plan_type",
            "network",
            "metal_tier",
            "effective_start_date",
            "effective_end_date",
        ]
        read_only_fields = fields


class GroupDetailSerializer(GroupSerializer):
    plans = serializers.SerializerMethodField()
    raw = MaskedJSONField(help_text="The last payload Noyo sent, SSNs masked.")

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "plans", "raw"]
        read_only_fields = fields

    @extend_schema_field(PlanSerializer(many=True))
    def get_plans(self, group):
        # As the group's page lists them.
        return PlanSerializer(
            group.plans.select_related("carrier").order_by("line_of_coverage", "name", "pk"), many=True
        ).data


class CarrierSerializer(RecordSerializer):
    reference_is_missing = serializers.BooleanField(read_only=True)
    connection_total = serializers.IntegerField(
        read_only=True,
        help_text="Connections still at Noyo, as counted by the last connections sync.",
    )
    attention_total = serializers.IntegerField(read_only=True, help_text="Connections needing action, counted now.")
    status_counts = serializers.SerializerMethodField(
        help_text="Connections still at Noyo, by status: as counted by the last connections sync, those needing "
        "action counted now."
    )

    class Meta:
        model = Carrier
        fields = [
            "id",
            "name",
            "kind",
            "carrier_group_id_label",
            "carrier_group_id_format",
            "format_hint",
            "format_example",
            "file_cadence",
            "authorization_steps",
            "sandbox_test_ids",
            "reference_is_missing",
            "connection_total",
            "attention_total",
            "status_counts",
            "first_seen",
        ]
        read_only_fields = fields

    @extend_schema_field(STATUS_COUNTS_SCHEMA)
    def get_status_counts(self, carrier):
        return dict(carrier.status_counts)


class DisconnectionRequestSerializer(RecordSerializer):
    carrier_name = NameField(source="carrier.name")

    class Meta:
        model = GroupDisconnectionRequest
        fields = [
            "id",
            "group_id",
            "group_name",
            "carrier_id",
            "carrier_name",
            "status",
            "status_changed_at",
            "reason",
            "source_type",
            "source_id",
            "effective_end_date",
            "created",
            "decided",
            "completed",
            "modified",
            "organization_id",
            "removed_upstream_at",
        ]
        read_only_fields = fields


class DisconnectionRequestDetailSerializer(DisconnectionRequestSerializer):
    raw = MaskedJSONField(help_text="The last payload Noyo sent, SSNs masked.")

    class Meta(DisconnectionRequestSerializer.Meta):
        fields = [*DisconnectionRequestSerializer.Meta.fields, "raw"]
        read_only_fields = fields


class CarrierRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(help_text="The carrier's name; its id when it is not mirrored.")


class RenewalDecisionSerializer(RecordSerializer):
    group_name = NameField(source="group.name")
    issues = MaskedJSONField(help_text="[{level, message, carrier_id, line_of_coverage}] as Noyo sent them.")
    carriers = serializers.SerializerMethodField()

    class Meta:
        model = RenewalDecision
        fields = [
            "id",
            "group_id",
            "group_name",
            "renewal_date",
            "status",
            "issues",
            "carriers",
            "created",
            "modified",
            "removed_upstream_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CarrierRefSerializer(many=True))
    def get_carriers(self, renewal):
        names = getattr(renewal, "carrier_names", {})
        return [{"id": pk, "name": names.get(pk, pk)} for pk in renewal.carrier_id_list]


class RenewalDecisionDetailSerializer(RenewalDecisionSerializer):
    raw = MaskedJSONField(help_text="The last payload Noyo sent, SSNs masked.")

    class Meta(RenewalDecisionSerializer.Meta):
        fields = [*RenewalDecisionSerializer.Meta.fields, "raw"]
        read_only_fields = fields
