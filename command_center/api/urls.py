"""Every API route: one router for the lists and records (its root, ``/api/``, lists them), then the writes."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from command_center.api import docs
from command_center.api import writes as console_writes
from connections.api import views as connection_reads
from connections.api import writes as connection_writes

app_name = "api"


class Router(DefaultRouter):
    # One URL per resource: ``/api/connections.json`` beside ``/api/connections/`` doubles every
    # route to test and document for nothing ``?format=json`` and the Accept header don't already give.
    include_format_suffixes = False


router = Router()
router.register("connections", connection_reads.GroupConnectionViewSet, basename="connection")

# Writes: the same forms and functions as the console's buttons, once per Idempotency-Key. POST only.
# The paths are the console's own (``connections/new/`` is the New connection form's), and they come
# before the router's: there ``connections/new/`` would read as the connection whose id is "new".
writes = [
    path("connections/new/", connection_writes.ConnectionCreate.as_view(), name="connection-create"),
    path("connections/retry/", connection_writes.ConnectionBulkRetry.as_view(), name="connection-bulk-retry"),
    path("connections/<str:pk>/retry/", connection_writes.ConnectionRetry.as_view(), name="connection-retry"),
    path("disconnections/<str:pk>/confirm/", connection_writes.DisconnectionConfirm.as_view(), name="disconnection-confirm"),
    path("disconnections/<str:pk>/reject/", connection_writes.DisconnectionReject.as_view(), name="disconnection-reject"),
    path("renewals/new/", connection_writes.RenewalCreate.as_view(), name="renewal-create"),
    path("syncs/start/", console_writes.SyncStart.as_view(), name="sync-start"),
    path("attention/<int:pk>/acknowledge/", console_writes.AttentionAcknowledge.as_view(), name="attention-acknowledge"),
    path("attention/<int:pk>/assign/", console_writes.AttentionAssign.as_view(), name="attention-assign"),
    path("attention/<int:pk>/snooze/", console_writes.AttentionSnooze.as_view(), name="attention-snooze"),
]

urlpatterns = [
    *writes,
    *router.urls,
    # The OpenAPI document (YAML, or JSON by Accept or ?format=json) and its two readers.
    path("schema/", docs.schema, name="schema"),
    path("docs/", docs.swagger_ui, name="docs"),
    path("redoc/", docs.redoc, name="redoc"),
]
