from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    # Groups (before the connection paths: "groups" would read as a connection id)
    path("groups/", views.group_list, name="group_list"),
    path("groups/export.csv", views.group_export, name="group_export"),
    path("groups/<str:pk>/", views.group_detail, name="group_detail"),
    # Carriers
    path("carriers/", views.carrier_list, name="carrier_list"),
    path("carriers/export.csv", views.carrier_export, name="carrier_export"),
    path("carriers/<str:pk>/", views.carrier_detail, name="carrier_detail"),
    # Renewal decisions
    path("renewals/", views.renewal_list, name="renewal_list"),
    path("renewals/export.csv", views.renewal_export, name="renewal_export"),
    path("renewals/<str:pk>/", views.renewal_detail, name="renewal_detail"),
    # Group connections
    path("", views.connection_list, name="connection_list"),
    path("export.csv", views.connection_export, name="connection_export"),
    path("retry/", views.connection_bulk_retry, name="connection_bulk_retry"),
    path("<str:pk>/", views.connection_detail, name="connection_detail"),
    path("<str:pk>/retry/", views.connection_retry, name="connection_retry"),
    path("<str:pk>/retry/<uuid:token>/", views.retry_attempt, name="retry_attempt"),
]
