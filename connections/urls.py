from django.urls import path

from . import connect_views, disconnection_views, renewal_views, views

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
    # "new" before the renewal paths: it would read as a renewal decision id
    path("renewals/new/", renewal_views.renewal_create, name="renewal_create"),
    path("renewals/<str:pk>/", views.renewal_detail, name="renewal_detail"),
    # Group connections
    # /connections/disconnections/: disconnection requests across groups, their export, one request, its review
    path("disconnections/", disconnection_views.disconnection_list, name="disconnection_list"),
    path("disconnections/export.csv", disconnection_views.disconnection_export, name="disconnection_export"),
    path("disconnections/<str:pk>/", disconnection_views.disconnection_detail, name="disconnection_detail"),
    path("disconnections/<str:pk>/confirm/", disconnection_views.disconnection_confirm, name="disconnection_confirm"),
    path("disconnections/<str:pk>/reject/", disconnection_views.disconnection_reject, name="disconnection_reject"),
    # /connections/actions/<token>/: the outcome of one write sent to Noyo (polled while in flight)
    path("actions/<uuid:token>/", connect_views.action_outcome, name="action_outcome"),
    # Group connections ("new" before the connection paths: it would read as a connection id)
    path("new/", connect_views.connection_create, name="connection_create"),
    path("", views.connection_list, name="connection_list"),
    path("export.csv", views.connection_export, name="connection_export"),
    path("retry/", views.connection_bulk_retry, name="connection_bulk_retry"),
    path("<str:pk>/", views.connection_detail, name="connection_detail"),
    path("<str:pk>/retry/", views.connection_retry, name="connection_retry"),
    path("<str:pk>/retry/<uuid:token>/", views.retry_attempt, name="retry_attempt"),
]
