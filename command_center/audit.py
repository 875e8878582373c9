"""Writing the audit log: one function per kind of thing people do.

Every entry goes through ``_entry``: done through the API with a key, it names the key too
(``ApiKeyAuthentication`` leaves it on the user as ``user.api_key``), so no caller has to pass it.
"""

from command_center.models import AuditEntry


def _entry(user, **fields):
    actor = user if user is not None and user.is_authenticated else None
    key = getattr(actor, "api_key", None)
    return AuditEntry.objects.create(actor=actor, api_key=key, api_key_name=key.name if key else "", **fields)


def _storable(text: str) -> str:
    """Text a JSON column can hold: Postgres refuses a NUL character (``\\u0000``) in jsonb."""
    return text.replace("\x00", "\\x00")


def record_export(user, list_name, filename, query):
    filters = {
        _storable(key): [_storable(value) for value in query.getlist(key)]
        for key in query
        if key not in ("page", "per_page")
    }
    return _entry(
        user,
        action=AuditEntry.Action.EXPORT,
        outcome=AuditEntry.Outcome.SUCCEEDED,
        object_type=list_name,
        summary=f"Exported {list_name} as {filename}",
        details={"filename": filename, "filters": filters},
    )


def record_sync(user, run, outcome=AuditEntry.Outcome.SUCCEEDED, note=""):
    return _entry(
        user,
        action=AuditEntry.Action.SYNC,
        outcome=outcome,
        object_type="syncrun",
        object_id=str(run.pk) if run else "",
        summary=note or f"Started a {run.kind.replace('_', ' ')} sync",
        details={"kind": run.kind if run else "", "status": run.status if run else ""},
    )


def record_retry(user, attempt):
    """One retry attempt of a group connection, with what was sent and what Noyo answered."""
    outcome = {
        "succeeded": AuditEntry.Outcome.SUCCEEDED,
        "skipped": AuditEntry.Outcome.SKIPPED,
    }.get(attempt.state, AuditEntry.Outcome.FAILED)
    connection = attempt.connection
    name = (connection.group_name if connection else "") or attempt.connection_id
    if connection is not None and connection.carrier is not None:
        name = f"{name} → {connection.carrier.name}"
    verb = {"succeeded": "Retried", "skipped": "Did not retry"}.get(attempt.state, "Retry failed for")
    return _entry(
        user,
        action=AuditEntry.Action.RETRY,
        outcome=outcome,
        object_type="groupconnection",
        object_id=str(attempt.connection_id),
        summary=f"{verb} connection of {name}"[:500],
        details={
            "attempt": str(attempt.token),
            "old_carrier_group_id": attempt.old_carrier_group_id,
            "new_carrier_group_id": attempt.carrier_group_id,
            "broker_federal_ein": attempt.broker_federal_ein,
            "broker_tin": attempt.broker_tin,
            "note": attempt.note,
            "old_status": attempt.old_status,
            "new_status": attempt.new_status,
            "message": attempt.message,
            "noyo_status_code": attempt.noyo_status_code,
            "noyo_answer": attempt.noyo_answer,
            "field_errors": attempt.field_errors,
        },
    )


def record_noyo_action(user, action, *, audit_action, object_type, object_id, summary):
    """One write sent to Noyo through ``connections.actions`` (a connection created, a disconnection
    confirmed or rejected), with what was sent and what Noyo answered."""
    outcome = {
        "succeeded": AuditEntry.Outcome.SUCCEEDED,
        "skipped": AuditEntry.Outcome.SKIPPED,
    }.get(action.state, AuditEntry.Outcome.FAILED)
    return _entry(
        user,
        action=audit_action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id or "")[:64],
        summary=summary[:500],
        details={
            "action": str(action.token),
            "kind": action.kind,
            "values": action.values,
            "target_id": action.target_id,
            "result_id": action.result_id,
            "old_status": action.old_status,
            "new_status": action.new_status,
            "message": action.message,
            "noyo_status_code": action.noyo_status_code,
            "noyo_answer": action.noyo_answer,
            "field_errors": action.field_errors,
        },
    )


def record_attention(user, item, action, summary, details=None):
    """A person's change to an attention item: acknowledged, assigned, snoozed (``AuditEntry.Action``)."""
    return _entry(
        user,
        action=action,
        outcome=AuditEntry.Outcome.SUCCEEDED,
        object_type="attentionitem",
        object_id=str(item.pk),
        summary=_storable(summary)[:500],
        details={"kind": item.kind, "resource": item.resource, "record_id": item.object_id, **(details or {})},
    )


def record_note(user, note, about: str):
    """A note left on a record, with its text: the log keeps what was said even if the page changes."""
    return _entry(
        user,
        action=AuditEntry.Action.NOTE,
        outcome=AuditEntry.Outcome.SUCCEEDED,
        object_type=note.resource.split(".")[-1],
        object_id=note.object_id,
        summary=_storable(f"Note on {about}: {note.text}")[:500],
        details={"note": note.pk, "resource": note.resource, "text": _storable(note.text)},
    )


def record_api_key(user, api_key, action):
    """An API key made or revoked (``AuditEntry.Action.CREATE_KEY`` / ``REVOKE_KEY``); the key itself is never known here."""
    verb = "Revoked" if action == AuditEntry.Action.REVOKE_KEY else "Created"
    return _entry(
        user,
        action=action,
        outcome=AuditEntry.Outcome.SUCCEEDED,
        object_type="apikey",
        object_id=api_key.prefix,
        summary=_storable(f"{verb} the {api_key.get_scope_display().lower()} API key “{api_key.name}”")[:500],
        details={"name": _storable(api_key.name), "scope": api_key.scope, "prefix": api_key.prefix},
    )


def record_refusal(request, reason: str, status: int = 403):
    """A request the person's role or key was refused (403): who (and with which key), what they were
    refused and why, and where (the path, its route, the address it came from). One entry per request."""
    from axes.helpers import get_client_ip_address  # the address sign-in throttling counts (AXES_CLIENT_IP_CALLABLE)

    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    object_id = str(kwargs.get("pk") or kwargs.get("prefix") or kwargs.get("object_id") or "")[:64]
    path, reason = _storable(request.path)[:300], _storable(reason)[:300]
    return _entry(
        request.user,
        action=AuditEntry.Action.REFUSED,
        outcome=AuditEntry.Outcome.FAILED,
        object_type=match.view_name[:64] if match else "",
        object_id=object_id,
        summary=f"Refused {request.method} {path}: {reason}"[:500],
        details={
            "method": request.method,
            "path": path,
            "route": match.view_name if match else "",
            "reason": reason,
            "address": get_client_ip_address(request) or "",
            "status": status,
        },
    )
