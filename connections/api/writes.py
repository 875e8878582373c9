"""The connections API's writes: each calls the same function as the console's button.

Retry needs connections.retry_groupconnection; an ``Idempotency-Key`` makes a resend answer
the first attempt instead of retrying at Noyo again."""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from command_center.api.permissions import KeyScope
from connections import retry as retries
from connections.forms import RetryForm
from connections.models import GroupConnection, RetryAttempt

from .serializers import GroupConnectionSerializer, RetryAttemptSerializer

RETRY_PERMISSION = "connections.retry_groupconnection"
# Header a client sets to make a write safe to send again (a UUID of its choosing).
IDEMPOTENCY_HEADER = "Idempotency-Key"


class CanRetry(permissions.BasePermission):
    message = "Only Operators can retry connections."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(RETRY_PERMISSION))


class ConnectionRetry(APIView):
    permission_classes = [permissions.IsAuthenticated, KeyScope, CanRetry]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk):
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
