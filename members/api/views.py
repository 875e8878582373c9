"""The members API's reads: each list with its page's FilterSet, base queryset and sorts.

The snapshots page lists carrier fulfillments when a carrier or fulfillment status is asked for;
here they are two lists, ``snapshots`` and ``fulfillment-summaries``, each with the FilterSet its
CSV export has. Enrollments have no list page of their own: their list is the enrollments
export's (the employees list's parameters, or one ``employee``).
"""

from __future__ import annotations

from django.db.models import Prefetch

from command_center.api.lists import ListViewSet
from connections.models import Group
from members import views as pages
from members.filters import (
    ENROLLMENT_SORTS,
    TRANSACTION_ERROR,
    DifferenceFilter,
    EmployeeFilter,
    EnrollmentFilter,
    FulfillmentFilter,
    MemberRequestFilter,
    SnapshotFilter,
    TransactionFilter,
    differences_for_list,
    employee_sorts,
    employees_for_list,
    enrollments_for_list,
    fulfillments_for_list,
    member_requests_for_list,
    snapshots_for_list,
    transactions_for_list,
    with_search_sort,
)
from members.forms import AsOfForm
from members.models import (
    Employee,
    FulfillmentSummary,
    IndividualEnrollment,
    MemberRequest,
    MemberSnapshot,
    MemberTransaction,
    TrackingDifference,
)

from . import serializers


class EmployeeViewSet(ListViewSet):
    """Employees, as the employees list shows them (by last name)."""

    serializer_class = serializers.EmployeeSerializer
    detail_serializer_class = serializers.EmployeeDetailSerializer
    filterset_class = EmployeeFilter
    sorts, default_sort = employee_sorts({}), "name"

    def sorts_for(self, params):
        return employee_sorts(params)

    def list_queryset(self):
        # The page's rows with every column the CSV has too (the page loads only those it shows);
        # never the SSN, which no list shows, nor the raw payload.
        return with_search_sort(employees_for_list()).defer(None).defer("ssn", "raw")

    def detail_queryset(self):
        return Employee.objects.select_related("group")


class EnrollmentViewSet(ListViewSet):
    """Enrollments of the employees the employees list's parameters find, or of one ``employee``."""

    serializer_class = serializers.EnrollmentSerializer
    filterset_class = EnrollmentFilter
    sorts, default_sort = ENROLLMENT_SORTS, "line"

    def list_queryset(self):
        return enrollments_for_list()

    def detail_queryset(self):
        return IndividualEnrollment.objects.select_related("employee", "carrier", "plan")

    def get_serializer_context(self):
        # ``as_of`` recomputes each status for that day, as the employee page and the export do.
        return {**super().get_serializer_context(), "as_of": AsOfForm(self.request.query_params).day()}


class SnapshotViewSet(ListViewSet):
    """Member snapshots, newest first, each with its carrier fulfillments."""

    serializer_class = serializers.SnapshotSerializer
    detail_serializer_class = serializers.SnapshotDetailSerializer
    filterset_class = SnapshotFilter
    sorts, default_sort = pages.SNAPSHOT_SORTS, "-created"

    def list_queryset(self):
        return snapshots_for_list()

    def detail_queryset(self):
        return MemberSnapshot.objects.select_related("employee", "group")

    def decorate(self, rows):
        pages.attach_fulfillments(rows)


class FulfillmentSummaryViewSet(ListViewSet):
    """Carrier fulfillments of snapshots: the snapshots page's rows when it is given a carrier or a fulfillment status."""

    serializer_class = serializers.FulfillmentSummarySerializer
    filterset_class = FulfillmentFilter
    sorts, default_sort = pages.SNAPSHOT_SORTS, "-created"

    def list_queryset(self):
        return fulfillments_for_list()

    def detail_queryset(self):
        return FulfillmentSummary.objects.select_related("snapshot", "carrier", "employee", "group")


class TrackingDifferenceViewSet(ListViewSet):
    """The tracking differences queue: unresolved first, oldest first (or a column's sort)."""

    serializer_class = serializers.TrackingDifferenceSerializer
    detail_serializer_class = serializers.TrackingDifferenceDetailSerializer
    filterset_class = DifferenceFilter
    sorts, default_sort = pages.DIFFERENCE_SORTS, "queue"

    def list_queryset(self):
        return differences_for_list()

    def detail_queryset(self):
        return TrackingDifference.objects.prefetch_related(
            Prefetch("employee", Employee.objects.only("id", "first_name", "last_name")),
            Prefetch("group", Group.objects.only("id", "name")),
            "carrier",
        )

    def sort_queryset(self, queryset, sort):
        return pages.queue_ordered(queryset, sort, self.sorts)

    def decorate(self, rows):
        pages.describe_differences(rows)


class MemberRequestViewSet(ListViewSet):
    """Legacy member requests, newest first."""

    serializer_class = serializers.MemberRequestSerializer
    detail_serializer_class = serializers.MemberRequestDetailSerializer
    filterset_class = MemberRequestFilter
    sorts, default_sort = pages.MEMBERREQUEST_SORTS, "-created"

    def list_queryset(self):
        return member_requests_for_list()

    def detail_queryset(self):
        return MemberRequest.objects.select_related("employee", "group")


class TransactionViewSet(ListViewSet):
    """Member transactions (of requests and snapshots), newest first."""

    serializer_class = serializers.TransactionSerializer
    detail_serializer_class = serializers.TransactionDetailSerializer
    filterset_class = TransactionFilter
    sorts, default_sort = pages.TRANSACTION_SORTS, "-created"

    def list_queryset(self):
        return transactions_for_list()

    def detail_queryset(self):
        return MemberTransaction.objects.select_related("carrier", "member_request", "employee").annotate(
            first_error=TRANSACTION_ERROR
        )
