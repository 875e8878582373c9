"""The two roles, as Django groups, and the permissions each one holds.

Viewers may look at everything; Operators may also start syncs, retry and create group
connections, confirm or reject disconnection requests, send new renewal decisions, work attention
items (acknowledge, assign, snooze) and leave notes. A signed-in user in neither group can look but not act.
"""

VIEWER = "Viewer"
OPERATOR = "Operator"

# "app_label.codename" of every permission a role grants.
ROLE_PERMISSIONS = {
    VIEWER: [],
    OPERATOR: [
        "command_center.start_sync",
        "connections.retry_groupconnection",
        "connections.create_groupconnection",
        "connections.review_groupdisconnectionrequest",
        "connections.create_renewaldecision",
        "command_center.work_attentionitem",
        "command_center.add_note",
    ],
}


def ensure_roles(group_model, permission_model):
    """Create the role groups and give each exactly its permissions (idempotent).

    Permissions that do not exist yet (their app not migrated) are skipped; this
    runs again after every migrate, so they are picked up once they exist.
    """
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(permission_model.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def is_operator(user) -> bool:
    """Whether the user holds the Operator role (superusers hold every role)."""
    return bool(user and user.is_authenticated) and (
        user.is_superuser or any(group.name == OPERATOR for group in user.groups.all())
    )
