from django.contrib import admin
from rest_framework_api_key.models import APIKey

from command_center.alerts import admin as alerts_admin  # noqa: F401 (the alerts' admin pages)
from command_center.models import ApiKey
from command_center.sync.admin import ViewOnlyAdmin

# rest_framework_api_key's own model is not used (ours, ApiKey, builds on its abstract one): hide it.
admin.site.unregister(APIKey)


@admin.register(ApiKey)
class ApiKeyAdmin(ViewOnlyAdmin):
    """For looking only: people make and revoke their keys on their API keys page, which caps the
    scope at their role and audits both. Switching a user off stops all their keys."""

    list_display = ("name", "user", "scope", "prefix", "created", "last_used_at", "revoked")
    list_filter = ("scope", "revoked")
    search_fields = ("name", "prefix", "user__username")
