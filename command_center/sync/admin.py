"""Admin base for mirrored models: read-only (Noyo is the source of truth) and cheap at 1M rows."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a changelist over a million rows never runs a full COUNT(*).

    Past the cap the admin shows "10000 results" and the last pages are not offered;
    filters and search narrow the list instead.
    """

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.CAP].count()


class ViewOnlyAdmin(admin.ModelAdmin):
    """An admin that shows rows and never adds, changes or deletes them: for records something else writes
    (a sync, the alert tasks, a person's own page that checks and audits what they do)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MirrorAdmin(ViewOnlyAdmin):
    """View-only admin for a mirrored Noyo record."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    # SSNs sit in the raw payloads of employees, dependents, snapshots and requests.
    exclude = ("raw",)
    readonly_fields = ("raw_masked",)
