"""Creating a group connection at Noyo, once, from the console's form (``connections.actions``).

A new group: ``POST /group_connections`` with ``{carrier_id, federal_ein, group_data:
{carrier_group_id, group_name, broker ids}}``; Noyo answers 201 with the connection and the new
group's id. An existing group: ``POST /groups/{group_id}/group_connections`` with
``{carrier_id, group_data}`` (ENDPOINTS.md §6.3). Noyo refuses a second connection with the same
carrier and carrier_group_id (409) and values it cannot take (422, by field).
"""

from __future__ import annotations

import logging

from command_center.audit import record_noyo_action
from command_center.models import AuditEntry
from command_center.noyo import errors as noyo_errors
from command_center.sync.records import label_for

from .actions import ActionKind, Kind, may_have_acted, plain_failure, register
from .models import Carrier, Group, GroupConnection

logger = logging.getLogger(__name__)

GROUP_DATA_FIELDS = ("carrier_group_id", "group_name", "broker_federal_ein", "broker_tin")


@register
class CreateConnection(ActionKind):
    kind = Kind.CREATE_CONNECTION
    success_status = 201
    done = "made the connection"
    check_where = "the connections list (search for the carrier group id) in a few minutes"

    def lock_key(self, action):
        values = action.values
        return f"connection:{values.get('carrier_id', '')}:{values.get('carrier_group_id', '')}"

    def refusal(self, action):
        existing = _in_mirror(action)
        if existing is None:
            return ""
        action.result_id, action.new_status = existing.pk, existing.status
        return (
            f"Not sent: {_carrier_name(action)} already has a connection with carrier group id "
            f"“{action.values.get('carrier_group_id')}” (for {existing.group_name or 'a group'}, now “{label_for(existing.status)}”)."
        )

    def send(self, noyo, action):
        values = action.values
        group_data = {name: values[name] for name in GROUP_DATA_FIELDS if values.get(name)}
        if values.get("group_id"):
            return noyo.create_group_connection(values["carrier_id"], group_data, group_id=values["group_id"])
        return noyo.create_group_connection(
            values["carrier_id"], group_data, federal_ein=values.get("federal_ein") or None
        )

    def mirror(self, action, answer, noyo):
        connection = _mirror(answer)
        if connection is None:
            return (
                "Noyo accepted the request, but its answer could not be read: the connection shows after the next sync."
            )
        action.result_id, action.new_status = connection.pk, connection.status
        if connection.group_id and not Group.objects.filter(pk=connection.group_id).exists():
            _mirror_new_group(connection.group_id, noyo)
        return f"Noyo accepted the request: the connection is “{label_for(connection.status)}”. Noyo checks with the carrier next."

    def failure(self, action, error, noyo):
        if isinstance(error, noyo_errors.Conflict):
            existing = _in_mirror(action) or _of_group(action) or _at_noyo(action, noyo)
            number = action.values.get("carrier_group_id")
            if existing is None:
                return (
                    f"Noyo says this connection already exists, so it made no new one ({error.message}). "
                    f"Search the connections list for “{number}” to find it."
                )
            action.result_id, action.new_status = existing.pk, existing.status
            return (
                f"Noyo already has this connection, so it made no new one: {existing.group_name or 'the group'} → "
                f"{_carrier_name(action)} with carrier group id “{existing.carrier_group_id or number}”, now “{label_for(existing.status)}”."
            )
        message = plain_failure(error, self.done, self.check_where)
        if may_have_acted(error):
            found = _at_noyo(action, noyo)
            if found is not None:
                action.result_id, action.new_status = found.pk, found.status
                message += f" Noyo does show the connection now (“{label_for(found.status)}”), so it went through: do not send it again."
            else:
                message += " Right now Noyo shows no connection with this carrier and carrier group id."
        return message

    def record(self, user, action):
        group = action.values.get("group_name") or action.values.get("group_id") or "a new group"
        verb = {"succeeded": "Created", "skipped": "Did not create"}.get(action.state, "Could not create")
        return record_noyo_action(
            user,
            action,
            audit_action=AuditEntry.Action.CONNECT,
            object_type="groupconnection",
            object_id=action.result_id,
            summary=f"{verb} connection of {group} → {_carrier_name(action)}",
        )


def _carrier_name(action) -> str:
    carrier_id = action.values.get("carrier_id", "")
    carrier = Carrier.objects.filter(pk=carrier_id).first()
    return carrier.name if carrier else Carrier.placeholder_name(carrier_id)


def _in_mirror(action) -> GroupConnection | None:
    """The mirrored connection with this carrier and carrier_group_id: what Noyo calls a duplicate."""
    values = action.values
    return (
        GroupConnection.objects.present()
        .filter(carrier_id=values.get("carrier_id"), carrier_group_id=values.get("carrier_group_id"))
        .order_by("-modified")
        .first()
    )


def _of_group(action) -> GroupConnection | None:
    """The group's mirrored connection to this carrier, when Noyo's duplicate is not the same number here."""
    group_id = action.values.get("group_id")
    if not group_id:
        return None
    return (
        GroupConnection.objects.present()
        .filter(group_id=group_id, carrier_id=action.values.get("carrier_id"))
        .order_by("-modified")
        .first()
    )


def _at_noyo(action, noyo) -> GroupConnection | None:
    """Ask Noyo for the connection with this carrier and carrier_group_id, and mirror it (best effort)."""
    values = action.values
    try:
        for record in noyo.iter_group_connections(
            carrier_id=[values["carrier_id"]], carrier_group_id=values["carrier_group_id"]
        ):
            return _mirror(record)
    except Exception:
        logger.warning(
            "Could not look up connection %s/%s at Noyo",
            values.get("carrier_id"),
            values.get("carrier_group_id"),
            exc_info=True,
        )
    return None


def _mirror(payload) -> GroupConnection | None:
    from connections.sync import mirror_group_connection

    if not isinstance(payload, dict) or not payload.get("id"):
        return None
    try:
        return mirror_group_connection(payload)
    except Exception:
        logger.exception("Could not mirror Noyo's group connection %s", payload.get("id"))
        return None


def _mirror_new_group(group_id, noyo) -> None:
    """The group Noyo made with the connection, so the connection's page can link to it (best effort)."""
    from connections.sync import mirror_group

    try:
        mirror_group(noyo.get_group(group_id))
    except Exception:
        logger.warning("Could not mirror new group %s", group_id, exc_info=True)
