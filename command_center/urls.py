from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from command_center.views import audit, health, syncs, webhooks
from connections import views as connection_views

urlpatterns = [
    path("", connection_views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
    # Sync runs
    path("syncs/", syncs.sync_list, name="sync_list"),
    path("syncs/start", syncs.sync_start, name="sync_start"),
    path("syncs/<int:pk>/", syncs.sync_detail, name="sync_detail"),
    path("syncs/<int:pk>/progress", syncs.sync_progress, name="sync_progress"),
    path("webhooks/noyo", webhooks.noyo_webhook, name="noyo_webhook"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("connections/", include("connections.urls")),
    path("members/", include("members.urls")),
    path("api/", include("connections.api.urls")),
    path("admin/", admin.site.urls),
]
