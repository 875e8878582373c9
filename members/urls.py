from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    # /members/employees/: the employees list, its export, one employee
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/export/", views.employee_export, name="employee_export"),
    path("employees/<str:pk>/", views.employee_detail, name="employee_detail"),
    path("enrollments/export/", views.enrollment_export, name="enrollment_export"),
    # /members/snapshots/: the list, the summary, exports of snapshots and their carrier fulfillments, one snapshot
    path("snapshots/", views.snapshot_list, name="snapshot_list"),
    path("snapshots/summary/", views.snapshot_summary, name="snapshot_summary"),
    path("snapshots/export/", views.snapshot_export, name="snapshot_export"),
    path("snapshots/fulfillments/export/", views.fulfillment_export, name="fulfillment_export"),
    path("snapshots/<str:pk>/", views.snapshot_detail, name="snapshot_detail"),
    # /members/requests/: legacy member requests, their exports (requests, transactions), one request
    path("requests/", views.memberrequest_list, name="memberrequest_list"),
    path("requests/export/", views.memberrequest_export, name="memberrequest_export"),
    path("requests/transactions/export/", views.transaction_export, name="transaction_export"),
    path("requests/<str:pk>/", views.memberrequest_detail, name="memberrequest_detail"),
]
