from django.urls import path

from .views import GroupConnectionViewSet

app_name = "connections_api"

urlpatterns = [
    # /api/connections/
    path("connections/", GroupConnectionViewSet.as_view({"get": "list"}), name="connection_list"),
    path("connections/<str:pk>/", GroupConnectionViewSet.as_view({"get": "retrieve"}), name="connection_detail"),
    path("connections/<str:pk>/retry/", GroupConnectionViewSet.as_view({"post": "retry"}), name="connection_retry"),
]
