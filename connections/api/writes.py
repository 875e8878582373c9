"""The connections API's writes: each calls the same function as the console's button.

Retry needs connections.retry_groupconnection; an ``Idempotency-Key`` makes a resend answer
the first attempt instead of retrying at Noyo again."""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from command_center.api.permissions import KeyScope
from connections import retry as retries
from connections.forms import RetryForm
from connections.models import GroupConnection, RetryAttempt

from .serializers import GroupConnectionSerializer, RetryAttemptSerializer

RETRY_PERMISSION = "connections.retry_groupconnection"
# What a retry answers, whatever its outcome (the status code says which): 200 sent, 202 still in
# flight, 409 not sent (the connection cannot be retried now), 409/422 refused by Noyo, 502 Noyo failed.
RETRY_OUTCOME = inline_serializer("RetryOutcome", {"attempt": RetryAttemptSerializer(), "connection": GroupConnectionSerializer()})
# Header a client sets to make a write safe to send again (a UUID of its choosing).
IDEMPOTENCY_HEADER = "Idempotency-Key"


class CanRetry(permissions.BasePermission):
    message = "Only Operators can retry connections."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(RETRY_PERMISSION))


class ConnectionRetry(APIView):
    permission_classes = [permissions.IsAuthenticated, KeyScope, CanRetry]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={code: RETRY_OUTCOME for code in (200, 202, 409, 422, 502)})
    def post(self, request, pk):
        """Retry at Noyo, once per Idempotency-Key: a resend with the same key answers the same attempt."""
        connection = get_object_or_404(GroupConnection.objects.select_related("carrier"), pk=pk)
        sent = request.data.dict() if hasattr(request.data, "dict") else request.data
        if not isinstance(sent, dict):  # JSON that is a list, a number, true...
            return Response({"detail": "The body must be a JSON object of the retry's fields."}, status=status.HTTP_400_BAD_REQUEST)
        attempt = _attempt(connection, request)
        if attempt is None:
            return Response({"detail": f"{IDEMPOTENCY_HEADER} must be a UUID."}, status=status.HTTP_400_BAD_REQUEST)
        if attempt.state == RetryAttempt.State.READY:
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
