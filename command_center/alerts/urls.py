from django.urls import path

from . import report_views, views

app_name = "alerts"

urlpatterns = [
    # Your subscriptions
    path("", views.subscription_list, name="subscription_list"),
    path("subscriptions/<int:pk>/delete", views.subscription_delete, name="subscription_delete"),
    # Channels (set up in the admin) and what was sent
    path("channels/", views.channel_list, name="channel_list"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    # Scheduled reports: yours, scheduling one from a saved view, changing or deleting one
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/new/<int:view_pk>", report_views.report_create, name="report_create"),
    path("reports/<int:pk>/", report_views.report_edit, name="report_edit"),
    path("reports/<int:pk>/delete", report_views.report_delete, name="report_delete"),
]
