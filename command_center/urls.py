from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from command_center import views
from command_center.views import health
from connections import views as connection_views

urlpatterns = [
    path("", connection_views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
    path("syncs/", views.placeholder, {"title": "Syncs"}, name="sync_list"),
    path("audit/", views.placeholder, {"title": "Audit log"}, name="audit_list"),
    path("connections/", include("connections.urls")),
    path("members/", include("members.urls")),
    path("admin/", admin.site.urls),
]
