from django.urls import path

from command_center.views import placeholder

app_name = "connections"

urlpatterns = [
    path("", placeholder, {"title": "Group connections"}, name="connection_list"),
    path("groups/", placeholder, {"title": "Groups"}, name="group_list"),
    path("carriers/", placeholder, {"title": "Carriers"}, name="carrier_list"),
]
