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
    path(
        "requests/transactions/export/", views.memberrequest_transaction_export, name="memberrequest_transaction_export"
    ),
    path("requests/<str:pk>/", views.memberrequest_detail, name="memberrequest_detail"),
    # /members/transactions/: member transactions (of requests and snapshots), their export, one transaction
    path("transactions/", views.transaction_list, name="transaction_list"),
    path("transactions/export/", views.transaction_export, name="transaction_export"),
    path("transactions/<str:pk>/", views.transaction_detail, name="transaction_detail"),
    # /members/differences/: tracking differences across groups and employees (the queue), its export
    path("differences/", views.difference_list, name="difference_list"),
    path("differences/export/", views.difference_export, name="difference_export"),
]
