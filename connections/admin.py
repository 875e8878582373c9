from django.contrib import admin

from command_center.sync.admin import MirrorAdmin

from . import models


@admin.register(models.Carrier)
class CarrierAdmin(admin.ModelAdmin):
    """The one model staff maintain: names, kind, carrier_group_id format and file cadence."""

    list_display = ("name", "id", "kind", "carrier_group_id_format", "file_cadence", "is_placeholder")
    list_filter = ("kind", "is_placeholder")
    search_fields = ("name", "=id")
    readonly_fields = ("id", "first_seen")
    fields = ("id", "name", "kind", "carrier_group_id_format", "format_hint", "file_cadence", "is_placeholder", "first_seen")

    def has_add_permission(self, request):
        # Carriers come from the ids seen on mirrored records (Carrier.objects.ensure).
        return False

    def save_model(self, request, obj, form, change):
        if "name" in form.changed_data:
            obj.is_placeholder = False
        super().save_model(request, obj, form, change)


@admin.register(models.Group)
class GroupAdmin(MirrorAdmin):
    list_display = ("name", "dba_name", "id", "organization_id", "modified")
    search_fields = ("=id", "name", "dba_name")


@admin.register(models.GroupConnection)
class GroupConnectionAdmin(MirrorAdmin):
    list_display = ("id", "group_name", "carrier", "carrier_group_id", "status", "request_type", "status_changed_at", "modified")
    list_filter = ("status", "request_type", "carrier")
    list_select_related = ("carrier",)
    search_fields = ("=id", "=carrier_group_id", "=group__id", "group_name")


@admin.register(models.GroupDisconnectionRequest)
class GroupDisconnectionRequestAdmin(MirrorAdmin):
    list_display = ("id", "group_name", "carrier", "status", "effective_end_date", "modified")
    list_filter = ("status", "source_type")
    list_select_related = ("carrier",)
    search_fields = ("=id", "=group__id", "group_name")


@admin.register(models.CarrierConfiguration)
class CarrierConfigurationAdmin(MirrorAdmin):
    list_display = ("id", "group", "carrier", "carrier_group_id")
    list_select_related = ("group", "carrier")
    search_fields = ("=group__id", "=carrier_group_id")


@admin.register(models.Contact)
class ContactAdmin(MirrorAdmin):
    list_display = ("__str__", "email", "group", "primary_contact")
    list_select_related = ("group",)
    search_fields = ("=id", "=group__id", "email")


@admin.register(models.Location)
class LocationAdmin(MirrorAdmin):
    list_display = ("__str__", "city", "state", "group")
    list_select_related = ("group",)
    search_fields = ("=id", "=group__id")


@admin.register(models.LatestAudit)
class LatestAuditAdmin(MirrorAdmin):
    list_display = ("group", "completed_at")
    list_select_related = ("group",)
    search_fields = ("=group__id",)


@admin.register(models.GroupEnrollment)
class GroupEnrollmentAdmin(MirrorAdmin):
    list_display = ("id", "group", "carrier", "line_of_coverage", "status", "effective_start_date")
    list_filter = ("status", "line_of_coverage")
    list_select_related = ("group", "carrier")
    search_fields = ("=id", "=group__id")


@admin.register(models.Plan)
class PlanAdmin(MirrorAdmin):
    list_display = ("name", "id", "carrier", "line_of_coverage", "status")
    list_filter = ("status", "line_of_coverage")
    list_select_related = ("carrier",)
    search_fields = ("=id", "=group__id", "name")


@admin.register(models.RenewalDecision)
class RenewalDecisionAdmin(MirrorAdmin):
    list_display = ("id", "group", "renewal_date", "status")
    list_filter = ("status",)
    list_select_related = ("group",)
    search_fields = ("=id", "=group__id")
