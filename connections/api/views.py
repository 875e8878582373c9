"""The connections API: the same FilterSet as the list page, and a retry action calling the same
function as the retry button. Read-only for Viewers; retry needs connections.retry_groupconnection."""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from connections import retry as retries
from connections.filters import ConnectionFilter, connections_for_list
from connections.forms import RetryForm
from connections.models import GroupConnection, RetryAttempt

from .serializers import GroupConnectionSerializer, RetryAttemptSerializer

RETRY_PERMISSION = "connections.retry_groupconnection"
# Header a client sets to make a retry safe to send again (a UUID of its choosing).
IDEMPOTENCY_HEADER = "Idempotency-Key"


class CanRetry(permissions.BasePermission):
    message = "Only Operators can retry connections."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(RETRY_PERMISSION))


class NewestFirst(CursorPagination):
    """Keyset pages: no COUNT(*) and no deep OFFSET, whatever the size of the mirror."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-modified", "-id")


class GroupConnectionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GroupConnectionSerializer
    filterset_class = ConnectionFilter
    pagination_class = NewestFirst
    queryset = connections_for_list()

    def get_permissions(self):
        if self.action == "retry":
            return [permissions.IsAuthenticated(), CanRetry()]
        return super().get_permissions()

    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Retry at Noyo, once per Idempotency-Key: a resend with the same key answers the same attempt."""
        connection = get_object_or_404(GroupConnection.objects.select_related("carrier"), pk=pk)
        attempt = _attempt(connection, request)
        if attempt is None:
            return Response({"detail": f"{IDEMPOTENCY_HEADER} must be a UUID."}, status=status.HTTP_400_BAD_REQUEST)
        if attempt.state == RetryAttempt.State.READY:
            sent = request.data.dict() if hasattr(request.data, "dict") else dict(request.data)
            data = {"carrier_group_id": connection.carrier_group_id, **sent, "token": str(attempt.token)}
            form = RetryForm(data, connection=connection)
            if not form.is_valid():
                return Response({"errors": form.errors}, status=status.HTTP_400_BAD_REQUEST)
            attempt = retries.perform_retry(attempt, request.user, form.values())
        connection.refresh_from_db()
        body = {"attempt": RetryAttemptSerializer(attempt).data, "connection": GroupConnectionSerializer(connection).data}
        return Response(body, status=_status_for(attempt))


def _attempt(connection, request):
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if not key:
        return retries.prepare_attempt(connection, request.user)
    try:
        return retries.prepare_bulk_attempt(connection, request.user, uuid.UUID(key))
    except ValueError:
        return None


def _status_for(attempt) -> int:
    if attempt.state == RetryAttempt.State.SUCCEEDED:
        return status.HTTP_200_OK
    if attempt.state == RetryAttempt.State.IN_FLIGHT:
        return status.HTTP_202_ACCEPTED
    if attempt.state == RetryAttempt.State.SKIPPED:
        return status.HTTP_409_CONFLICT
    if attempt.noyo_status_code in (409, 422):
        return attempt.noyo_status_code
    return status.HTTP_502_BAD_GATEWAY
