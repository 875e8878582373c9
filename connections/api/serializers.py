from rest_framework import serializers

from connections.models import GroupConnection, RetryAttempt


class GroupConnectionSerializer(serializers.ModelSerializer):
    carrier_name = serializers.CharField(source="carrier.name", default="", read_only=True)
    is_retryable = serializers.BooleanField(read_only=True)

    class Meta:
        model = GroupConnection
        fields = [
            "id", "version", "group_id", "group_name", "organization_id", "carrier_id", "carrier_name",
            "carrier_group_id", "status", "status_changed_at", "request_type", "setup_error", "federal_ein",
            "broker_federal_ein", "broker_tin", "employer_email_address", "created", "modified", "completed",
            "removed_upstream_at", "is_retryable",
        ]
        read_only_fields = fields


class RetryAttemptSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username", default="", read_only=True)

    class Meta:
        model = RetryAttempt
        fields = [
            "token", "state", "message", "old_status", "new_status", "old_carrier_group_id", "carrier_group_id",
            "broker_federal_ein", "broker_tin", "note", "noyo_status_code", "field_errors", "requested_by",
            "started_at", "finished_at",
        ]
        read_only_fields = fields
