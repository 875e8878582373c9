"""``Idempotency-Key``: an API write sent twice is carried out once, and the repeat gets the first answer.

The header and its answers follow the IETF draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header): a key is a string the client chooses (a UUID, say)
and sends again, unchanged, when it resends the same request. ``once(request, write)``:

1. Drops keys older than ``IDEMPOTENCY_KEYS_KEPT_HOURS`` (one indexed DELETE: no cleanup job
   is needed), then claims the key with an INSERT of an ``IdempotentRequest``, committed at
   once. The unique (user, key) constraint refuses a second INSERT, however close behind.
2. A key already claimed by this user answers from its row:
   - another request (method, path or values differ): 422, in plain words;
   - still being processed: 409 ("try again"), and the write is not run a second time;
   - answered: the first answer, same status and body, with ``Idempotent-Replayed: true``.
3. Runs the write with the row's ``token``, which keys the once-only write underneath
   (``RetryAttempt``, ``NoyoAction``): the second guard. A request whose process died leaves
   its row "being processed"; after ``TAKEN_OVER_AFTER`` a repeat takes it over and runs the
   write again with the same token, which finds what the first got to (sent or not) instead
   of sending anew.
4. Keeps the answer. A refusal made before anything was done (400: values to fix; 404) is not
   kept: the key is free again, to send with corrected values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from command_center.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Printable ASCII, no spaces at either end: what survives every proxy and log unchanged.
KEY_FORMAT = re.compile(r"[!-~](?:[ -~]*[!-~])?")
# A request "being processed" for longer than this lost its process: a repeat takes over. Safe
# even if it was only slow: the write underneath is keyed by the same token, so it is not sent twice.
TAKEN_OVER_AFTER = dt.timedelta(minutes=5)
# Answers made before anything was done: not kept, so the key can be sent again with other values.
NOT_KEPT = {status.HTTP_400_BAD_REQUEST, status.HTTP_404_NOT_FOUND}

State = IdempotentRequest.State


class StillInProgress(Exception):
    """Raised by a write that finds its once-only write still being sent (by the request it took over from)."""


def parameter(required: bool) -> OpenApiParameter:
    """The header, as the OpenAPI document describes it."""
    hours = settings.IDEMPOTENCY_KEYS_KEPT_HOURS
    if required:
        need = "Required: this write sends something to Noyo, and a resend must never send it twice."
    else:
        need = "Optional: a repeat of this write changes nothing anyway; with a key, a resend gets the first answer."
    return OpenApiParameter(
        HEADER,
        str,
        OpenApiParameter.HEADER,
        required=required,
        description=(
            f"A string of your choosing (a UUID is best), at most {MAX_KEY_LENGTH} printable ASCII characters. "
            f"Send the same key again to resend the same request: it is carried out once and the resend gets the first "
            f"answer (header {REPLAYED_HEADER}: true). The same key with another request answers 422; while the first is "
            f"still being processed, 409. Keys are remembered for {hours} hours. {need}"
        ),
    )


def once(request, write: Callable[[object], Response], *, required: bool) -> Response:
    """Answer ``write(token)`` once per Idempotency-Key of ``request.user`` (see the module's docstring).

    Without a key: a 400 when ``required``, else ``write(None)`` (nothing remembered).
    """
    key = request.headers.get(HEADER)
    if key is None:
        if required:
            return _refused(
                status.HTTP_400_BAD_REQUEST,
                f"Send an {HEADER} header (a UUID of your choosing) with this request: it sends something to Noyo, "
                "and the key is what makes a resend safe. Nothing was sent.",
            )
        return write(None)
    if not (len(key) <= MAX_KEY_LENGTH and KEY_FORMAT.fullmatch(key)):
        return _refused(
            status.HTTP_400_BAD_REQUEST,
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID is best). Nothing was done.",
        )

    record, answer = _claim(request.user, key, request.method, request.path, body_digest(request.data))
    if answer is not None:
        return answer
    try:
        response = write(record.token)
    except StillInProgress:
        return _in_progress()
    except Http404:
        record.delete()  # nothing was found to act on: the key is free again
        raise
    # Any other exception leaves the row "being processed": a repeat waits, then takes over with the same token.
    _keep(record, response)
    return response


def body_digest(data) -> str:
    """SHA-256 of the request's values with their keys sorted: the same values, however sent, give the same digest."""
    if isinstance(data, QueryDict):
        data = {key: data.getlist(key) for key in data}
    canonical = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def prune(now=None) -> int:
    """Forget keys older than the retention period; how many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEYS_KEPT_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created__lt=cutoff).delete()
    return deleted


def _claim(user, key, method, path, digest) -> tuple[IdempotentRequest, Response | None]:
    """The row this request goes on with (and no answer), or the answer a repeat gets."""
    prune()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(user=user, key=key, method=method, path=path, body_digest=digest)
        return record, None
    except IntegrityError:
        pass
    record = IdempotentRequest.objects.filter(user=user, key=key).first()
    if record is None:  # the first answered 400 or 404 and freed the key just now: this one is new
        return _claim(user, key, method, path, digest)
    if not record.same_request(method, path, digest):
        return record, _refused(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            f"This {HEADER} was already used for another request ({record.method} {record.path}"
            f"{', with other values' if (record.method, record.path) == (method, path) else ''}). "
            "Use a new key for a new request. Nothing was done.",
        )
    if record.state == State.DONE:
        return record, Response(record.response_body, status=record.status_code, headers={REPLAYED_HEADER: "true"})
    now = timezone.now()
    taken = IdempotentRequest.objects.filter(
        pk=record.pk, state=State.IN_PROGRESS, started_at__lt=now - TAKEN_OVER_AFTER
    ).update(started_at=now)
    if taken:
        return record, None
    return record, _in_progress()


def _keep(record: IdempotentRequest, response: Response) -> None:
    if response.status_code in NOT_KEPT:
        record.delete()
        return
    # Stored as it goes out (dates as text, ids as strings), so a replay is the same bytes' worth of JSON.
    body = json.loads(json.dumps(response.data, cls=JSONEncoder))
    IdempotentRequest.objects.filter(pk=record.pk).update(
        state=State.DONE, status_code=response.status_code, response_body=body, finished_at=timezone.now()
    )


def _in_progress() -> Response:
    return _refused(
        status.HTTP_409_CONFLICT,
        "The first request with this Idempotency-Key is still being processed. Try again in a moment: "
        "you will get its outcome. Nothing was sent a second time.",
    )


def _refused(code: int, detail: str) -> Response:
    return Response({"detail": detail}, status=code)
