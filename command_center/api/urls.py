"""Every API route: one router for the lists and records (its root, ``/api/``, lists them), then the writes."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from command_center.api import views as console_reads
from connections.api import views as connection_reads
from connections.api import writes as connection_writes
from members.api import views as member_reads

app_name = "api"


class Router(DefaultRouter):
    # One URL per resource: ``/api/connections.json`` beside ``/api/connections/`` doubles every
    # route to test and document for nothing ``?format=json`` and the Accept header don't already give.
    include_format_suffixes = False


router = Router()
router.register("connections", connection_reads.GroupConnectionViewSet, basename="connection")
router.register("groups", connection_reads.GroupViewSet, basename="group")
router.register("carriers", connection_reads.CarrierViewSet, basename="carrier")
router.register("disconnection-requests", connection_reads.DisconnectionRequestViewSet, basename="disconnection-request")
router.register("renewal-decisions", connection_reads.RenewalDecisionViewSet, basename="renewal-decision")
router.register("employees", member_reads.EmployeeViewSet, basename="employee")
router.register("enrollments", member_reads.EnrollmentViewSet, basename="enrollment")
router.register("snapshots", member_reads.SnapshotViewSet, basename="snapshot")
router.register("fulfillment-summaries", member_reads.FulfillmentSummaryViewSet, basename="fulfillment-summary")
router.register("tracking-differences", member_reads.TrackingDifferenceViewSet, basename="tracking-difference")
router.register("member-requests", member_reads.MemberRequestViewSet, basename="member-request")
router.register("transactions", member_reads.TransactionViewSet, basename="transaction")
router.register("attention-items", console_reads.AttentionItemViewSet, basename="attention-item")
router.register("sync-runs", console_reads.SyncRunViewSet, basename="sync-run")
router.register("audit-log", console_reads.AuditEntryViewSet, basename="audit-entry")

urlpatterns = [
    *router.urls,
    # Writes: the same functions as the console's buttons, once per Idempotency-Key.
    path("connections/<str:pk>/retry/", connection_writes.ConnectionRetry.as_view(), name="connection-retry"),
]
