"""POST /webhooks/noyo: Noyo's signed events, each queuing a re-fetch of the record it names."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from command_center import webhooks
from command_center.noyo import contract


@csrf_exempt
@login_not_required
@require_POST
def noyo_webhook(request):
    """Verify the signature and timestamp, then queue ``tasks.refetch_object``.

    400 for a body that names nothing, 401 for a bad signature or a stale timestamp, 409 for a
    delivery already received (a replay), 503 while no NOYO_WEBHOOK_SECRET is configured (Noyo will
    deliver again later).
    """
    secret = settings.NOYO_WEBHOOK_SECRET
    if not secret:
        return JsonResponse(
            {"detail": "Webhooks are not configured here (NOYO_WEBHOOK_SECRET is not set)."}, status=503
        )
    try:
        webhooks.verify(
            secret,
            request.body,
            request.headers.get(contract.WEBHOOK_SIGNATURE_HEADER, ""),
            request.headers.get(contract.WEBHOOK_TIMESTAMP_HEADER, ""),
        )
        try:
            event = json.loads(request.body)
        except ValueError:
            raise webhooks.Refused(400, "The body is not JSON.") from None
        kind, object_id = webhooks.target(event)
        webhooks.remember(request.body, _event_type(event), object_id)
    except webhooks.Refused as refused:
        return JsonResponse({"detail": refused.reason}, status=refused.status)
    from command_center.sync.tasks import refetch_object

    transaction.on_commit(lambda: refetch_object.delay(kind, object_id))
    return JsonResponse({"queued": kind, "id": object_id})


def _event_type(event: dict) -> str:
    meta = event.get("event")
    value = meta.get("type") if isinstance(meta, dict) else event.get("type")
    return value if isinstance(value, str) else ""
