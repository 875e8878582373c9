"""Retrying a group connection at Noyo: at most one call per attempt, audited, mirrored at once.

The UI button, the bulk action and the API all call ``perform_retry``. An
attempt is a ``RetryAttempt`` row made when a form is offered (``prepare_attempt``)
or, for a bulk retry, when the ticked rows arrive (``prepare_bulk_attempt``,
keyed by the list page's batch token). Whatever sends a token twice (a double
click, a second tab, a browser resend) finds the row already claimed and gets
that attempt back instead of a second call to Noyo.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from command_center.audit import record_retry
from command_center.noyo import errors as noyo_errors
from command_center.noyo.service import noyo_client
from command_center.sync.records import label_for

from .models import GroupConnection, RetryAttempt

logger = logging.getLogger(__name__)

# An attempt in flight longer than this lost its worker mid-call (Noyo calls give
# up well within a minute): it is released so the connection can be retried.
STALE_AFTER = dt.timedelta(minutes=5)
# How long a retry form stays good for.
READY_KEPT_FOR = dt.timedelta(days=1)
# A bulk retry calls Noyo once per row inside the request: keep it bounded.
BULK_LIMIT = 50
# A bulk row whose id the mirror does not know.
NOT_MIRRORED = "No such connection in the mirror."

State = RetryAttempt.State


@dataclass(frozen=True)
class RetryValues:
    """What the operator asked to send (blank: leave Noyo's value as it is)."""

    carrier_group_id: str = ""
    broker_federal_ein: str = ""
    broker_tin: str = ""
    note: str = ""

    def noyo_fields(self) -> dict[str, str]:
        """The retry body: only the ids given (Noyo treats each as optional)."""
        fields = {
            "carrier_group_id": self.carrier_group_id.strip(),
            "broker_federal_ein": self.broker_federal_ein.strip(),
            "broker_tin": self.broker_tin.strip(),
        }
        return {key: value for key, value in fields.items() if value}


def prepare_attempt(connection: GroupConnection, user) -> RetryAttempt:
    """A fresh attempt for a retry form to carry (its ``token`` goes in a hidden field).

    Forms opened and never sent leave ready rows behind; those of this connection older
    than a day are dropped here (a form that old is refused as out of date, nothing lost).
    """
    RetryAttempt.objects.filter(
        connection=connection, state=State.READY, created__lt=timezone.now() - READY_KEPT_FOR
    ).delete()
    return RetryAttempt.objects.create(
        token=uuid.uuid4(),
        connection=connection,
        requested_by=user if user.is_authenticated else None,
        old_status=connection.status,
        old_carrier_group_id=connection.carrier_group_id,
    )


def bulk_token(batch: uuid.UUID, connection_id: str) -> uuid.UUID:
    """The attempt token of one ticked row: the same batch and row always give the same token."""
    return uuid.uuid5(batch, str(connection_id))


def prepare_bulk_attempt(connection: GroupConnection, user, batch: uuid.UUID) -> RetryAttempt:
    """The attempt of ``connection`` in bulk retry ``batch``, created on first sight."""
    token = bulk_token(batch, connection.pk)
    try:
        with transaction.atomic():
            return RetryAttempt.objects.create(
                token=token,
                connection=connection,
                requested_by=user,
                old_status=connection.status,
                old_carrier_group_id=connection.carrier_group_id,
            )
    except IntegrityError:  # the same batch sent again
        return RetryAttempt.objects.get(token=token)


def bulk_problem(ids) -> str:
    """Why a bulk retry of these ids cannot go ahead at all ('' when it can)."""
    if not ids:
        return "Tick the connections to retry first."
    if len(ids) > BULK_LIMIT:
        return f"Retry at most {BULK_LIMIT} connections at a time; {len(ids)} are ticked."
    return ""


def retry_in_batch(connection: GroupConnection, user, batch: uuid.UUID) -> RetryAttempt:
    """One row of bulk retry ``batch`` (the list page's, or an API call's): sent once with the
    connection's current ids if it can be retried, refused with the reason otherwise; the same
    batch sent again gets the same attempt back, nothing sent."""
    attempt = prepare_bulk_attempt(connection, user, batch)
    if attempt.state != State.READY:
        return attempt
    if connection.is_retryable:
        return perform_retry(attempt, user, RetryValues(note="Bulk retry from the connections list"))
    return refuse_attempt(attempt, user, f"Not sent: “{label_for(connection.status)}” connections cannot be retried.")


def perform_retry(attempt: RetryAttempt, user, values: RetryValues) -> RetryAttempt:
    """Send ``attempt`` to Noyo unless it was sent already; return it, finished (or still in flight elsewhere).

    1. Release attempts of this connection whose worker died mid-call.
    2. Claim the attempt: UPDATE ... WHERE state='ready'. No row updated means
       another request claimed it first: return it as it stands, nothing sent.
       The partial unique index refuses a second in-flight attempt for the
       connection (two forms, two tabs): that attempt ends "skipped".
    3. Check the connection (as mirrored now) is still retryable; else "skipped".
    4. Call Noyo once. On success mirror its answer (the updated connection),
       so the new status shows at once; on failure keep Noyo's words.
    5. Record the outcome on the attempt and in the audit log.
    """
    release_stale_attempts(attempt.connection_id)
    if not _claim(attempt, user, values):
        attempt.refresh_from_db()
        return attempt

    connection = GroupConnection.objects.select_related("carrier").get(pk=attempt.connection_id)
    if not connection.is_retryable:
        message = f"Not sent: the connection is now “{label_for(connection.status)}”, which cannot be retried."
        return _finish(attempt, user, State.SKIPPED, message, new_status=connection.status)

    with noyo_client() as noyo:
        try:
            answer = noyo.retry_group_connection(connection.pk, **values.noyo_fields())
        except noyo_errors.NoyoError as error:
            return _finish_failed(attempt, user, connection, error, noyo)
        except Exception:  # a bug or an unreadable answer: the attempt must still end
            logger.exception("Retry of group connection %s failed unexpectedly", connection.pk)
            message = (
                "Something unexpected went wrong while sending the retry. Noyo may have received it: "
                "check the connection's status before retrying again."
            )
            return _finish(attempt, user, State.FAILED, message)
        new_status = _mirror_answer(answer, connection, noyo)
    message = (
        f"Noyo accepted the retry. The connection is now “{label_for(new_status)}”."
        if new_status
        else "Noyo accepted the retry."
    )
    return _finish(
        attempt, user, State.SUCCEEDED, message, new_status=new_status, noyo_status_code=201, noyo_answer=answer
    )


def refuse_attempt(attempt: RetryAttempt, user, message: str) -> RetryAttempt:
    """End a ready attempt without calling Noyo (e.g. a bulk row that is not retryable)."""
    updated = RetryAttempt.objects.filter(pk=attempt.pk, state=State.READY).update(
        state=State.SKIPPED, requested_by=user, started_at=timezone.now()
    )
    if not updated:
        attempt.refresh_from_db()
        return attempt
    attempt.refresh_from_db()
    return _finish(attempt, user, State.SKIPPED, message, new_status=attempt.old_status)


def release_stale_attempts(connection_id: str) -> int:
    """Mark attempts stuck in flight (their worker died) as failed, so the connection can be retried."""
    cutoff = timezone.now() - STALE_AFTER
    return RetryAttempt.objects.filter(
        connection_id=connection_id, state=State.IN_FLIGHT, started_at__lt=cutoff
    ).update(
        state=State.FAILED,
        finished_at=timezone.now(),
        message="No answer was recorded for this attempt. Noyo may have received it: check the connection before retrying.",
    )


def _claim(attempt: RetryAttempt, user, values: RetryValues) -> bool:
    """Take the attempt for this request; False when another request took it first."""
    changes = {
        "started_at": timezone.now(),
        "requested_by": user,
        "carrier_group_id": values.carrier_group_id.strip(),
        "broker_federal_ein": values.broker_federal_ein.strip(),
        "broker_tin": values.broker_tin.strip(),
        "note": values.note.strip(),
    }
    try:
        with transaction.atomic():
            claimed = RetryAttempt.objects.filter(pk=attempt.pk, state=State.READY).update(
                state=State.IN_FLIGHT, **changes
            )
    except IntegrityError:
        # Another attempt of this connection is in flight: this one ends without calling Noyo.
        claimed = RetryAttempt.objects.filter(pk=attempt.pk, state=State.READY).update(state=State.SKIPPED, **changes)
        if claimed:
            attempt.refresh_from_db()
            _finish(attempt, user, State.SKIPPED, "Not sent: another retry of this connection is being sent right now.")
        return False
    if claimed:
        attempt.refresh_from_db()
    return bool(claimed)


def _finish_failed(attempt, user, connection, error: noyo_errors.NoyoError, noyo) -> RetryAttempt:
    message = error.message
    new_status = ""
    if isinstance(error, (noyo_errors.ServerError, noyo_errors.NetworkError)):
        # Noyo may have acted on it before failing: look before anyone retries again.
        new_status = _refetch_status(connection.pk, noyo)
        if new_status and new_status != connection.status:
            message += (
                f" Noyo now shows the connection as “{label_for(new_status)}”, so the retry may have gone through."
            )
    elif isinstance(error, (noyo_errors.Conflict, noyo_errors.BadRequest)):
        # Refused for the connection's state: our copy is probably behind, so bring it up to date.
        new_status = _refetch_status(connection.pk, noyo)
        if new_status and new_status != connection.status:
            message += f" Noyo shows the connection as “{label_for(new_status)}”."
    return _finish(
        attempt,
        user,
        State.FAILED,
        message,
        new_status=new_status,
        noyo_status_code=error.status_code,
        noyo_answer=error.body if error.body not in (None, "") else None,
        field_errors=getattr(error, "field_errors", {}) or {},
    )


def _finish(
    attempt, user, state, message, *, new_status="", noyo_status_code=None, noyo_answer=None, field_errors=None
):
    attempt.state = state
    attempt.finished_at = timezone.now()
    attempt.message = message
    attempt.new_status = new_status or ""
    attempt.noyo_status_code = noyo_status_code
    attempt.noyo_answer = noyo_answer
    attempt.field_errors = field_errors or {}
    attempt.save(
        update_fields=[
            "state",
            "finished_at",
            "message",
            "new_status",
            "noyo_status_code",
            "noyo_answer",
            "field_errors",
        ]
    )
    record_retry(user, attempt)
    return attempt


def _mirror_answer(answer, connection: GroupConnection, noyo) -> str:
    """Write Noyo's answer (the updated connection) into the mirror; the new status, or ''."""
    if not isinstance(answer, dict) or not answer.get("id"):
        return _refetch_status(connection.pk, noyo)
    try:
        from connections.sync import mirror_group_connection

        return mirror_group_connection(answer).status
    except Exception:
        logger.exception("Could not mirror Noyo's retry answer for group connection %s", connection.pk)
        return str(answer.get("status") or "")


def _refetch_status(connection_id: str, noyo) -> str:
    """Re-read one connection from Noyo into the mirror (best effort); its status, or ''."""
    try:
        from connections.sync import refetch_group_connection

        refreshed = refetch_group_connection(connection_id, client=noyo)
    except Exception:
        logger.warning("Could not re-fetch group connection %s after a retry", connection_id, exc_info=True)
        return ""
    return getattr(refreshed, "status", "") or ""
