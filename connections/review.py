"""Confirming or rejecting a group disconnection request at Noyo, once (``connections.actions``).

``PUT /group_disconnection_requests/{id}/confirm`` (optional ``{effective_end_date}``) and
``PUT …/reject`` (no body) answer 200 with the request, ``processing`` or ``rejected``, its
``decided`` time set (ENDPOINTS.md §7). Only a request that ``needs_review`` (started by Noyo or
the carrier) waits for the platform's decision.
"""

from __future__ import annotations

import logging

from django.utils.formats import date_format

from command_center.audit import record_noyo_action
from command_center.models import AuditEntry
from command_center.noyo import errors as noyo_errors
from command_center.sync.records import label_for

from .actions import ActionKind, Kind, may_have_acted, plain_failure, register
from .models import GroupDisconnectionRequest

logger = logging.getLogger(__name__)


class _Decision(ActionKind):
    """What confirming and rejecting share; each names its verb and call."""

    verb = ""  # "confirm"
    past = ""  # "Confirmed"
    audit_action = ""
    check_where = "the request's status on its page in a few minutes"

    def lock_key(self, action):
        return f"disconnection:{action.target_id}"

    def refusal(self, action):
        request = _request(action)
        if request is None:
            return "Not sent: this disconnection request is not in the mirror."
        if not request.needs_review:
            action.new_status = request.status
            return (
                f"Not sent: this request is now “{label_for(request.status)}”. "
                "Only a request that needs review can be confirmed or rejected."
            )
        return ""

    def mirror(self, action, answer, noyo):
        request = _mirror_answer(action, answer, noyo)
        status = request.status if request else str(answer.get("status", "")) if isinstance(answer, dict) else ""
        action.result_id, action.new_status = action.target_id, status
        return self.accepted(request, status)

    def accepted(self, request, status) -> str:
        raise NotImplementedError

    def failure(self, action, error, noyo):
        if isinstance(error, (noyo_errors.Conflict, noyo_errors.BadRequest)):
            # Refused for the request's state: our copy is probably behind, so bring it up to date.
            now = _refetch(action, noyo)
            if now is not None and now.status != action.old_status:
                action.new_status = now.status
                return f"Noyo refused: the request is “{label_for(now.status)}” at Noyo, so it can no longer be {self.verb}ed. Our copy is up to date now."
            return error.message
        message = plain_failure(error, self.done, self.check_where)
        if may_have_acted(error):
            now = _refetch(action, noyo)
            if now is not None and not now.needs_review:
                action.new_status = now.status
                message += f" Noyo shows the request as “{label_for(now.status)}” now, so it went through: do not send it again."
            elif now is not None:
                message += " Noyo still shows it waiting for review, so you can send it again."
        return message

    def record(self, user, action):
        request = _request(action)
        name = (request.group_name if request else "") or action.group_id or action.target_id
        carrier = request.carrier.name if request is not None and request.carrier is not None else "its carrier"
        verb = {"succeeded": self.past, "skipped": f"Did not {self.verb}"}.get(action.state, f"Could not {self.verb}")
        return record_noyo_action(
            user,
            action,
            audit_action=self.audit_action,
            object_type="groupdisconnectionrequest",
            object_id=action.target_id,
            summary=f"{verb} disconnection of {name} from {carrier}",
        )


@register
class ConfirmDisconnection(_Decision):
    kind = Kind.CONFIRM_DISCONNECTION
    verb, past, audit_action = "confirm", "Confirmed", AuditEntry.Action.CONFIRM
    done = "recorded the confirmation"

    def send(self, noyo, action):
        return noyo.confirm_group_disconnection_request(
            action.target_id, effective_end_date=action.values.get("effective_end_date")
        )

    def accepted(self, request, status):
        ends = ""
        if request is not None and request.effective_end_date:
            ends = f" Noyo stops managing the group with this carrier after {date_format(request.effective_end_date, 'M j, Y')}."
        return f"Noyo recorded the confirmation: the disconnection is “{label_for(status)}”.{ends}"


@register
class RejectDisconnection(_Decision):
    kind = Kind.REJECT_DISCONNECTION
    verb, past, audit_action = "reject", "Rejected", AuditEntry.Action.REJECT
    done = "recorded the rejection"

    def send(self, noyo, action):
        return noyo.reject_group_disconnection_request(action.target_id)

    def accepted(self, request, status):
        return f"Noyo recorded the rejection: the request is “{label_for(status)}” and the group stays connected."


def _request(action) -> GroupDisconnectionRequest | None:
    return GroupDisconnectionRequest.objects.select_related("carrier").filter(pk=action.target_id).first()


def _mirror_answer(action, answer, noyo) -> GroupDisconnectionRequest | None:
    """Noyo's answer, laid over the mirrored payload: the documented answer leaves out fields
    (effective_end_date, source_id) that must not read as blanked."""
    from connections.sync import mirror_disconnection_request

    if not isinstance(answer, dict) or not answer.get("id"):
        return _refetch(action, noyo)
    current = _request(action)
    try:
        return mirror_disconnection_request({**((current.raw if current else None) or {}), **answer})
    except Exception:
        logger.exception("Could not mirror Noyo's answer for disconnection request %s", action.target_id)
        return None


def _refetch(action, noyo) -> GroupDisconnectionRequest | None:
    """Re-read the request from Noyo into the mirror (best effort)."""
    from connections.sync import mirror_disconnection_request

    try:
        return mirror_disconnection_request(noyo.get_group_disconnection_request(action.target_id))
    except Exception:
        logger.warning("Could not re-fetch disconnection request %s", action.target_id, exc_info=True)
        return None
