from django.urls import path

from command_center.views import placeholder

app_name = "members"

urlpatterns = [
    path("employees/", placeholder, {"title": "Employees"}, name="employee_list"),
    path("requests/", placeholder, {"title": "Member requests"}, name="memberrequest_list"),
    path("snapshots/", placeholder, {"title": "Member snapshots"}, name="snapshot_list"),
]
