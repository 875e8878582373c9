"""The console's own lists as JSON: attention items, sync runs and the audit log (reads only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from command_center.api.fields import MaskedJSONField, MaskedTextField, NameField, RecordSerializer, person_name
from command_center.models import AttentionItem, AuditEntry, SyncFailure, SyncRun
from command_center.templatetags.syncs import kind_label

USERNAME = "The person's username; empty for nobody."


class AttentionItemSerializer(RecordSerializer):
    carrier_name = NameField(source="carrier.name")
    group_name = NameField(source="group.name")
    employee_name = serializers.SerializerMethodField(help_text="First and last name; empty when not mirrored yet.")
    acknowledged_by = NameField(source="acknowledged_by.get_username", help_text=USERNAME)
    assigned_to = NameField(source="assigned_to.get_username", help_text=USERNAME)
    summary = MaskedTextField(help_text="What is wrong, in plain words.")
    record_name = serializers.CharField(read_only=True, help_text="What the record is, in words (“the connection”).")
    url = serializers.CharField(read_only=True, help_text="The console page of the record the item is about.")
    state = serializers.CharField(read_only=True, help_text="open, snoozed or closed.")

    class Meta:
        model = AttentionItem
        fields = [
            "id",
            "kind",
            "summary",
            "resource",
            "object_id",
            "record_name",
            "url",
            "carrier_id",
            "carrier_name",
            "group_id",
            "group_name",
            "employee_id",
            "employee_name",
            "first_detected_at",
            "last_detected_at",
            "opened_at",
            "closed_at",
            "state",
            "acknowledged_by_id",
            "acknowledged_by",
            "acknowledged_at",
            "assigned_to_id",
            "assigned_to",
            "snoozed_until",
        ]
        read_only_fields = fields

    def get_employee_name(self, item) -> str:
        return person_name(item.employee)


class TotalsSerializer(serializers.Serializer):
    # The run's per-resource counts summed (SyncRun.COUNT_KEYS), as the Syncs list shows them.
    fetched = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    removed = serializers.IntegerField()
    failed = serializers.IntegerField()


class SyncRunSerializer(RecordSerializer):
    kind_label = serializers.SerializerMethodField()
    requested_by = NameField(source="requested_by.get_username", help_text=USERNAME)
    totals = TotalsSerializer(read_only=True)

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "trigger",
            "status",
            "requested_by_id",
            "requested_by",
            "created",
            "started_at",
            "finished_at",
            "api_calls",
            "message",
            "totals",
        ]
        read_only_fields = fields

    def get_kind_label(self, run) -> str:
        return kind_label(run.kind)  # as the Syncs page says it


class SyncFailureSerializer(RecordSerializer):
    reason = MaskedTextField()
    payload = MaskedJSONField(help_text="The record as Noyo sent it, SSNs masked.")

    class Meta:
        model = SyncFailure
        fields = ["id", "resource", "noyo_id", "reason", "payload", "created"]
        read_only_fields = fields


class SyncRunDetailSerializer(SyncRunSerializer):
    resources = MaskedJSONField(help_text="Counts per resource: fetched, created, updated, unchanged, removed, failed.")
    families = MaskedJSONField(help_text="Each family's outcome.")
    absorbed = MaskedJSONField(
        help_text="What the run absorbed from Noyo: 429s waited out, 5xx and dropped calls retried."
    )
    failures = serializers.SerializerMethodField(
        help_text="The first records that failed, as the run's page lists them."
    )

    class Meta(SyncRunSerializer.Meta):
        fields = [
            *SyncRunSerializer.Meta.fields,
            "heartbeat_at",
            "resources",
            "families",
            "absorbed",
            "error",
            "failures",
        ]
        read_only_fields = fields

    @extend_schema_field(SyncFailureSerializer(many=True))
    def get_failures(self, run):
        from command_center.views.syncs import FAILURES_PER_PAGE

        return SyncFailureSerializer(run.failures.order_by("id")[:FAILURES_PER_PAGE], many=True).data


class AuditEntrySerializer(RecordSerializer):
    actor = NameField(source="actor.get_username", help_text=USERNAME)
    summary = MaskedTextField()
    details = MaskedJSONField(help_text="What was done: the retry's values, the export's file name and filters.")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created",
            "actor_id",
            "actor",
            "action",
            "outcome",
            "object_type",
            "object_id",
            "summary",
            "details",
        ]
        read_only_fields = fields
