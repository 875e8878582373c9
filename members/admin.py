from django.contrib import admin

from command_center.sync.admin import MirrorAdmin

from . import models


@admin.register(models.Employee)
class EmployeeAdmin(MirrorAdmin):
    list_display = ("__str__", "id", "group", "employment_status", "hire_date", "lines_of_coverage")
    list_filter = ("employment_status",)
    list_select_related = ("group",)
    search_fields = ("=id", "=group__id", "last_name", "first_name")
    # The SSN stays out of the admin too; only the mask is shown.
    exclude = ("ssn", "raw")
    readonly_fields = ("ssn_masked", "raw_masked")


@admin.register(models.Dependent)
class DependentAdmin(MirrorAdmin):
    list_display = ("__str__", "id", "employee", "relationship")
    list_select_related = ("employee",)
    search_fields = ("=id", "=employee__id")
    exclude = ("ssn", "raw")
    readonly_fields = ("ssn_masked", "raw_masked")


@admin.register(models.IndividualEnrollment)
class IndividualEnrollmentAdmin(MirrorAdmin):
    list_display = ("id", "employee", "line_of_coverage", "status", "effective_start_date", "effective_end_date")
    list_filter = ("status", "line_of_coverage")
    list_select_related = ("employee",)
    search_fields = ("=id", "=employee__id", "=individual_id")


@admin.register(models.Premium)
class PremiumAdmin(MirrorAdmin):
    list_display = ("id", "employee", "carrier", "amount", "premium_type", "effective_start_date")
    list_select_related = ("employee", "carrier")
    search_fields = ("=employee__id",)


@admin.register(models.MemberSnapshot)
class MemberSnapshotAdmin(MirrorAdmin):
    list_display = ("id", "employee", "status", "created")
    list_filter = ("status",)
    list_select_related = ("employee",)
    search_fields = ("=id", "=employee__id", "=group__id")


@admin.register(models.FulfillmentSummary)
class FulfillmentSummaryAdmin(MirrorAdmin):
    list_display = ("snapshot_id", "carrier", "status", "status_changed_at")
    list_filter = ("status", "carrier")
    list_select_related = ("carrier",)
    search_fields = ("=snapshot__id",)


@admin.register(models.TrackingDifference)
class TrackingDifferenceAdmin(MirrorAdmin):
    list_display = ("id", "classification", "difference_type", "impact_score", "is_dismissed", "resolved")
    list_filter = ("classification", "is_dismissed")
    search_fields = ("=id", "=snapshot__id", "=employee__id")


@admin.register(models.MemberRequest)
class MemberRequestAdmin(MirrorAdmin):
    list_display = ("id", "employee_id", "request_type", "status", "created")
    list_filter = ("status", "request_type")
    search_fields = ("=id", "=employee__id", "=group__id")


@admin.register(models.MemberTransaction)
class MemberTransactionAdmin(MirrorAdmin):
    list_display = ("id", "member_request_id", "carrier", "transaction_type", "status", "verified")
    list_filter = ("status", "transaction_type")
    list_select_related = ("carrier",)
    search_fields = ("=id", "=member_request__id", "=employee__id")
