from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from command_center.views import (
    api_keys,
    attention,
    audit,
    health,
    metrics,
    notes,
    saved_views,
    search,
    syncs,
    trends,
    webhooks,
)
from connections import views as connection_views

urlpatterns = [
    path("", connection_views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
    path("search/", search.search_everything, name="search"),
    path("trends/", trends.trends_page, name="trends"),
    # Saved views of a list: save the one on screen, open a shared one, make one the default, delete
    path("views/save", saved_views.view_save, name="view_save"),
    path("views/<int:pk>/", saved_views.view_open, name="view_open"),
    path("views/<int:pk>/default", saved_views.view_default, name="view_default"),
    path("views/<int:pk>/delete", saved_views.view_delete, name="view_delete"),
    path("metrics", metrics.metrics, name="metrics"),
    # Sync runs
    path("syncs/", syncs.sync_list, name="sync_list"),
    path("syncs/start", syncs.sync_start, name="sync_start"),
    path("syncs/<int:pk>/", syncs.sync_detail, name="sync_detail"),
    path("syncs/<int:pk>/progress", syncs.sync_progress, name="sync_progress"),
    path("webhooks/noyo", webhooks.noyo_webhook, name="noyo_webhook"),
    # Attention items: the queue, its export, one item, and what people do with it
    path("attention/", attention.attention_list, name="attention_list"),
    path("attention/export.csv", attention.attention_export, name="attention_export"),
    path("attention/<int:pk>/", attention.attention_detail, name="attention_detail"),
    path("attention/<int:pk>/acknowledge", attention.attention_acknowledge, name="attention_acknowledge"),
    path("attention/<int:pk>/assign", attention.attention_assign, name="attention_assign"),
    path("attention/<int:pk>/snooze", attention.attention_snooze, name="attention_snooze"),
    # Notes on a connection, a group, an employee or an attention item
    path("notes/<str:target>/<str:object_id>/", notes.note_add, name="note_add"),
    # A person's API keys: the list and the form, making one, revoking one
    path("account/api-keys/", api_keys.api_key_list, name="api_key_list"),
    path("account/api-keys/new", api_keys.api_key_create, name="api_key_create"),
    path("account/api-keys/<str:prefix>/revoke", api_keys.api_key_revoke, name="api_key_revoke"),
    path("alerts/", include("command_center.alerts.urls")),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("connections/", include("connections.urls")),
    path("members/", include("members.urls")),
    path("api/", include("command_center.api.urls")),
    path("admin/", admin.site.urls),
]
