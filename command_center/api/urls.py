"""Every API route: one router for the lists and records (its root, ``/api/``, lists them), then the writes."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from command_center.api import docs
from connections.api import views as connection_reads
from connections.api import writes as connection_writes

app_name = "api"


class Router(DefaultRouter):
    # One URL per resource: ``/api/connections.json`` beside ``/api/connections/`` doubles every
    # route to test and document for nothing ``?format=json`` and the Accept header don't already give.
    include_format_suffixes = False


router = Router()
router.register("connections", connection_reads.GroupConnectionViewSet, basename="connection")

urlpatterns = [
    *router.urls,
    # The OpenAPI document (YAML, or JSON by Accept or ?format=json) and its two readers.
    path("schema/", docs.schema, name="schema"),
    path("docs/", docs.swagger_ui, name="docs"),
    path("redoc/", docs.redoc, name="redoc"),
    # Writes: the same functions as the console's buttons, once per Idempotency-Key.
    path("connections/<str:pk>/retry/", connection_writes.ConnectionRetry.as_view(), name="connection-retry"),
]
