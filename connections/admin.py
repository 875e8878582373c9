from django.contrib import admin
from django.core.exceptions import ValidationError
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV

from command_center.sync.admin import MirrorAdmin
from command_center.sync.records import normalize_noyo_id

from . import models

# The columns of the carriers CSV staff export, edit and import in the admin: the reference data.
CARRIER_CSV_FIELDS = (
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
)
KINDS = (
    {value: value for value in models.Carrier.Kind.values}
    | {str(label).lower(): value for value, label in models.Carrier.Kind.choices}
    | {"": models.Carrier.Kind.UNKNOWN}
)


class CarrierResource(resources.ModelResource):
    """The carriers' reference data as a CSV (django-import-export), keyed by Noyo's carrier id.

    An import updates the carriers it names and creates those not seen yet, under three rules:
    every ``id`` must be a Noyo carrier id (a UUID; case and spaces do not matter); a blank
    name never wipes a carrier's name (a new carrier needs one); and a bad row (an id that is
    not a UUID, a kind other than Sync, Send or Unknown, a format that is not a regular
    expression or does not match its example, a value too long) is reported as that row's
    error, beside its column, and nothing is imported until it is fixed. A carrier given a
    real name is no longer a placeholder. Rows that change nothing are skipped.
    """

    class Meta:
        model = models.Carrier
        fields = CARRIER_CSV_FIELDS
        export_order = CARRIER_CSV_FIELDS
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # full_clean(): choices, lengths and Carrier.clean() per row
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        errors = {}
        noyo_id = normalize_noyo_id(str(row.get("id") or "").strip())
        if noyo_id is None:
            errors["id"] = (
                f"“{row.get('id') or ''}” is not a Noyo carrier id: use the carrier's UUID, as d5792730-663e-4e24-a4ff-ca68c35f748f."
            )
        else:
            row["id"] = noyo_id
        if "kind" in row:
            kind = KINDS.get(str(row["kind"] or "").strip().lower())
            if kind is None:
                errors["kind"] = f"“{row['kind']}” is not a kind: use Sync, Send or Unknown."
            else:
                row["kind"] = kind
        name = str(row.get("name") or "").strip()
        existing = models.Carrier.objects.filter(pk=noyo_id).first() if noyo_id else None
        if name:
            row["name"] = name
        elif existing is not None:
            row["name"] = existing.name  # a blank name never wipes one
        elif noyo_id:
            errors["name"] = "A carrier not known yet needs a name."
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.is_placeholder and instance.name != models.Carrier.placeholder_name(instance.pk):
            instance.is_placeholder = False


@admin.register(models.Carrier)
class CarrierAdmin(ImportExportModelAdmin):
    """The one model staff maintain: the carriers' reference data, by hand or as a CSV (Import / Export)."""

    resource_classes = [CarrierResource]
    formats = [CSV]
    import_error_display = ("message",)  # the sentence, never a traceback
    import_template_name = "admin/connections/carrier_import.html"
    list_display = (
        "name",
        "id",
        "kind",
        "carrier_group_id_label",
        "carrier_group_id_format",
        "file_cadence",
        "is_placeholder",
    )
    list_filter = ("kind", "is_placeholder")
    search_fields = ("name", "=id")
    readonly_fields = ("id", "first_seen")
    fields = (
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
        "is_placeholder",
        "first_seen",
    )

    def has_add_permission(self, request):
        # Carriers come from the ids seen on mirrored records (Carrier.objects.ensure), or an import.
        return False

    def has_import_permission(self, request):
        return self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

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
    list_display = (
        "id",
        "group_name",
        "carrier",
        "carrier_group_id",
        "status",
        "request_type",
        "status_changed_at",
        "modified",
    )
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
