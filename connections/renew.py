"""Sending a new renewal decision to Noyo, once, from the console's form (``connections.actions``).

``POST /groups/{group_id}/renewal_decisions`` with ``{renewal_date, body: {carriers: [...]}}``
(seed 003, ENDPOINTS.md §16); Noyo answers the decision ``submitted`` and compares it with the
carrier's system next, resolving it to ``ready`` or ``not_ready``. A decision is changed at Noyo by
editing it, so a second one for the same group, date and carrier is not sent (and Noyo refuses one
with 409: ``contract.UNCONFIRMED_CHOICES["renewal_create_conflict"]``).
"""

from __future__ import annotations

import logging

from django.utils.formats import date_format

from command_center.audit import record_noyo_action
from command_center.models import AuditEntry
from command_center.noyo import errors as noyo_errors
from command_center.sync.records import label_for, parse_date

from .actions import ActionKind, Kind, may_have_acted, plain_failure, register
from .models import RenewalDecision

logger = logging.getLogger(__name__)


@register
class CreateRenewalDecision(ActionKind):
    kind = Kind.CREATE_RENEWAL
    success_status = 201
    done = "recorded the renewal decision"
    check_where = "the group's renewal decisions after the next sync"

    def lock_key(self, action):
        values = action.values
        return f"renewal:{values.get('group_id', '')}:{values.get('renewal_date', '')}:{values.get('carrier_id', '')}"

    def refusal(self, action):
        existing = _in_mirror(action)
        if existing is None:
            return ""
        action.result_id, action.new_status = existing.pk, existing.status
        return (
            f"Not sent: {_group_name(action)} already has a renewal decision for {_date(action)} with {_carrier_name(action)} "
            f"(now “{label_for(existing.status)}”). Noyo changes a decision by editing it; this console does not edit decisions yet."
        )

    def send(self, noyo, action):
        values = action.values
        return noyo.create_renewal_decision(values["group_id"], values["renewal_date"], values.get("body") or {})

    def mirror(self, action, answer, noyo):
        renewal = _mirror(answer)
        if renewal is None:
            return "Noyo accepted the renewal decision, but its answer could not be read: it shows after the next sync."
        action.result_id, action.new_status = renewal.pk, renewal.status
        return (
            f"Noyo accepted the renewal decision: it is “{label_for(renewal.status)}”. Noyo now checks it against "
            f"{_carrier_name(action)}; a sync after that shows whether it is ready."
        )

    def failure(self, action, error, noyo):
        if isinstance(error, noyo_errors.Conflict):
            existing = _in_mirror(action) or _at_noyo(action, noyo)
            if existing is None:
                return f"Noyo says this group already has a renewal decision for this date and carrier, so it made no new one ({error.message})."
            action.result_id, action.new_status = existing.pk, existing.status
            return (
                f"Noyo already has a renewal decision for {_group_name(action)} on {_date(action)} with {_carrier_name(action)}, "
                f"so it made no new one. That decision is “{label_for(existing.status)}”; Noyo changes it by editing it."
            )
        message = plain_failure(error, self.done, self.check_where)
        if may_have_acted(error):
            found = _at_noyo(action, noyo)
            if found is not None:
                action.result_id, action.new_status = found.pk, found.status
                message += f" Noyo does show a decision for this date and carrier now (“{label_for(found.status)}”), so it went through: do not send it again."
            else:
                message += " Right now Noyo shows no renewal decision of this group for this date and carrier."
        return message

    def record(self, user, action):
        verb = {"succeeded": "Created", "skipped": "Did not create"}.get(action.state, "Could not create")
        return record_noyo_action(
            user,
            action,
            audit_action=AuditEntry.Action.RENEW,
            object_type="renewaldecision",
            object_id=action.result_id,
            summary=f"{verb} renewal decision of {_group_name(action)} for {_date(action)} with {_carrier_name(action)}",
        )


def _group_name(action) -> str:
    return action.values.get("group_name") or action.values.get("group_id") or "the group"


def _carrier_name(action) -> str:
    return action.values.get("carrier_name") or f"carrier {str(action.values.get('carrier_id', ''))[:8]}"


def _date(action) -> str:
    day = parse_date(action.values.get("renewal_date"))
    return date_format(day, "M j, Y") if day else "this date"


def _in_mirror(action) -> RenewalDecision | None:
    """The group's mirrored decision for this renewal date naming this carrier: what Noyo would refuse."""
    values = action.values
    day = parse_date(values.get("renewal_date"))
    if day is None or not values.get("carrier_id"):
        return None
    return (
        RenewalDecision.objects.present()
        .filter(group_id=values.get("group_id"), renewal_date=day)
        .with_carrier(values["carrier_id"])
        .order_by("-modified", "pk")
        .first()
    )


def _at_noyo(action, noyo) -> RenewalDecision | None:
    """Ask Noyo for the group's decisions, and mirror the one for this date and carrier (best effort)."""
    values = action.values
    try:
        for record in noyo.iter_renewal_decisions_by_group(values["group_id"]):
            carriers = ((record.get("body") or {}).get("carriers") or []) if isinstance(record, dict) else []
            named = {c.get("carrier_id") for c in carriers if isinstance(c, dict)}
            if record.get("renewal_date") == values.get("renewal_date") and values.get("carrier_id") in named:
                return _mirror(record)
    except Exception:
        logger.warning(
            "Could not look up the renewal decisions of group %s at Noyo", values.get("group_id"), exc_info=True
        )
    return None


def _mirror(payload) -> RenewalDecision | None:
    from connections.sync import mirror_renewal_decision

    if not isinstance(payload, dict) or not payload.get("id"):
        return None
    try:
        return mirror_renewal_decision(payload)
    except Exception:
        logger.exception("Could not mirror Noyo's renewal decision %s", payload.get("id"))
        return None
