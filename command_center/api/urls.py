"""Every API route: one router for the lists and records (its root, ``/api/``, lists them), then the writes."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from command_center.api import docs
from command_center.api import views as console_reads
from command_center.api import writes as console_writes
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
router.register(
    "disconnection-requests", connection_reads.DisconnectionRequestViewSet, basename="disconnection-request"
)
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

# Writes: the same forms and functions as the console's buttons, once per Idempotency-Key. POST only.
# The paths are the console's own (``connections/new/`` is the New connection form's), and they come
# before the router's: there ``connections/new/`` would read as the connection whose id is "new". Each
# sits under its resource's list (``sync-runs/start/``, ``attention-items/<id>/snooze/``).
writes = [
    path("connections/new/", connection_writes.ConnectionCreate.as_view(), name="connection-create"),
    path("connections/retry/", connection_writes.ConnectionBulkRetry.as_view(), name="connection-bulk-retry"),
    path("connections/<str:pk>/retry/", connection_writes.ConnectionRetry.as_view(), name="connection-retry"),
    path(
        "disconnection-requests/<str:pk>/confirm/",
        connection_writes.DisconnectionConfirm.as_view(),
        name="disconnection-confirm",
    ),
    path(
        "disconnection-requests/<str:pk>/reject/",
        connection_writes.DisconnectionReject.as_view(),
        name="disconnection-reject",
    ),
    path("renewal-decisions/new/", connection_writes.RenewalCreate.as_view(), name="renewal-create"),
    path("sync-runs/start/", console_writes.SyncStart.as_view(), name="sync-start"),
    path(
        "attention-items/<int:pk>/acknowledge/",
        console_writes.AttentionAcknowledge.as_view(),
        name="attention-acknowledge",
    ),
    path("attention-items/<int:pk>/assign/", console_writes.AttentionAssign.as_view(), name="attention-assign"),
    path("attention-items/<int:pk>/snooze/", console_writes.AttentionSnooze.as_view(), name="attention-snooze"),
]

urlpatterns = [
    *writes,
    *router.urls,
    # The OpenAPI document (YAML, or JSON by Accept or ?format=json) and its two readers.
    path("schema/", docs.schema, name="schema"),
    path("docs/", docs.swagger_ui, name="docs"),
    path("redoc/", docs.redoc, name="redoc"),
]
