"""Writing the audit log: one function per kind of thing people do."""

from command_center.models import AuditEntry


def record_export(user, list_name, filename, query):
    filters = {key: query.getlist(key) for key in query if key not in ("page", "per_page")}
    return AuditEntry.objects.create(
        actor=user,
        action=AuditEntry.Action.EXPORT,
        outcome=AuditEntry.Outcome.SUCCEEDED,
        object_type=list_name,
        summary=f"Exported {list_name} as {filename}",
        details={"filename": filename, "filters": filters},
    )


def record_sync(user, run, outcome=AuditEntry.Outcome.SUCCEEDED, note=""):
    return AuditEntry.objects.create(
        actor=user,
        action=AuditEntry.Action.SYNC,
        outcome=outcome,
        object_type="syncrun",
        object_id=str(run.pk) if run else "",
        summary=note or f"Started a {run.kind.replace('_', ' ')} sync",
        details={"kind": run.kind if run else "", "status": run.status if run else ""},
    )
