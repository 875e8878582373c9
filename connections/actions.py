"""Writes sent to Noyo at most once: the claim-then-send discipline of ``connections.retry``, for any write.

Each kind of write (creating a group connection, confirming or rejecting a disconnection
request; later, a renewal decision) is an ``ActionKind``: what the write locks at Noyo, when
the mirror says it must not be sent, the one call, how Noyo's answer is mirrored, how Noyo's
refusals read, how it is audited. ``perform`` runs the same discipline around every kind:

1. Release actions on the same key whose worker died mid-call.
2. Claim the action: UPDATE ... SET state='in_flight' WHERE state='ready'. No row updated
   means another request (a double click, a browser resend) claimed it first: it is returned
   as it stands, nothing sent. The partial unique index refuses a second action in flight on
   the same key (a second tab, another person): that one ends "skipped".
3. Ask the kind whether the mirror, as it is now, still allows the write (a second tab finds
   the connection made, the disconnection decided); if not, "skipped", nothing sent.
4. Call Noyo once. On success mirror its answer at once; on failure keep Noyo's words in
   plain sentences, and where Noyo may have acted (5xx, a dropped connection) look at Noyo.
5. Record the outcome on the action and in the audit log.

``RetryAttempt`` keeps its own, older copy of this (``connections.retry``); it is not moved here.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from command_center.noyo import errors as noyo_errors
from command_center.noyo.service import noyo_client

from .models import NoyoAction

logger = logging.getLogger(__name__)

State = NoyoAction.State
Kind = NoyoAction.Kind

# An action in flight longer than this lost its worker mid-call (Noyo calls give up well
# within a minute): it is released so the write can be sent again.
STALE_AFTER = dt.timedelta(minutes=5)
# How long a form stays good for.
READY_KEPT_FOR = dt.timedelta(days=1)


class ActionKind:
    """What one kind of write needs; ``perform`` does the rest. Subclasses set ``kind`` and
    implement ``lock_key``, ``send`` and ``mirror``; the others have sensible defaults."""

    kind: str = ""
    success_status: int = 200  # what Noyo answers a success with (the client hands back only the body)
    done: str = "made the change"  # "Noyo may or may not have {done}"
    check_where: str = "the record at Noyo"  # "Check {check_where} before sending it again"

    def lock_key(self, action: NoyoAction) -> str:
        """What the write touches at Noyo: at most one action in flight per key."""
        raise NotImplementedError

    def refusal(self, action: NoyoAction) -> str:
        """Why the write must not be sent now, read from the mirror as it is; '' when it may."""
        return ""

    def send(self, noyo, action: NoyoAction):
        """The one call to Noyo; answers Noyo's answer (the record written)."""
        raise NotImplementedError

    def mirror(self, action: NoyoAction, answer, noyo) -> str:
        """Write Noyo's answer into the mirror, set ``action.result_id`` / ``new_status``; the outcome in words."""
        raise NotImplementedError

    def failure(self, action: NoyoAction, error: noyo_errors.NoyoError, noyo) -> str:
        """Noyo's refusal in plain words (a kind adds what it can find out, e.g. for a 409)."""
        return plain_failure(error, self.done, self.check_where)

    def record(self, user, action: NoyoAction):
        """The audit entry of a finished action."""
        raise NotImplementedError


KINDS: dict[str, ActionKind] = {}


def register(kind_class):
    """Class decorator: make an ActionKind known to ``perform`` by its ``kind``."""
    KINDS[kind_class.kind] = kind_class()
    return kind_class


def prepare(kind: str, user, *, target_id="", group_id="", carrier_id="", old_status="", token=None) -> NoyoAction:
    """A fresh action for a form to carry (its ``token`` goes in a hidden field), or for an API
    write (``token``: the one its Idempotency-Key stands for).

    Forms opened and never sent leave ready rows behind; those older than a day are dropped
    here (a form that old is refused as out of date, nothing typed is lost).
    """
    NoyoAction.objects.filter(state=State.READY, created__lt=timezone.now() - READY_KEPT_FOR).delete()
    return NoyoAction.objects.create(
        token=token or uuid.uuid4(),
        kind=kind,
        target_id=str(target_id or ""),
        group_id=str(group_id or ""),
        carrier_id=str(carrier_id or ""),
        old_status=old_status or "",
        requested_by=user if user is not None and user.is_authenticated else None,
    )


def find(token, kind: str, target_id=None) -> NoyoAction | None:
    """The action a form's token names, if it is of this kind (and about this record); None otherwise."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    found = NoyoAction.objects.filter(token=token, kind=kind)
    if target_id is not None:
        found = found.filter(target_id=str(target_id))
    return found.first()


def perform(action: NoyoAction, user, values: dict) -> NoyoAction:
    """Send ``action`` to Noyo unless it was sent already; return it finished (or in flight elsewhere).

    ``values`` are what the person typed or chose (cleaned by the form): kept on the action,
    so a failure comes back with nothing lost, and read by the kind to build the call.
    """
    spec = KINDS[action.kind]
    action.values = _storable(values)
    lock_key = spec.lock_key(action)[:300]
    release_stale(lock_key)
    if not _claim(action, user, lock_key):
        action.refresh_from_db()
        return action

    refusal = spec.refusal(action)
    if refusal:
        return _finish(action, user, State.SKIPPED, refusal)

    with noyo_client() as noyo:
        try:
            answer = spec.send(noyo, action)
        except noyo_errors.NoyoError as error:
            message = spec.failure(action, error, noyo)
            return _finish(
                action,
                user,
                State.FAILED,
                message,
                noyo_status_code=error.status_code,
                noyo_answer=error.body if error.body not in (None, "") else None,
                field_errors=getattr(error, "field_errors", {}) or {},
            )
        except Exception:  # a bug or an unreadable answer: the action must still end
            logger.exception("%s %s failed unexpectedly", action.kind, action.token)
            message = (
                f"Something unexpected went wrong while sending this to Noyo. It may or may not have {spec.done}: "
                f"check {spec.check_where} before sending it again."
            )
            return _finish(action, user, State.FAILED, message)
        message = spec.mirror(action, answer, noyo)
    return _finish(action, user, State.SUCCEEDED, message, noyo_status_code=spec.success_status, noyo_answer=answer)


def release_stale(lock_key: str) -> int:
    """Mark actions stuck in flight on this key (their worker died) as failed, so the write can be sent again."""
    cutoff = timezone.now() - STALE_AFTER
    return NoyoAction.objects.filter(lock_key=lock_key, state=State.IN_FLIGHT, started_at__lt=cutoff).update(
        state=State.FAILED,
        finished_at=timezone.now(),
        message="No answer was recorded for this. Noyo may or may not have received it: check at Noyo before sending it again.",
    )


def plain_failure(error: noyo_errors.NoyoError, done: str, check_where: str) -> str:
    """What a Noyo error means for a write, in words for ops staff."""
    if isinstance(error, noyo_errors.ServerError):
        return (
            f"Noyo had a server error ({error.status_code}), so it may or may not have {done}. "
            f"Check {check_where} before sending it again."
        )
    if isinstance(error, noyo_errors.NetworkError):
        if not error.may_have_reached_noyo:
            return "Could not reach Noyo, so nothing was sent and nothing changed. You can send it again."
        return (
            f"The connection to Noyo broke before it answered, so it may or may not have {done}. "
            f"Check {check_where} before sending it again."
        )
    if isinstance(error, noyo_errors.ValidationFailed):
        return "Noyo did not accept some of the values, so nothing changed. Its messages are beside the fields."
    return error.message


def may_have_acted(error: noyo_errors.NoyoError) -> bool:
    """Whether Noyo may have carried out a write that answered this error."""
    return isinstance(error, noyo_errors.ServerError) or (
        isinstance(error, noyo_errors.NetworkError) and error.may_have_reached_noyo
    )


def _claim(action: NoyoAction, user, lock_key: str) -> bool:
    """Take the action for this request; False when another request took it first."""
    changes = {"started_at": timezone.now(), "requested_by": user, "values": action.values, "lock_key": lock_key}
    try:
        with transaction.atomic():
            claimed = NoyoAction.objects.filter(pk=action.pk, state=State.READY).update(
                state=State.IN_FLIGHT, **changes
            )
    except IntegrityError:
        # The same write is in flight from another form: this one ends without calling Noyo.
        claimed = NoyoAction.objects.filter(pk=action.pk, state=State.READY).update(state=State.SKIPPED, **changes)
        if claimed:
            action.refresh_from_db()
            _finish(
                action,
                user,
                State.SKIPPED,
                "Not sent: the same request is being sent to Noyo right now, from another page.",
            )
        return False
    if claimed:
        action.refresh_from_db()
    return bool(claimed)


def _finish(action, user, state, message, *, noyo_status_code=None, noyo_answer=None, field_errors=None):
    action.state = state
    action.finished_at = timezone.now()
    action.message = message
    action.noyo_status_code = noyo_status_code
    action.noyo_answer = noyo_answer
    action.field_errors = field_errors or {}
    action.save(
        update_fields=[
            "state",
            "finished_at",
            "message",
            "noyo_status_code",
            "noyo_answer",
            "field_errors",
            "result_id",
            "new_status",
        ]
    )
    KINDS[action.kind].record(user, action)
    return action


def _storable(values: dict) -> dict:
    """Values a JSON column holds: dates as ISO text, ids as text, blanks dropped."""
    stored = {}
    for key, value in (values or {}).items():
        if value in (None, ""):
            continue
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(getattr(value, "pk", value))
        stored[key] = value
    return stored
